"""Reconcile runs that queued up while no worker took them re-send each job once.

Beat keeps sending the reconciler while the worker is down; when a worker
comes back it runs every one of those runs, and each used to re-enqueue every
pending comment (128 comments became some 24,900 tasks).
"""

import json
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db.models import F

from comments.models import Comment
from comments.tasks import RESENDING, notify_comment_approved, resend_unsent_notices
from config.celery import app
from moderation.tasks import RECONCILING, moderate_comment, reconcile_pending
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

COMMENTS = 12
RUNS = 10


@pytest.fixture
def no_worker_taking(celery_worker):
    """No worker takes tasks meanwhile, as in an outage; the queue starts empty."""
    with celery_worker.paused():
        app.control.purge()
        yield
        app.control.purge()


def queued(task_name: str) -> list[dict]:
    """The headers of the messages for `task_name` waiting in the queue."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        raw = client.lrange(app.conf.task_default_queue, 0, -1)
    headers = (json.loads(message)["headers"] for message in raw)
    return [h for h in headers if h["task"] == task_name]


def left_an_hour_ago(status: str, **fields) -> list[Comment]:
    article, author = ArticleFactory(), UserFactory()
    comments = [
        add_comment(article, author, status=status, body=f"Held up {n}")
        for n in range(COMMENTS)
    ]
    pks = [c.pk for c in comments]
    Comment.objects.filter(pk__in=pks).update(
        created_at=F("created_at") - timedelta(hours=1), **fields
    )
    return comments


def test_queued_up_reconcile_runs_enqueue_each_pending_comment_once(
    no_worker_taking,
):
    left_an_hour_ago("pending")

    sent = [reconcile_pending() for _ in range(RUNS)]

    assert sent == [COMMENTS] + [0] * (RUNS - 1)
    messages = queued(moderate_comment.name)
    assert len(messages) == COMMENTS
    assert all(m["expires"] for m in messages)  # a lost one is sent again


def test_a_pending_comment_is_enqueued_again_once_its_message_has_expired(
    no_worker_taking, settings
):
    settings.MODERATION_RECONCILE_AFTER = timedelta(seconds=1)
    left_an_hour_ago("pending")

    assert reconcile_pending() == COMMENTS
    assert reconcile_pending() == 0
    time.sleep(1.2)
    assert reconcile_pending() == COMMENTS


def test_a_reconcile_run_stands_down_while_another_is_under_way(no_worker_taking):
    left_an_hour_ago("pending")
    cache.add(RECONCILING, 1, 60)

    assert reconcile_pending() == 0
    assert queued(moderate_comment.name) == []


def test_queued_up_resend_runs_enqueue_each_unsent_notice_once(no_worker_taking):
    left_an_hour_ago("approved", notified_at=None)

    sent = [resend_unsent_notices() for _ in range(RUNS)]

    assert sent == [COMMENTS] + [0] * (RUNS - 1)
    assert len(queued(notify_comment_approved.name)) == COMMENTS


def test_a_resend_run_stands_down_while_another_is_under_way(no_worker_taking):
    left_an_hour_ago("approved", notified_at=None)
    cache.add(RESENDING, 1, 60)

    assert resend_unsent_notices() == 0
    assert queued(notify_comment_approved.name) == []
