"""The author is told by e-mail of a rejection, a long hold and an appeal's
outcome: once each, and never when they asked not to be or are shadow-banned."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from comments.models import Comment
from moderation import appeals, bans
from moderation.models import Term
from moderation.tasks import notify_long_holds, send_decision_notice
from tests.factories import UserFactory, make_moderator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]


@pytest.fixture(autouse=True)
def _banned_term(db):
    Term.objects.create(phrase="dimwit", kind=Term.Kind.BANNED)


def test_a_rejected_author_is_told_why_once(post, article, regular):
    comment = post(article=article, author=regular, body="Only a dimwit says so")

    (message,) = mail.outbox
    assert message.to == [regular.email]
    assert "was not published" in message.subject
    assert "Contains the banned term(s) “dimwit”." in message.body
    assert f"/comments/{comment.pk}/appeal/" in message.body
    send_decision_notice.delay(comment.pk, "decision")  # a redelivered task
    assert len(mail.outbox) == 1


def test_no_mail_for_a_reader_who_turned_them_off_or_a_shadow_banned_one(
    post, article, regular
):
    regular.decision_emails = False
    regular.save()
    post(article=article, author=regular, body="Only a dimwit says so")
    regular.decision_emails = True
    regular.save()
    bans.user_ban(
        user=regular,
        moderator=make_moderator(),
        reason="Troll",
        until=timezone.now() + timedelta(days=3),
        shadow=True,
    )
    regular.refresh_from_db()
    post(article=article, author=regular, body="Another remark entirely here")

    assert mail.outbox == []


def test_an_author_hears_of_a_hold_only_once_it_lasts(post, article, settings):
    settings.MODERATION_HOLD_NOTICE_MINUTES = 60
    newcomer = UserFactory()
    held = post(article=article, author=newcomer, body="My very first comment here")
    assert held.status == Comment.Status.HELD
    assert mail.outbox == []

    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert notify_long_holds.delay().get() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert notify_long_holds.delay().get() == 1
        assert notify_long_holds.delay().get() == 0

    (message,) = mail.outbox
    assert message.to == [newcomer.email]
    assert "still waiting" in message.subject


def test_the_author_hears_the_outcome_of_their_appeal(
    post, article, regular, django_capture_on_commit_callbacks
):
    comment = post(article=article, author=regular, body="Only a dimwit says so")
    appeal = appeals.appeal_file(comment=comment, user=regular, note="A quote.")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appeals.appeal_decide(
            appeal=appeal,
            moderator=make_moderator(),
            outcome="reverse",
            reason="It quotes to object.",
        )

    (message,) = mail.outbox
    assert "appeal" in message.subject
    assert "reversed and your comment is published" in message.body
    assert "It quotes to object." in message.body
