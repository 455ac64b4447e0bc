"""The jobs beat runs: reconcile, purge, digest, close."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from articles.models import Article
from articles.tasks import close_old_discussions
from comments.models import Comment
from comments.services import comment_post
from comments.tasks import resend_unsent_notices
from moderation import tasks
from moderation.models import AuditEntry
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_reconciler_decides_comments_left_pending(article, regular, settings):
    settings.MODERATION_RECONCILE_AFTER = timedelta(minutes=2)
    # Saved, but the hand-over after commit never happened (a broker outage).
    stuck = comment_post(article=article, author=regular, body="Lost in transit")
    fresh = comment_post(article=article, author=regular, body="Just posted")

    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        fresh2 = comment_post(article=article, author=regular, body="Posted later")
        count = tasks.reconcile_pending.apply().get()

    assert count == 2
    assert Comment.objects.get(pk=stuck.pk).status == "approved"
    assert Comment.objects.get(pk=fresh.pk).status == "approved"
    assert Comment.objects.get(pk=fresh2.pk).status == "pending"


def test_spam_and_rejected_text_is_purged_after_30_days_but_the_audit_stays(
    article, regular
):
    spam = add_comment(article, regular, status="spam", body="Buy pills")
    kept = add_comment(article, regular, status="approved", body="Good point")
    AuditEntry.objects.create(
        comment=spam,
        comment_ref=spam.pk,
        actor_name="machine",
        action="spam",
        reasons=["Spam score 0.99"],
    )

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        purged = tasks.purge_old_comments.apply().get()

    spam.refresh_from_db()
    kept.refresh_from_db()
    assert purged == 1
    assert spam.body == ""
    assert spam.body_html == ""
    assert kept.body == "Good point"
    assert AuditEntry.objects.filter(comment=spam).count() == 1


def test_the_digest_tells_moderators_the_queue_size_and_oldest_item(article, regular):
    UserFactory(email="mod@example.org", groups=[Group.objects.get(name="Moderators")])
    UserFactory(email="reader@example.org")
    add_comment(article, regular, status="held")
    add_comment(article, regular, status="held")

    sent = tasks.send_moderator_digest.apply().get()

    assert sent == 1
    assert mail.outbox[0].to == ["mod@example.org"]
    assert "2 comment(s) wait for a moderator" in mail.outbox[0].body
    assert article.title in mail.outbox[0].body


def test_no_digest_when_the_queue_is_empty(article):
    UserFactory(email="mod@example.org", groups=[Group.objects.get(name="Moderators")])

    assert tasks.send_moderator_digest.apply().get() == 0
    assert mail.outbox == []


def test_discussions_past_their_close_date_are_closed():
    old = ArticleFactory(
        published_at=timezone.now() - timedelta(days=10), comments_close_after_days=7
    )
    young = ArticleFactory(
        published_at=timezone.now() - timedelta(days=2), comments_close_after_days=7
    )
    forever = ArticleFactory(comments_close_after_days=None)

    assert close_old_discussions.apply().get() == 1

    policies = dict(Article.objects.values_list("pk", "discussion_policy"))
    assert policies == {old.pk: "closed", young.pk: "open", forever.pk: "open"}


def test_unsent_reply_notices_are_sent_again(article, regular, reader):
    parent = add_comment(article, reader, body="Parent")
    reply = add_comment(article, regular, parent=parent, body="Reply")
    Comment.objects.filter(pk=reply.pk).update(notified_at=None)  # never told
    old = add_comment(article, regular, body="Long ago")  # stale news by now
    Comment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=9)
    )

    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        resend_unsent_notices.apply()

    assert [m.to for m in mail.outbox] == [[reader.email]]
    reply.refresh_from_db()
    assert reply.notified_at is not None


def test_imported_comments_are_never_announced(article, regular):
    from comments.services import comment_import

    imported = comment_import(article=article, author=regular, body="From the archive")

    assert imported.notified_at is not None
