"""Moderation decides each comment exactly once, whatever the worker and broker do."""

import base64
import json
import logging
import os
import socket
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import F
from kombu import pools
from kombu.exceptions import ChannelError
from kombu.utils.collections import eqhash
from psycopg import sql

from articles.models import Article
from comments.models import Comment
from comments.services import comment_post
from config.celery import app
from health.models import WorkerHeartbeat
from health.tasks import heartbeat
from moderation.models import AuditEntry, Verdict
from moderation.tasks import moderate_comment, reconcile_pending
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory
from tests.integration.conftest import wait_for, worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MODERATE = moderate_comment.name
# Redis gives an unacknowledged task back after this long (seconds).
VISIBILITY_TIMEOUT = 5


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    """Readers here post faster than the site lets a person post."""
    settings.COMMENT_THROTTLE_RATE = "1000/minute"


def discussion(*, authors: int = 2) -> tuple[Article, Comment, list]:
    """An article, a comment whose author wants reply e-mails, and regular readers."""
    article = ArticleFactory()
    host = UserFactory(reply_emails=True)
    parent = add_comment(article, host, body="Export controls will not hold.")
    readers = UserFactory.create_batch(authors)
    elsewhere = ArticleFactory()
    for reader in readers:  # past their first, vetted comment
        add_comment(elsewhere, reader)
    return article, parent, readers


def reply_to(parent: Comment, readers: list, numbers) -> list[Comment]:
    return [
        comment_post(
            article=parent.article,
            author=readers[n % len(readers)],
            body=f"Reply {n:02d}: the licences lapse in spring anyway.",
            parent_id=parent.pk,
        )
        for n in numbers
    ]


def decided(comments: list[Comment]) -> int:
    pks = [c.pk for c in comments]
    return Comment.objects.filter(pk__in=pks).exclude(status="pending").count()


def all_notified(comments: list[Comment]) -> bool:
    pks = [c.pk for c in comments]
    return not Comment.objects.filter(pk__in=pks, notified_at__isnull=True).exists()


def mails(mail_dir) -> list[str]:
    """Every message the worker sent: a file per connection, 79 dashes between."""
    texts = (p.read_text() for p in sorted(mail_dir.glob("*.log")))
    return [m for t in texts for m in t.split("-" * 79 + "\n") if m.strip()]


def round_trip(hostname: str) -> None:
    """Send a task and wait for it: a solo worker has run everything sent before."""
    heartbeat.delay(hostname=hostname)
    wait_for(lambda: WorkerHeartbeat.objects.filter(hostname=hostname).exists())


def unacknowledged() -> list[tuple[str, list, float]]:
    """Deliveries the broker holds for a worker: (task, args, delivered at)."""
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        held = []
        for tag, raw in client.hgetall(channel.unacked_key).items():
            message, _exchange, _routing_key = json.loads(raw)
            args = json.loads(base64.b64decode(message["body"]))[0]
            delivered = client.zscore(channel.unacked_index_key, tag) or 0.0
            held.append((message["headers"]["task"], args, delivered))
        return held


def queued() -> int:
    """Tasks waiting in the queue (Redis drops an empty queue's key)."""
    with app.connection_for_write() as conn:
        queue = app.conf.task_default_queue
        try:
            return conn.default_channel.queue_declare(queue, passive=True).message_count
        except ChannelError:
            return 0


@contextmanager
def row_locked(instance):
    """Hold a row lock from another connection: writers of the row wait for it."""
    table = sql.Identifier(instance._meta.db_table)
    query = sql.SQL("SELECT 1 FROM {} WHERE id = %s FOR NO KEY UPDATE").format(table)
    with psycopg.connect(worker_database_url()) as conn:
        conn.execute(query, [instance.pk])
        try:
            yield conn.info.backend_pid
        finally:
            conn.rollback()


