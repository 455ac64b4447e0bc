"""Posting answers at once; a separate worker decides and sends the reply e-mail."""

import pytest
from django.db import transaction

from comments.models import Comment
from comments.services import comment_post
from comments.tasks import notify_comment_approved
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def mails_to(mail_dir, address: str) -> list[str]:
    texts = [p.read_text() for p in sorted(mail_dir.glob("*.log"))]
    return [t for t in texts if f"To: {address}" in t]


def decided(pk: int):
    return Comment.objects.exclude(status="pending").filter(pk=pk).first()


def test_the_worker_approves_a_reply_and_mails_the_parent_author_once(
    celery_worker, worker_mail_dir, settings
):
    settings.COMMENT_THROTTLE_RATE = "1000/minute"
    article = ArticleFactory()
    rosa = UserFactory(username="rosa", email="rosa@example.org")
    sam = UserFactory(username="sam", email="sam@example.org")
    for regular in (rosa, sam):  # past their first, vetted comment
        add_comment(ArticleFactory(), regular)

    top = comment_post(article=article, author=rosa, body="Sanctions rarely work.")
    assert Comment.objects.get(pk=top.pk).status == "pending"  # posting never waits
    assert wait_for(lambda: decided(top.pk)).status == "approved"

    with transaction.atomic():
        reply = comment_post(
            article=article, author=sam, body="They did in 1986.", parent_id=top.pk
        )
    assert wait_for(lambda: decided(reply.pk)).status == "approved"
    wait_for(lambda: Comment.objects.filter(pk=reply.pk, notified_at__isnull=False))
    wait_for(lambda: mails_to(worker_mail_dir, "rosa@example.org"))

    notify_comment_approved.delay(reply.pk)  # a redelivered message
    marker = comment_post(article=article, author=sam, body="Marker")
    wait_for(lambda: decided(marker.pk))
    messages = mails_to(worker_mail_dir, "rosa@example.org")
    assert len(messages) == 1
    assert "They did in 1986." in messages[0]
    article.refresh_from_db()
    assert article.comment_count == 3
