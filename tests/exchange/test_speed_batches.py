"""Threads are written a batch at a time; each is still all or nothing, and
the batch's spam verdicts are learned with its comments or not at all."""

import pytest
from django.core.management.base import CommandError
from django.db import DatabaseError

from articles.models import Article
from comments.models import Comment
from exchange import runner
from exchange.models import ImportedComment
from moderation.classifiers import spam
from moderation.models import SpamToken

from .builders import C, Post, wxr

pytestmark = pytest.mark.django_db

VERDICT = (
    "<wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key>"
    "<wp:meta_value>false</wp:meta_value></wp:commentmeta>"
)


def _file(*bodies: str) -> str:
    posts = [
        Post(n, f"story-{n}", comments=[C(n * 10 + 1, body=body)])
        for n, body in enumerate(bodies, 1)
    ]
    text = wxr(*posts)
    return text.replace("</wp:comment_user_id>", "</wp:comment_user_id>" + VERDICT)


def _articles(count: int, author) -> None:
    for n in range(1, count + 1):
        Article.objects.create(
            title=f"Story {n}", slug=f"story-{n}", standfirst="S.", body="B.",
            author=author,
        )  # fmt: skip


def test_a_thread_that_fails_in_a_batch_leaves_the_others_written_and_taught(
    run, superuser
):
    _articles(3, superuser)
    with pytest.raises(CommandError):
        run("import_wordpress", _file("Alpha words", "   ", "Gamma words"))

    assert sorted(Comment.objects.values_list("body", flat=True)) == [
        "Alpha words",
        "Gamma words",
    ]
    taught = {t.token: (t.spam, t.ham) for t in SpamToken.objects.all()}
    assert taught["alpha"] == taught["gamma"] == (0, 1)
    assert taught[spam.DOCS] == (0, 2)


def test_threads_beyond_one_batch_are_all_written_and_taught(
    run, superuser, monkeypatch
):
    monkeypatch.setattr(runner, "BATCH_DISCUSSIONS", 2)
    _articles(5, superuser)
    run("import_wordpress", _file(*(f"Words {n}" for n in range(5))))

    assert Comment.objects.count() == ImportedComment.objects.count() == 5
    assert SpamToken.objects.get(token=spam.DOCS).ham == 5
    assert [a.comment_count for a in Article.objects.order_by("slug")] == [1] * 5


def test_a_batch_whose_learning_fails_writes_none_of_its_threads(
    run, superuser, monkeypatch
):
    def broken(examples):
        raise DatabaseError("could not learn\nDETAIL: more")

    monkeypatch.setattr(spam, "learn_many", broken)
    _articles(2, superuser)
    # Both threads are reported, though each was written before the batch failed.
    with pytest.raises(CommandError, match="2 of the file's discussions"):
        run("import_wordpress", _file("Alpha words", "Beta words"))

    assert not Comment.objects.exists()
    assert not ImportedComment.objects.exists()
    assert not SpamToken.objects.exists()
    assert set(Article.objects.values_list("comment_count", flat=True)) == {0}


def test_a_thread_the_database_refuses_fails_alone_and_the_batch_goes_in(
    run, superuser
):
    _articles(3, superuser)
    # Valid to the address check, too long for the column (254 characters).
    address = "a" * 100 + "@" + ".".join(["b" * 50] * 3) + ".org"
    posts = [
        Post(n, f"story-{n}", comments=[C(n * 10 + 1, body=f"Words {n}")])
        for n in (1, 2, 3)
    ]
    posts[1].comments[0].email = address
    with pytest.raises(CommandError, match="1 of the file's discussions"):
        run("import_wordpress", wxr(*posts))
    assert sorted(Comment.objects.values_list("body", flat=True)) == [
        "Words 1",
        "Words 3",
    ]
    assert [a.comment_count for a in Article.objects.order_by("slug")] == [1, 0, 1]


def test_two_posts_under_one_article_in_a_batch_see_each_other(run, superuser):
    _articles(1, superuser)
    text = wxr(
        Post(1, "story-1", comments=[C(11, body="First")]),
        Post(2, "story-1", comments=[C(12, parent=11, body="Reply"), C(11)]),
    )
    out, _ = run("import_wordpress", text)

    assert "imported 2, skipped 1" in out
    first = ImportedComment.objects.get(source_id="11").comment
    reply = ImportedComment.objects.get(source_id="12").comment
    assert (reply.parent_id, reply.root_id, reply.depth) == (first.pk, first.pk, 1)
    first.refresh_from_db()
    assert first.reply_count == 1
    assert Article.objects.get().comment_count == 2
