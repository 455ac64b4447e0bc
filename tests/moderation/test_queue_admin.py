"""Moderators work the queue in /admin/: quick to read, quick to act on."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from comments.models import Comment
from moderation import services
from moderation.models import Action, AuditEntry, RuleName, Term
from moderation.rules import Finding
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
QUEUE = reverse("admin:moderation_queueitem_changelist")


@pytest.fixture
def mod_client(client):
    mod = UserFactory(
        username="mod", is_staff=True, groups=[Group.objects.get(name="Moderators")]
    )
    client.force_login(mod)
    return client


def fill_queue(count: int) -> list[Comment]:
    article = ArticleFactory()
    authors = UserFactory.create_batch(3)
    return [
        add_comment(article, authors[i % 3], status="held", body=f"Held comment {i}")
        for i in range(count)
    ]


def test_the_queue_lists_held_pending_and_flagged_oldest_first(
    mod_client, post, regular
):
    article = ArticleFactory()
    held = add_comment(article, regular, status="held", body="Held one")
    pending = add_comment(article, regular, status="pending", body="Pending one")
    flagged = add_comment(article, regular, body="Flagged one")
    add_comment(article, regular, body="Fine one")
    for user in UserFactory.create_batch(1):
        services.flag_comment(comment=flagged, user=user, reason="abuse")

    html = mod_client.get(QUEUE).content.decode()

    assert (
        html.index("Held one") < html.index("Pending one") < html.index("Flagged one")
    )
    assert "Fine one" not in html
    assert str(held.pk) in html
    assert str(pending.pk) in html


def test_the_queue_shows_why_and_the_authors_history(mod_client, post, article):
    newcomer = UserFactory(username="newcomer")
    post(
        article=article,
        author=newcomer,
        body="Links: https://a.example https://b.example https://c.example",
    )

    html = mod_client.get(QUEUE).content.decode()

    assert "Has 3 links; this discussion allows 2." in html
    assert "First comment from this account" in html
    assert "0 approved · 0 rejected · 0 flagged" in html
    assert "toxicity 0." in html


def test_the_queue_page_costs_the_same_queries_for_5_and_50_rows(
    mod_client, django_assert_max_num_queries
):
    fill_queue(5)
    mod_client.get(QUEUE)
    with django_assert_max_num_queries(20) as small:
        mod_client.get(QUEUE)
    fill_queue(45)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = mod_client.get(QUEUE)

    assert "Held comment 44" in response.content.decode()


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("mark_spam", "spam")],
)
def test_bulk_actions_decide_and_leave_an_audit_trail(mod_client, action, status):
    comments = fill_queue(3)

    response = mod_client.post(
        QUEUE,
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )

    assert response.status_code == 200
    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    assert AuditEntry.objects.filter(actor_name="mod", after=status).count() == 3


def test_banning_the_author_from_the_queue(mod_client):
    comment = fill_queue(1)[0]

    mod_client.post(QUEUE, {"action": "ban_week", "_selected_action": [comment.pk]})

    comment.author.refresh_from_db()
    assert comment.author.is_banned
    assert AuditEntry.objects.get(action="ban").comment_id == comment.pk


def test_the_comment_page_shows_the_audit_trail(mod_client, post, article):
    comment = post(article=article, author=UserFactory(), body="Please review me")

    page = mod_client.get(
        reverse("admin:moderation_queueitem_change", args=[comment.pk])
    ).content.decode()

    assert "Audit trail" in page
    assert "First comment from this account" in page


def test_readers_and_editors_cannot_work_the_queue(client, reader, editor):
    client.force_login(reader)
    assert client.get(QUEUE).status_code == 302
    client.force_login(editor)
    assert client.get(QUEUE).status_code == 403


def test_editors_can_edit_banned_and_watched_terms(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:moderation_term_add"),
        {"phrase": "Scam Coin", "kind": "banned", "note": ""},
    )

    assert response.status_code == 302
    assert client.get(reverse("admin:moderation_term_changelist")).status_code == 200


def test_moderators_see_the_banned_readers_and_lift_a_ban(mod_client):
    comment = fill_queue(1)[0]
    mod_client.post(QUEUE, {"action": "ban_forever", "_selected_action": [comment.pk]})
    bans = reverse("admin:moderation_bannedaccount_changelist")
    assert comment.author.username in mod_client.get(bans).content.decode()

    mod_client.post(
        bans, {"action": "lift_ban", "_selected_action": [comment.author_id]}
    )

    comment.author.refresh_from_db()
    assert not comment.author.has_active_ban
    assert AuditEntry.objects.filter(action="unban").count() == 1
    assert comment.author.username not in mod_client.get(bans).content.decode()


def test_the_reason_filter_finds_what_each_rule_recorded(
    mod_client, post, regular, article, settings
):
    settings.MODERATION_LINK_LIMIT = 1
    Term.objects.create(phrase="giveaway", kind=Term.Kind.WATCHED)
    links = post(article=article, author=regular,
                 body="See https://a.example and https://b.example")  # fmt: skip
    watched = post(article=article, author=regular, body="A giveaway for all")
    newcomer = post(article=article, author=UserFactory(), body="Hello, first time")

    def listed(rule: str) -> set[int]:
        page = mod_client.get(QUEUE, {"rule": rule})
        assert page.status_code == 200
        return {c.pk for c in page.context["cl"].result_list}

    assert listed(RuleName.LINKS) == {links.pk}
    assert listed(RuleName.WATCHED_TERM) == {watched.pk}
    assert listed(RuleName.FIRST_COMMENT) == {newcomer.pk}
    assert listed(RuleName.TOXICITY) == set()
    choices = mod_client.get(QUEUE).content.decode()
    for name in RuleName:
        assert f"?rule={name.value}" in choices


def test_a_finding_under_a_name_nobody_can_filter_by_fails_at_once():
    with pytest.raises(ValueError, match="not a valid RuleName"):
        Finding("too_many_links", Action.HOLD, "Has 3 links.")
