"""Posting does little in the request: the posting transaction's queries are
counted, and moderation waits for the worker."""

from unittest import mock

import pytest

from comments.models import Comment
from comments.services import comment_post
from tests.comments.helpers import add_comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("keyed", [False, True])
def test_a_reply_is_posted_in_at_most_six_queries(
    article, reader, other_reader, django_assert_max_num_queries, keyed
):
    parent = add_comment(article, other_reader)

    # The key's lookup; then the parent locked, the author's repeats read with
    # the new comment's id, and one insert that already holds its place in the
    # thread, with the transaction's own two statements.
    with django_assert_max_num_queries(6):
        comment = comment_post(
            article=article,
            author=reader,
            body="A reply with a few words in it.",
            parent_id=parent.pk,
            idempotency_key="device-1" if keyed else None,
        )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.path == parent.path + f"{comment.pk:010d}"


def test_a_repeated_key_answers_the_first_comment_in_one_query(
    article, reader, django_assert_max_num_queries
):
    first = comment_post(
        article=article, author=reader, body="Only once, please.", idempotency_key="k"
    )

    with django_assert_max_num_queries(1):
        again = comment_post(
            article=article, author=reader, body="Only once, please.",
            idempotency_key="k",
        )  # fmt: skip

    assert again.pk == first.pk
    assert Comment.objects.filter(author=reader).count() == 1


def test_a_key_that_loses_a_race_answers_the_comment_that_won(article, reader):
    first = comment_post(
        article=article, author=reader, body="The first words.", idempotency_key="k"
    )
    # The racing request looked before the first one saved: it finds no key.
    real = Comment.objects.filter

    def blind(*args, **kwargs):
        if "idempotency_key" in kwargs and not blind.looked:
            blind.looked = True
            return Comment.objects.none()
        return real(*args, **kwargs)

    blind.looked = False
    with mock.patch.object(Comment.objects, "filter", side_effect=blind):
        again = comment_post(
            article=article, author=reader, body="Other words, same key.",
            idempotency_key="k",
        )  # fmt: skip

    assert blind.looked  # the race really was run
    assert again.pk == first.pk
    assert Comment.objects.filter(author=reader).count() == 1