def waiting_on(pid: int) -> list[int]:
    """The database sessions that wait for a lock held by session `pid`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [pid],
        )
        return [row[0] for row in cursor.fetchall()]


def assert_decided_once(comments: list[Comment], status: str = "approved") -> None:
    pks = {c.pk for c in comments}
    verdicts = Counter(
        Verdict.objects.filter(comment_id__in=pks).values_list("comment_id", flat=True)
    )
    assert verdicts == Counter(pks)
    machine = AuditEntry.objects.filter(comment_id__in=pks, actor_name="machine")
    assert Counter(machine.values_list("comment_id", flat=True)) == Counter(pks)
    assert set(machine.values_list("before", "after")) == {("pending", status)}
    statuses = Comment.objects.filter(pk__in=pks).values_list("status", flat=True)
    assert set(statuses) == {status}


def assert_counters_match(article: Article, parent: Comment) -> None:
    approved = Comment.objects.filter(status="approved", deleted_at__isnull=True)
    article.refresh_from_db()
    parent.refresh_from_db()
    assert article.comment_count == approved.filter(article=article).count()
    assert parent.reply_count == approved.filter(parent=parent).count()


def test_a_worker_killed_mid_batch_still_leaves_each_comment_decided_once(
    celery_worker, spawn_worker, tmp_path
):
    """A SIGKILLed worker's task comes back; each comment is decided and mailed once."""
    article, parent, readers = discussion()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    short = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    with celery_worker.paused():
        app.control.purge()
        doomed = spawn_worker(mail_dir=mail_dir, **short)
        assert doomed.stats()["pid"] == doomed.process.pid  # it runs the tasks itself

        early = reply_to(parent, readers, range(5))
        wait_for(lambda: decided(early) == len(early))
        # The next approval waits on the article's counter row: kill it right there.
        with row_locked(article) as holder:
            late = reply_to(parent, readers, range(5, 30))
            wait_for(lambda: waiting_on(holder))
            doomed.kill()

        replies = early + late
        assert decided(replies) < len(replies)
        in_flight = [(task, args) for task, args, _ in unacknowledged()]
        assert (MODERATE, [late[0].pk, late[0].revision]) in in_flight
        assert Comment.objects.get(pk=late[0].pk).status == "pending"
        # A worker starting up gives back deliveries older than the timeout.
        wait_for(
            lambda: all(
                time.time() - delivered > VISIBILITY_TIMEOUT + 0.5
                for *_, delivered in unacknowledged()
            ),
            timeout=VISIBILITY_TIMEOUT + 5,
        )
        spawn_worker(mail_dir=mail_dir, **short)
        wait_for(lambda: decided(replies) == len(replies), timeout=40)
        wait_for(lambda: all_notified(replies))
        wait_for(lambda: not unacknowledged() and not queued())
        round_trip("after-the-kill")

    assert_decided_once(replies)
    assert_counters_match(article, parent)
    sent = mails(mail_dir)
    assert len(sent) == len(replies)
    assert all(f"To: {parent.author.email}" in m for m in sent)
    assert all(sum(c.body in m for m in sent) == 1 for c in replies)


@contextmanager
def broker_at(url: str):
    """Publish from this process to `url`; the worker keeps its own broker."""
    variable = "CELERY_BROKER_WRITE_URL"  # Celery reads it before app.conf
    before = os.environ.get(variable)
    os.environ[variable] = url
    app._pool = app.amqp._producer_pool = None  # looked up again by URL on use
    try:
        yield
    finally:
        dead = eqhash(app.connection_for_write())
        for group in (pools.producers, pools.connections):
            if (pool := group.pop(dead, None)) is not None:
                pool.force_close_all()
        if before is None:
            del os.environ[variable]
        else:
            os.environ[variable] = before
        app._pool = app.amqp._producer_pool = None


@contextmanager
def dead_broker(kind: str):
    """A broker address that refuses connections, or accepts them and never answers."""
    if kind == "refusing":
        yield "redis://127.0.0.1:1/0"
        return
    with socket.create_server(("127.0.0.1", 0), backlog=16) as silent:
        yield f"redis://127.0.0.1:{silent.getsockname()[1]}/0"


