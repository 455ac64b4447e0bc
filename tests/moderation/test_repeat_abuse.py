"""An author whose comments keep being removed is warned once, then their new
comments wait for a moderator while the removals last (MODERATION_REPEAT_*)."""

import html
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from comments.models import Comment
from moderation import appeals, bans, repeat, services
from moderation.models import AuditEntry, Term, Verdict
from tests.factories import make_moderator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]

REMOVED_BODIES = [
    "Only a dimwit believes the minister.",
    "Every dimwit on this page agrees with you.",
    "What a dimwit argument about tariffs.",
    "The dimwit columnist is wrong again.",
    "Spoken like a true dimwit, my friend.",
]
WARNING_SUBJECT = "Your comments will wait for a moderator for a while"
HOLD_REASON = (
    "3 of your comments were removed in the last 30 days; new ones wait for a "
    "moderator for now."
)


@pytest.fixture(autouse=True)
def _rules(db, settings):
    settings.MODERATION_REPEAT_REJECTIONS = 3
    settings.MODERATION_REPEAT_DAYS = 30
    Term.objects.create(phrase="dimwit", kind=Term.Kind.BANNED)


@pytest.fixture
def remove(post, article, regular):
    """Post comments of `regular`'s that the machine rejects."""
    bodies = iter(REMOVED_BODIES)

    def _remove(times: int = 1) -> list[Comment]:
        made = [
            post(article=article, author=regular, body=next(bodies))
            for _ in range(times)
        ]
        assert {c.status for c in made} == {Comment.Status.REJECTED}
        return made

    return _remove


def _warnings() -> list:
    return [m for m in mail.outbox if m.subject == WARNING_SUBJECT]


def test_the_author_is_warned_once_on_the_nth_removal(remove, regular):
    remove(2)
    assert _warnings() == []

    (third,) = remove()
    remove()  # a fourth within the window warns no more

    (warning,) = _warnings()
    assert warning.to == [regular.email]
    assert "3 of your comments have been removed within 30 days" in warning.body
    assert "Contains the banned term(s) “dimwit”." in warning.body
    (entry,) = AuditEntry.objects.filter(action="warn")
    assert (entry.subject_user, entry.comment, entry.actor) == (regular, third, None)


def test_the_next_comment_is_held_with_the_reason_in_words(
    remove, post, article, regular, client
):
    remove(3)

    held = post(article=article, author=regular, body="A calm and fair remark.")

    assert held.status == Comment.Status.HELD
    assert held.decision["reasons"] == [HOLD_REASON]
    assert held.decision["appealable_until"] is not None
    assert " repeat_abuse " in Verdict.objects.get(comment=held).rule_names
    client.force_login(regular)
    api = client.get(f"/api/v1/comments/{held.pk}/").json()
    assert api["decision"]["reasons"] == [HOLD_REASON]
    assert HOLD_REASON in client.get(article.get_absolute_url()).content.decode()
    appeal = appeals.appeal_file(comment=held, user=regular, note="I was calm.")
    assert appeal.action == "hold"


def test_two_removals_do_not_hold_the_next_comment(remove, post, article, regular):
    remove(2)

    published = post(article=article, author=regular, body="A calm and fair remark.")

    assert published.status == Comment.Status.APPROVED


def test_comments_are_not_held_once_the_window_has_passed(
    remove, post, article, regular
):
    remove(3)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        later = post(article=article, author=regular, body="Back, and civil.")

    assert later.status == Comment.Status.APPROVED


def test_a_removal_reversed_on_appeal_no_longer_counts(
    remove, post, article, regular, django_capture_on_commit_callbacks
):
    *_, third = remove(3)
    appeal = appeals.appeal_file(comment=third, user=regular, note="A quote.")
    with django_capture_on_commit_callbacks(execute=True):
        appeals.appeal_decide(
            appeal=appeal,
            moderator=make_moderator(),
            outcome="reverse",
            reason="Quoted.",
        )
    assert repeat.removals(author_id=regular.pk) == 2

    published = post(article=article, author=regular, body="A calm and fair remark.")

    assert published.status == Comment.Status.APPROVED


def test_a_moderators_removals_count_and_a_shadow_banned_author_is_not_mailed(
    remove, post, article, regular, django_capture_on_commit_callbacks
):
    remove(2)
    Term.objects.create(phrase="tariff", kind=Term.Kind.WATCHED)
    waiting = post(article=article, author=regular, body="A tariff is a tax on us.")
    assert waiting.status == Comment.Status.HELD
    mod = make_moderator()
    bans.user_ban(
        user=regular,
        moderator=mod,
        reason="Troll",
        until=timezone.now() + timedelta(days=3),
        shadow=True,
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.moderator_decide(comment=waiting, moderator=mod, action="reject")

    assert AuditEntry.objects.filter(action="warn", subject_user=regular).exists()
    assert mail.outbox == []


def test_a_moderators_third_removal_warns_the_author(
    remove, post, article, regular, django_capture_on_commit_callbacks
):
    remove(2)
    Term.objects.create(phrase="tariff", kind=Term.Kind.WATCHED)
    waiting = post(article=article, author=regular, body="A tariff is a tax on us.")

    with django_capture_on_commit_callbacks(execute=True):
        services.moderator_decide(
            comment=waiting, moderator=make_moderator(), action="spam"
        )

    (warning,) = _warnings()
    assert "3 of your comments have been removed" in warning.body


def test_counting_is_one_query_per_comment_moderated(
    remove, regular, django_assert_num_queries
):
    remove(3)

    with django_assert_num_queries(1):
        assert repeat.removals(author_id=regular.pk) == 3


def test_the_policy_page_states_the_rule(client):
    page = html.unescape(client.get("/moderation-policy/").content.decode())

    assert "3 or more of the author's comments were rejected" in page
