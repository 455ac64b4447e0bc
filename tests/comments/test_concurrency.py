"""Readers replying at the same moment lose nothing and leave the counters right."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Count, F, Q

from articles.models import Article
from comments.models import Comment
from comments.services import comment_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8
REPLIES_EACH = 5


def test_eight_threads_replying_at_once_lose_nothing(article, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; this race needs PostgreSQL")
    settings.COMMENT_THROTTLE_RATE = "1000/minute"
    root = comment_post(article=article, author=UserFactory(), body="Start")
    authors = UserFactory.create_batch(THREADS)
    start, errors = threading.Barrier(THREADS), []

    def reply_burst(author):
        try:
            start.wait()
            parent = root
            for i in range(REPLIES_EACH):
                # Alternate between the shared root and one's own last reply.
                target = root if i % 2 == 0 else parent
                parent = comment_post(
                    article=article,
                    author=author,
                    body=f"{author.username} {i}",
                    parent_id=target.pk,
                )
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=reply_burst, args=(a,)) for a in authors]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert errors == []
    assert Comment.objects.count() == 1 + THREADS * REPLIES_EACH
    assert (
        Comment.objects.filter(status="approved").count() == 1 + THREADS * REPLIES_EACH
    )
    article.refresh_from_db()
    assert (
        article.comment_count
        == Comment.objects.filter(
            article=article, status="approved", deleted_at__isnull=True
        ).count()
    )
    mismatched = Comment.objects.annotate(
        real=Count(
            "replies",
            filter=Q(replies__status="approved", replies__deleted_at__isnull=True),
        )
    ).exclude(reply_count=F("real"))
    assert list(mismatched.values_list("pk", "reply_count", "real")) == []
    paths = list(Comment.objects.values_list("path", flat=True))
    assert len(paths) == len(set(paths))
    assert (
        Article.objects.get(pk=article.pk).comment_count == 1 + THREADS * REPLIES_EACH
    )
