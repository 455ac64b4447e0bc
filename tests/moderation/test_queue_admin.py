"""Moderators work the queue in /admin/: quick to read, quick to act on."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_import
from moderation import bans, services
from moderation.models import (
    Action,
    AuditEntry,
    Flag,
    GuestBan,
    RuleName,
    Term,
    Verdict,
)
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


def change_url(comment) -> str:
    return reverse("admin:moderation_queueitem_change", args=[comment.pk])


TOXIC = "Toxicity 0.93 is at or above 0.80."
SCORES = {
    "toxicity": {"score": 0.93, "model": "profanity", "version": "1.2",
                 "signals": ["insult aimed at a person"]},
    "spam": {"score": 0.0412, "model": "naive-bayes", "version": "", "signals": []},
}  # fmt: skip


def held_with_verdict(author=None) -> Comment:
    comment = add_comment(
        ArticleFactory(), author or UserFactory(), status="held", body="Held for you"
    )
    Verdict.objects.create(
        comment=comment,
        revision=comment.revision,
        action=Action.HOLD,
        policy="open",
        reasons=[{"rule": "toxicity", "action": "hold", "reason": TOXIC}],
        scores=SCORES,
    )
    return comment


def test_scores_read_as_words_on_lines_of_their_own_in_the_list(mod_client):
    held_with_verdict()

    html = mod_client.get(QUEUE).content.decode()

    assert TOXIC in html
    assert "spam 0.04 — naive-bayes<br>toxicity 0.93 — profanity (1.2)<" in html
    assert "&lt;br&gt;" not in html
    assert '"score"' not in html
    assert "&#x27;score&#x27;" not in html


def test_the_verdict_on_the_comment_page_gives_scores_in_words_not_json(mod_client):
    comment = held_with_verdict()

    html = mod_client.get(change_url(comment)).content.decode()

    assert (
        "spam 0.04 — naive-bayes<br>"
        "toxicity 0.93 — profanity (1.2): insult aimed at a person<" in html
    )
    assert "&lt;br&gt;" not in html
    assert "score&quot;" not in html
    assert "&#x27;score&#x27;" not in html
    assert '"score"' not in html


def test_the_list_is_three_columns_and_cuts_long_unbroken_text(mod_client):
    add_comment(ArticleFactory(), UserFactory(), status="held", body="w" * 300)

    html = mod_client.get(QUEUE).content.decode()

    for column in ("comment", "author_history", "why"):
        assert f"column-{column}" in html
    for gone in ("created_at", "article_link", "status", "flags", "scores",
                 "reasons"):  # fmt: skip
        assert f"column-{gone}" not in html
    assert "w" * 39 + "…" in html
    assert "w" * 41 not in html


def test_the_authors_history_counts_their_comments_and_links_to_them(mod_client):
    author = UserFactory(
        username="writer", date_joined=timezone.now() - timedelta(days=40)
    )
    article = ArticleFactory()
    for status in ("approved", "rejected", "spam"):
        add_comment(article, author, status=status, body=f"Old {status}")
    flagged = add_comment(article, author, body="Flagged, still published")
    Flag.objects.create(comment=flagged, user=UserFactory(), reason="abuse")
    waiting = add_comment(article, author, status="held", body="Waiting now")
    someone_else = add_comment(article, UserFactory(), status="held", body="Other")
    week = timezone.now() + timedelta(days=7)
    boss = UserFactory(is_superuser=True)
    bans.user_ban(user=author, moderator=boss, reason="Abuse.", until=week)

    html = mod_client.get(QUEUE).content.decode()

    assert "writer<br>account 1\xa0month old" in html
    assert "2 approved · 2 rejected · 1 flagged" in html
    assert "banned until " in html
    link = f"{QUEUE}?author={author.pk}&amp;state=all"
    assert f'<a href="{link}">all their comments</a>' in html
    assert "&lt;br&gt;" not in html

    theirs = mod_client.get(QUEUE, {"author": author.pk, "state": "all"})
    listed = {c.pk for c in theirs.context["cl"].result_list}
    assert listed == set(
        Comment.objects.filter(author=author).values_list("pk", flat=True)
    )
    assert len(listed) == 5
    assert someone_else.pk not in listed
    waiting_only = mod_client.get(QUEUE, {"author": author.pk})
    assert {c.pk for c in waiting_only.context["cl"].result_list} == {
        waiting.pk,
        flagged.pk,
    }


def test_a_guests_history_follows_their_address(mod_client):
    article = ArticleFactory()
    kwargs = {"article": article, "guest_name": "Gus", "guest_email": "gus@example.org"}
    comment_import(body="Earlier", **kwargs)
    comment_import(body="Waiting", status="held", **kwargs)
    comment_import(body="Another guest", status="held", guest_name="Ann",
                   guest_email="ann@example.org", article=article)  # fmt: skip
    GuestBan.objects.create(email="gus@example.org")

    html = mod_client.get(QUEUE).content.decode()

    assert "Gus &lt;gus@example.org&gt; · guest" in html
    assert "1 approved · 0 rejected · 0 flagged<" in html
    assert "address banned" in html
    theirs = mod_client.get(QUEUE, {"author": "gus@example.org", "state": "all"})
    assert sorted(c.body for c in theirs.context["cl"].result_list) == [
        "Earlier",
        "Waiting",
    ]


def fill_varied(count: int) -> None:
    """Waiting comments each by their own author, with verdicts and flags."""
    article = ArticleFactory()
    for i in range(count):
        author = UserFactory()
        add_comment(article, author, status="approved", body=f"Earlier {i}")
        comment = held_with_verdict(author)
        if i % 2:
            Flag.objects.create(comment=comment, user=UserFactory(), reason="spam")


def test_the_authors_history_costs_no_query_per_row(
    mod_client, django_assert_max_num_queries
):
    fill_varied(5)
    mod_client.get(QUEUE)
    with django_assert_max_num_queries(20) as five:
        mod_client.get(QUEUE)
    fill_varied(25)
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = mod_client.get(QUEUE)

    assert len(response.context["cl"].result_list) == 30


AUDIT = reverse("admin:moderation_auditentry_changelist")


def test_the_audit_log_is_newest_first_and_links_each_comment(mod_client):
    boss = UserFactory(username="boss", is_superuser=True)
    decided = add_comment(ArticleFactory(), UserFactory(), status="held", body="A")
    services.moderator_decide(comment=decided, moderator=boss, action="approve")
    bans.user_ban(user=decided.author, moderator=boss, reason="Abuse.",
                      comment=decided)  # fmt: skip
    gone = add_comment(ArticleFactory(), UserFactory(), status="held", body="B")
    services.moderator_decide(comment=gone, moderator=boss, action="reject")
    gone_pk = gone.pk
    Comment.objects.filter(pk=gone_pk).delete()

    response = mod_client.get(AUDIT)

    rows = list(response.context["cl"].result_list)
    assert [r.action for r in rows] == ["reject", "ban", "approve"]
    html = response.content.decode()
    assert f'<a href="{change_url(decided)}">#{decided.pk}</a>' in html
    assert f"#{gone_pk} (deleted)" in html
    assert decided.author.username in html
    assert "held → approved" in html
    assert mod_client.get(change_url(decided)).status_code == 200


def test_the_queue_hides_decided_comments_unless_asked(mod_client):
    article, author = ArticleFactory(), UserFactory()
    add_comment(article, author, status="rejected", body="Decided already")
    add_comment(article, author, status="held", body="Still waiting")

    waiting = mod_client.get(QUEUE).content.decode()
    every = mod_client.get(QUEUE, {"state": "all"}).content.decode()

    assert "Decided already" not in waiting
    assert "Still waiting" in waiting
    assert "Decided already" in every
    assert "Waiting, any reason" in waiting


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", "<script>x</script>", "0", "  "]
)
def test_an_author_filter_naming_nobody_lists_nothing(mod_client, value):
    fill_queue(2)

    response = mod_client.get(QUEUE, {"author": value, "state": "all"})

    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == []
    assert "<script>x" not in response.content.decode()
