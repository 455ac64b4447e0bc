"""The moderator desk, server side: cards, claims, decisions, bans and undo."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from moderation import bans, desk, services
from moderation.models import AuditEntry, DeskClaim, Flag, GuestBan, Term, UndoRecord
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory, make_moderator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
DESK = reverse("moderation:desk")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mod(client, moderator):
    client.force_login(moderator)
    return client


def held(article, author, body, **kwargs):
    return add_comment(article, author, status="held", body=body, **kwargs)


def card_ids(html: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(
            r'class="card[^"]*" id="card-\d+" data-comment-id="(\d+)"', html
        )
    ]


def seen_of(html: str, pk: int) -> str:
    card = html[html.index(f'id="card-{pk}"') :]
    return re.search(r'name="seen" value="(\d+)"', card).group(1)


def decide(client, pk: int, action: str, seen: str, **extra):
    url = reverse("moderation:desk-decide", args=[pk])
    return client.post(url, {"action": action, "seen": seen}, **extra)


def test_the_desk_is_for_moderators_only(client, reader):
    assert client.get(DESK).status_code == 302
    client.force_login(reader)
    assert client.get(DESK).status_code == 403
    comment = held(ArticleFactory(), reader, "Mine")
    response = decide(client, comment.pk, "approve", "0")
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == "held"


def test_each_waiting_comment_is_a_card_oldest_first(mod, reader, regular):
    article = ArticleFactory(title="The chip subsidy")
    first = held(article, reader, "Held first")
    pending = add_comment(article, reader, status="pending", body="Pending second")
    flagged = add_comment(article, regular, body="Published but flagged")
    add_comment(article, regular, body="Published and fine")
    services.flag_comment(
        comment=flagged, user=UserFactory(), reason="abuse", note="Calls people names"
    )

    html = mod.get(DESK).content.decode()

    assert card_ids(html) == [first.pk, pending.pk, flagged.pk]
    assert "Published and fine" not in html
    assert "The chip subsidy" in html
    assert "Abuse or harassment" in html
    assert "Calls people names" in html
    assert "Flagged by readers" in html


def test_a_card_shows_the_parent_the_reasons_in_words_and_the_phrase_marked(
    mod, post, article, regular
):
    Term.objects.create(phrase="grifter", kind=Term.Kind.WATCHED)
    parent = add_comment(article, regular, body="Subsidies work when they are tied.")
    comment = post(
        article=article,
        author=regular,
        parent_id=parent.pk,
        body="Only a grifter would say that.",
    )
    assert comment.status == "held"

    html = mod.get(DESK).content.decode()

    assert "In reply to" in html
    assert "Subsidies work when they are tied." in html
    assert "<mark>grifter</mark>" in html
    assert "grifter" in html.split("Why it waits")[1]
    assert "toxicity 0." in html  # a score in words, not JSON
    assert "{&quot;" not in html
    assert "&lt;br&gt;" not in html


def test_the_authors_history_is_on_the_card_and_a_click_away(mod, article):
    author = UserFactory(
        username="repeat", date_joined=timezone.now() - timedelta(days=40)
    )
    add_comment(article, author, body="Approved once")
    add_comment(article, author, status="rejected", body="Rejected once")
    waiting = held(article, author, "Held now")
    bans.user_ban(
        user=author,
        moderator=make_moderator("m2"),
        reason="rude",
        until=timezone.now() + timedelta(days=3),
    )

    html = mod.get(DESK).content.decode()
    card = html[html.index(f'id="card-{waiting.pk}"') :]
    assert "Joined 40 days ago" in card
    assert "1 approved" in card
    assert "1 rejected or spam" in card
    assert "Banned until" in card

    history = mod.get(reverse("moderation:desk-author", args=[author.pk]), **HTMX)
    text = history.content.decode()
    assert "Approved once" in text
    assert "Rejected once" in text
    assert "Held now" in text


def test_the_desk_reads_in_the_same_number_of_queries_for_3_or_20_cards(mod, reader):
    article = ArticleFactory()

    def measure(count: int) -> int:
        Flag.objects.all().delete()
        DeskClaim.objects.all().delete()
        authors = UserFactory.create_batch(count)
        for i in range(count):
            comment = add_comment(article, authors[i], body=f"Flagged {count} {i}")
            services.flag_comment(comment=comment, user=reader, reason="spam")
        with CaptureQueriesContext(connection) as queries:
            response = mod.get(DESK)
        assert len(card_ids(response.content.decode())) == count
        return len(queries)

    mod.get(DESK)  # the moderator's account is remembered from here on
    assert measure(3) == measure(20)


def test_two_moderators_are_shown_different_cards(client, moderator, reader):
    article = ArticleFactory()
    for i in range(6):
        held(article, reader, f"Held {i}")
    client.force_login(moderator)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.conf.settings.MODERATION_DESK_BATCH", 3)
        mine = card_ids(client.get(DESK).content.decode())
        other = make_moderator("second")
        client.force_login(other)
        theirs = card_ids(client.get(DESK).content.decode())
    assert len(mine) == len(theirs) == 3
    assert not set(mine) & set(theirs)


def test_a_card_another_moderator_holds_is_refused_and_unchanged(
    client, moderator, reader
):
    comment = held(ArticleFactory(), reader, "Held and claimed")
    client.force_login(moderator)
    seen = seen_of(client.get(DESK).content.decode(), comment.pk)
    client.force_login(make_moderator("second"))

    response = decide(client, comment.pk, "approve", seen, **HTMX)

    assert response.status_code == 409
    assert (
        "is working on this comment; it is theirs for now" in response.content.decode()
    )
    comment.refresh_from_db()
    assert comment.status == "held"


def test_a_decision_on_a_comment_someone_decided_since_is_refused(mod, reader):
    comment = held(ArticleFactory(), reader, "Decided twice?")
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)
    # Another moderator decides it in the admin meanwhile (claims do not bind it).
    services.moderator_decide(
        comment=comment, moderator=make_moderator("quick"), action="reject"
    )

    response = decide(mod, comment.pk, "approve", seen, **HTMX)

    assert response.status_code == 409
    assert "quick acted on this comment" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "rejected"
    decisions = AuditEntry.objects.filter(
        comment=comment, action__in=["approve", "reject"]
    )
    assert decisions.count() == 1


def test_the_service_refuses_a_second_moderators_decision_of_a_moment_ago(reader):
    comment = held(ArticleFactory(), reader, "Two at once")
    services.moderator_decide(
        comment=comment, moderator=make_moderator("one"), action="approve"
    )
    with pytest.raises(services.DecidedMeanwhile, match="one acted on this comment"):
        services.moderator_decide(
            comment=comment, moderator=make_moderator("two"), action="reject"
        )
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_a_decision_by_htmx_leaves_a_done_card_and_an_audit_entry(
    mod, moderator, reader
):
    comment = held(ArticleFactory(), reader, "Reject me")
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)

    response = decide(mod, comment.pk, "reject", seen, **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-done="reject"' in body
    assert f'data-comment-id="{comment.pk}"' in body
    comment.refresh_from_db()
    assert comment.status == "rejected"
    entry = AuditEntry.objects.filter(comment=comment).latest("pk")
    assert entry.actor == moderator
    assert entry.action == "reject"
    assert not DeskClaim.objects.filter(comment=comment).exists()


def test_without_javascript_a_decision_redirects_back_to_the_desk(mod, reader):
    comment = held(ArticleFactory(), reader, "Approve me")
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)

    response = decide(mod, comment.pk, "approve", seen, follow=True)

    assert response.redirect_chain[-1][0].startswith(DESK)
    assert f"#{comment.pk}: Approved" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "approved"


@pytest.mark.parametrize(
    ("action", "seen", "status"),
    [
        ("publish", "0", 400),
        ("", "0", 400),
        ("approve", "abc", 400),
        ("hold", "0", 400),
    ],
)
def test_a_bad_decision_is_refused_with_its_reason(mod, reader, action, seen, status):
    comment = held(ArticleFactory(), reader, "Still held")
    mod.get(DESK)
    response = decide(mod, comment.pk, action, seen, **HTMX)
    assert response.status_code == status
    assert 'role="alert"' in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "held"


def test_a_decision_on_a_missing_comment_is_404(mod):
    assert decide(mod, 999999, "approve", "0").status_code == 404


def test_undo_brings_the_card_back_as_it_was(mod, moderator, reader, regular):
    comment = add_comment(ArticleFactory(), regular, body="Flagged, then removed")
    services.flag_comment(comment=comment, user=reader, reason="abuse")
    decision_before = Comment.objects.get(pk=comment.pk).decision
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)
    decide(mod, comment.pk, "spam", seen, **HTMX)
    assert Flag.objects.get(comment=comment).resolved_at is not None

    response = mod.post(reverse("moderation:desk-undo"), **HTMX)

    assert response.status_code == 200
    assert f'hx-swap-oob="outerHTML:#card-{comment.pk}"' in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.decision == decision_before
    flag = Flag.objects.get(comment=comment)
    assert flag.resolved_at is None
    assert flag.upheld is None
    assert AuditEntry.objects.filter(comment=comment).latest("pk").action == "undo"
    assert DeskClaim.objects.get(comment=comment).moderator == moderator
    # Only once: the decision is taken back already.
    again = mod.post(reverse("moderation:desk-undo"), **HTMX)
    assert again.status_code == 409
    assert "Nothing to undo" in again.content.decode()


def test_undo_is_refused_after_its_window(mod, reader, settings):
    comment = held(ArticleFactory(), reader, "Too late")
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)
    decide(mod, comment.pk, "reject", seen, **HTMX)
    UndoRecord.objects.update(
        created_at=timezone.now()
        - timedelta(seconds=settings.MODERATION_UNDO_SECONDS + 1)
    )

    response = mod.post(reverse("moderation:desk-undo"), follow=True)

    assert "Nothing to undo" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "rejected"


def test_undo_is_refused_once_someone_else_acted(mod, reader):
    comment = held(ArticleFactory(), reader, "Acted on since")
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)
    decide(mod, comment.pk, "reject", seen, **HTMX)
    AuditEntry.objects.create(comment=comment, actor_name="other", action="approve")

    response = mod.post(reverse("moderation:desk-undo"), **HTMX)

    assert response.status_code == 409
    assert "someone has acted on this comment since" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "rejected"


def test_a_ban_from_the_card_bans_for_its_length_rejects_and_can_be_undone(mod, reader):
    comment = held(ArticleFactory(), reader, "Ban-worthy")
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)
    url = reverse("moderation:desk-ban", args=[comment.pk])

    response = mod.post(url, {"seen": seen, "reason": "Threats", "days": "7"}, **HTMX)

    assert response.status_code == 200
    reader.refresh_from_db()
    comment.refresh_from_db()
    assert comment.status == "rejected"
    assert reader.has_active_ban
    assert reader.ban_reason == "Threats"
    left = reader.banned_until - timezone.now()
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)

    mod.post(reverse("moderation:desk-undo"), **HTMX)
    reader.refresh_from_db()
    comment.refresh_from_db()
    assert not reader.has_active_ban
    assert comment.status == "held"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "", "days": "7"}, "Say why"),
        ({"reason": "x", "days": "9"}, "Choose 1, 7"),
    ],
)
def test_a_ban_without_a_reason_or_a_known_length_is_refused(
    mod, reader, data, message
):
    comment = held(ArticleFactory(), reader, "Not banned")
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)
    url = reverse("moderation:desk-ban", args=[comment.pk])

    response = mod.post(url, {"seen": seen, **data}, **HTMX)

    assert response.status_code == 400
    assert message in response.content.decode()
    reader.refresh_from_db()
    assert not reader.has_active_ban
    assert Comment.objects.get(pk=comment.pk).status == "held"


def test_a_guests_address_is_banned_from_their_card_and_undo_lifts_it(mod):
    comment = add_comment(ArticleFactory(), None, status="held", body="Guest spam")
    Comment.objects.filter(pk=comment.pk).update(
        guest_name="G", guest_email="G@Example.org"
    )
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)
    url = reverse("moderation:desk-ban", args=[comment.pk])

    mod.post(url, {"seen": seen, "reason": "Spam run", "days": "forever"}, **HTMX)

    assert GuestBan.objects.filter(email="g@example.org").exists()
    mod.post(reverse("moderation:desk-undo"), **HTMX)
    assert not GuestBan.objects.filter(email="g@example.org").exists()


def test_filters_narrow_the_cards(mod, reader, regular):
    one, two = ArticleFactory(title="One"), ArticleFactory(title="Two")
    on_one = held(one, reader, "On one")
    on_two = held(two, reader, "On two")
    flagged = add_comment(two, regular, body="Flagged on two")
    services.flag_comment(comment=flagged, user=reader, reason="spam")

    by_article = card_ids(mod.get(DESK, {"article": one.pk}).content.decode())
    by_state = card_ids(mod.get(DESK, {"state": "flagged"}).content.decode())
    junk = card_ids(mod.get(DESK, {"article": "x'--", "state": "<b>"}).content.decode())

    assert by_article == [on_one.pk]
    assert by_state == [flagged.pk]
    assert set(junk) == {on_one.pk, on_two.pk, flagged.pk}


def test_riskiest_first_puts_the_most_flagged_on_top(mod, reader, regular):
    article = ArticleFactory()
    quiet = held(article, regular, "Quiet")
    loud = add_comment(article, regular, body="Loud")
    for user in UserFactory.create_batch(2):
        services.flag_comment(comment=loud, user=user, reason="abuse")

    ids = card_ids(mod.get(DESK, {"order": "risk"}).content.decode())

    assert ids.index(loud.pk) < ids.index(quiet.pk)


def test_the_counts_say_what_waits_and_what_others_work(client, moderator, reader):
    article = ArticleFactory()
    for i in range(3):
        held(article, reader, f"Held {i}")
    add_comment(article, reader, status="pending", body="Pending")
    client.force_login(make_moderator("other"))
    client.get(DESK)  # claims all four
    client.force_login(moderator)

    text = client.get(reverse("moderation:desk-counts"), **HTMX).content.decode()

    assert "<strong>4</strong> waiting" in text
    assert "3 held" in text
    assert "1 pending" in text
    assert "4 being worked by others" in text


def test_an_expired_claim_frees_the_card(client, moderator, reader):
    comment = held(ArticleFactory(), reader, "Left alone")
    client.force_login(make_moderator("idle"))
    client.get(DESK)
    DeskClaim.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(moderator)

    assert card_ids(client.get(DESK).content.decode()) == [comment.pk]


def test_more_cards_skip_those_already_shown(mod, reader, settings):
    settings.MODERATION_DESK_BATCH = 2
    article = ArticleFactory()
    made = [held(article, reader, f"Held {i}").pk for i in range(5)]
    first = card_ids(mod.get(DESK).content.decode())
    more = mod.get(
        reverse("moderation:desk-more"), {"skip": ",".join(map(str, first))}, **HTMX
    )

    assert first == made[:2]
    assert card_ids(more.content.decode()) == made[2:4]


def test_highlight_escapes_everything_but_its_marks():
    marked = desk.highlight(
        "<script>x</script> a Grifter, see http://e.x/?a=<b>", ["grifter"]
    )
    assert "<script>" not in marked
    assert "<mark>Grifter</mark>" in marked
    assert "<mark>http://e.x/?a=&lt;b&gt;</mark>" in marked


def test_the_desk_shows_busy_stories_and_ends_surge_mode_by_hand(mod, moderator):
    from moderation import surge

    story = ArticleFactory(title="The leak everyone reads")
    surge.surge_start(article=story, moderator=None, reason="40 comments in 10 minutes")

    html = mod.get(DESK).content.decode()
    assert "Busy stories" in html
    assert "The leak everyone reads" in html
    assert "started by the machine: 40 comments in 10 minutes" in html

    url = reverse("moderation:desk-surge-end", args=[story.pk])
    response = mod.post(url, follow=True)

    assert "Surge mode ended on “The leak everyone reads”" in response.content.decode()
    story.refresh_from_db()
    assert story.busy_since is None
    assert AuditEntry.objects.filter(action="surge_end", actor=moderator).exists()
    again = mod.post(url, follow=True)
    assert "is not in surge mode" in again.content.decode()


def test_a_rejection_taken_back_is_never_mailed_to_its_author(
    mod, post, regular, mailoutbox
):
    from moderation import notices

    Term.objects.create(phrase="grifter", kind=Term.Kind.WATCHED)
    comment = post(article=ArticleFactory(), author=regular, body="A grifter? No.")
    assert comment.decision["action"] == "hold"
    seen = seen_of(mod.get(DESK).content.decode(), comment.pk)
    decide(mod, comment.pk, "reject", seen, **HTMX)
    mod.post(reverse("moderation:desk-undo"), **HTMX)
    mailoutbox.clear()

    # The notice's task runs once the undo window has passed.
    sent = notices.decision_notice(comment_id=comment.pk, kind=notices.Kind.DECISION)

    assert sent is False
    assert mailoutbox == []