@pytest.mark.parametrize("kind", ["refusing", "silent"])
def test_posts_succeed_while_the_broker_is_down_and_the_reconciler_decides_them(
    celery_worker, caplog, kind
):
    """With the broker down a post returns, pending; the reconciler decides it later."""
    article, parent, readers = discussion()
    posted, took = [], []
    caplog.set_level(logging.ERROR, logger="core.tasks")
    with dead_broker(kind) as url, broker_at(url):
        for n in range(3):
            started = time.monotonic()
            posted.append(
                comment_post(
                    article=article,
                    author=readers[n % 2],
                    body=f"Point {n}: tariffs move the costs, not the jobs.",
                )
            )
            took.append(time.monotonic() - started)
    assert max(took) < 10, took
    # Each comment left pending is named in the log: (task name, its arguments).
    left = [
        r.args[1][0]
        for r in caplog.records
        if r.name == "core.tasks" and r.args[0] == MODERATE
    ]
    assert left == [c.pk for c in posted]

    round_trip(f"broker-back-{kind}")  # nothing was queued for them meanwhile
    assert decided(posted) == 0
    runs = celery_worker.runs_of(MODERATE)
    # As if the outage had lasted past the reconciler's patience.
    pks = [c.pk for c in posted]
    Comment.objects.filter(pk__in=pks).update(
        created_at=F("created_at") - timedelta(hours=1)
    )
    reconcile_pending.delay()
    wait_for(lambda: decided(posted) == len(posted))
    wait_for(lambda: all_notified(posted))
    round_trip(f"reconciled-{kind}")

    assert celery_worker.runs_of(MODERATE) == runs + len(posted)
    assert_decided_once(posted)
    assert_counters_match(article, parent)


def test_running_the_moderation_task_again_changes_nothing(
    celery_worker, worker_mail_dir
):
    """More deliveries of the task, before and after the decision, change nothing."""
    article, parent, readers = discussion(authors=1)
    runs = celery_worker.runs_of(MODERATE)
    with transaction.atomic():
        (reply,) = reply_to(parent, readers, [99])
        # The same message delivered twice, back to back, while still pending.
        pk, revision = reply.pk, reply.revision
        transaction.on_commit(lambda: moderate_comment.delay(pk, revision))
    wait_for(lambda: decided([reply]) and all_notified([reply]))

    def state():
        comment = Comment.objects.get(pk=reply.pk)
        return (
            comment.status,
            comment.shadowed,
            comment.notified_at,
            list(Verdict.objects.filter(comment=comment).values_list("pk", "action")),
            list(comment.audit.values_list("pk", "after")),
        )

    first = state()
    moderate_comment.delay(reply.pk, reply.revision)  # redelivered after deciding
    moderate_comment.delay(reply.pk)  # and without a revision
    round_trip("after-the-repeats")

    assert celery_worker.runs_of(MODERATE) == runs + 4
    assert state() == first
    assert_decided_once([reply])
    assert_counters_match(article, parent)
    assert len([m for m in mails(worker_mail_dir) if reply.body in m]) == 1


def test_a_rolled_back_post_enqueues_no_moderation(celery_worker):
    """A post rolled back leaves no comment, and the worker gets no task for it."""
    article, _parent, readers = discussion(authors=1)
    runs = celery_worker.runs_of(MODERATE)

    posted = []

    class Abort(Exception):
        pass

    def post_then_fail():
        with transaction.atomic():
            posted.append(comment_post(article=article, author=readers[0], body="Gone"))
            raise Abort

    with pytest.raises(Abort):
        post_then_fail()

    assert not Comment.objects.filter(pk=posted[0].pk).exists()
    round_trip("after-the-rollback")
    assert celery_worker.runs_of(MODERATE) == runs
