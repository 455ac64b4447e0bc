"""Rows copied in bulk (in PostgreSQL's binary form where it has one) read back
as the ORM would have written them, defaults and all, and a value the column
cannot hold is refused as it would be."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from comments.models import Comment
from exchange.bulk import insert_rows, reserve_ids
from exchange.models import ImportedComment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ODD_TEXT = "tab\there, line\nbreak, back\\slash, \\N, quote \" ' , Zoë 日本 😀"


def _row(pk: int, article, **given) -> dict:
    return {
        "id": pk,
        "article_id": article.pk,
        "parent_id": None,
        "root_id": pk,
        "depth": 0,
        "path": f"{pk:010d}",
        "author_id": None,
        "guest_name": "Reader",
        "guest_email": "reader@example.org",
        "body": ODD_TEXT,
        "body_html": f"<p>{ODD_TEXT}</p>\n",
        "status": Comment.Status.HELD,
        "created_at": datetime(2021, 1, 1, 9, 0, 1, 500, tzinfo=UTC),
        "deleted_at": None,
        "notified_at": datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        "reply_count": 3,
        **given,
    }


def test_copied_rows_read_back_with_their_values_and_the_model_defaults():
    article = ArticleFactory()
    top, reply = reserve_ids(Comment, 2)
    insert_rows(
        Comment,
        [
            _row(top, article),
            _row(reply, article, parent_id=top, root_id=top, depth=1,
                 deleted_at=datetime(2022, 2, 2, tzinfo=UTC), body="", body_html=""),
        ],
    )  # fmt: skip
    insert_rows(ImportedComment, [{"source": "s", "source_id": "1", "comment_id": top}])

    first, second = Comment.objects.filter(pk__in=[top, reply]).order_by("pk")
    assert (first.body, first.body_html) == (ODD_TEXT, f"<p>{ODD_TEXT}</p>\n")
    assert first.created_at == datetime(2021, 1, 1, 9, 0, 1, 500, tzinfo=UTC)
    assert (first.reply_count, first.status, first.guest_name) == (3, "held", "Reader")
    # Columns left out get the model's defaults, as the ORM would give them.
    left_out = ["score", "revision", "shadowed", "decision", "edited_at",
                "idempotency_key", "ip_hash"]  # fmt: skip
    fresh = Comment()
    assert [getattr(first, f) for f in left_out] == [
        getattr(fresh, f) for f in left_out
    ]
    assert (second.parent_id, second.root_id, second.depth) == (top, top, 1)
    assert second.deleted_at == datetime(2022, 2, 2, tzinfo=UTC)
    record = ImportedComment.objects.get()
    assert (record.comment_id, record.imported_at is not None) == (top, True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps text of any length"
)
def test_a_value_too_long_for_its_column_is_refused():
    article = ArticleFactory()
    (pk,) = reserve_ids(Comment, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        insert_rows(Comment, [_row(pk, article, guest_name="x" * 61)])
    assert not Comment.objects.filter(pk=pk).exists()
