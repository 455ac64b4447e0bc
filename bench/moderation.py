"""Moderation: decisions per second, in-process and by one real worker on Redis,
and the time from a reader's post to the worker's decision."""

import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = 300
LATENCY_POSTS = 30
BODIES = [
    "The export rules leak because compute is rentable abroad; the article is right.",
    "I disagree: the threshold approach is crude but allies can at least enforce it.",
    "Packaging capacity is the real bottleneck and nobody funds it. Idiotic policy.",
    "See https://example.org/report for the figures on lithography lead times.",
    "A public machine keeps some independence from the three big cloud firms.",
]


def run() -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    print("\nModeration (classifiers included)")  # noqa: T201
    with override_settings(COMMENT_THROTTLE_RATE="1000000/minute"):
        article, authors = _setup()
        _in_process(article, authors)
        if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
            note = "(a real worker needs CELERY_BROKER_URL and PostgreSQL)"
            print(f"  {note}")  # noqa: T201
            return
        with _worker():
            _worker_throughput(article, authors)
            _post_to_decision(article, authors)


def _setup():
    from comments.services import comment_import
    from tests.factories import ArticleFactory, UserFactory

    article = ArticleFactory(slug=f"moderation-bench-{uuid.uuid4().hex[:6]}")
    authors = UserFactory.create_batch(20)
    for author in authors:  # past the first-comment hold, like regulars
        comment_import(article=ArticleFactory(), author=author, body="Earlier.")
    return article, authors


def _pending_batch(article, authors, n: int) -> list[tuple[int, int]]:
    from comments.models import Comment
    from comments.services import comment_import

    made = [
        comment_import(
            article=article,
            author=authors[i % len(authors)],
            body=f"{BODIES[i % len(BODIES)]} ({uuid.uuid4().hex[:8]})",
            status=Comment.Status.PENDING,
        )
        for i in range(n)
    ]
    return [(c.pk, c.revision) for c in made]


def _in_process(article, authors) -> None:
    from moderation.services import comment_moderate

    batch = _pending_batch(article, authors, BATCH)
    comment_moderate(comment_id=batch[0][0], revision=batch[0][1])  # load the model
    start = time.perf_counter()
    for pk, revision in batch[1:]:
        comment_moderate(comment_id=pk, revision=revision)
    rate = (len(batch) - 1) / (time.perf_counter() - start)
    _figure("decided per second, in-process (no broker)", rate, "/s")


def _worker():
    from contextlib import contextmanager

    @contextmanager
    def started():
        from django.db import connection

        from config.celery import app

        db = connection.settings_dict
        env = {**os.environ, "LOG_LEVEL": "WARNING",
               "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:"
                               f"{db['PORT'] or 5432}/{db['NAME']}"}  # fmt: skip
        name = f"bench-{uuid.uuid4().hex[:6]}@localhost"
        app.control.purge()
        proc = subprocess.Popen(  # noqa: S603 - our own worker
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--hostname", name, "--without-gossip", "--without-mingle",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not app.control.ping(destination=[name], timeout=0.5):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("bench: the worker did not start")
            yield
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    return started()


def _wait_until_decided(ids: list[int], timeout: float = 300) -> None:
    from comments.models import Comment

    deadline = time.monotonic() + timeout
    while Comment.objects.filter(pk__in=ids, status="pending").exists():
        if time.monotonic() > deadline:
            raise SystemExit("bench: the worker did not decide the batch in time")
        time.sleep(0.02)


def _worker_throughput(article, authors) -> None:
    from moderation.tasks import moderate_comment

    warm = _pending_batch(article, authors, 1)  # the worker loads its model
    moderate_comment.delay(*warm[0])
    _wait_until_decided([warm[0][0]])
    batch = _pending_batch(article, authors, BATCH)
    start = time.perf_counter()
    for pk, revision in batch:
        moderate_comment.delay(pk, revision)
    _wait_until_decided([pk for pk, _ in batch])
    rate = len(batch) / (time.perf_counter() - start)
    _figure(f"decided per second, one worker on Redis ({BATCH})", rate, "/s")


def _post_to_decision(article, authors) -> None:
    from comments.models import Comment
    from comments.services import comment_post

    times = []
    for i in range(LATENCY_POSTS):
        start = time.perf_counter()
        comment = comment_post(
            article=article,
            author=authors[i % len(authors)],
            body=f"{BODIES[i % len(BODIES)]} #{uuid.uuid4().hex}",
        )
        while Comment.objects.filter(pk=comment.pk, status="pending").exists():
            time.sleep(0.002)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(  # noqa: T201
        f"  {'post to decision, one worker on Redis':<44} "
        f"median {statistics.median(times):7.2f} ms  p95 {p95:7.2f} ms"
    )


def _figure(label: str, value: float, unit: str) -> None:
    print(f"  {label:<44} {value:7.1f} {unit}")  # noqa: T201
