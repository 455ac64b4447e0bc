from datetime import UTC, datetime

import pytest
from django.core.management.base import CommandError

from articles.models import Article
from comments.models import Comment
from exchange.models import ImportedComment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def imported(source_id: str, source: str = "disqus:news") -> Comment:
    return ImportedComment.objects.get(source=source, source_id=source_id).comment


def post(
    ident,
    thread="1",
    parent=None,
    *,
    spam=False,
    deleted=False,
    anonymous=True,
    name="Guest",
    email="g@example.org",
    message="<p>Hi.</p>",
    when="2021-03-04T05:06:07Z",
):
    up = f'<parent dsq:id="{parent}"/>' if parent else ""
    return f"""
  <post dsq:id="{ident}">
    <message><![CDATA[{message}]]></message>
    <createdAt>{when}</createdAt>
    <isDeleted>{str(deleted).lower()}</isDeleted>
    <isSpam>{str(spam).lower()}</isSpam>
    <author><name>{name}</name><email>{email}</email>
      <isAnonymous>{str(anonymous).lower()}</isAnonymous></author>
    <thread dsq:id="{thread}"/>{up}
  </post>"""


def disqus(*posts: str, link: str = "https://news.example/articles/story/") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><id>story-1</id><forum>news</forum><link>{link}</link>
    <title>Story</title><createdAt>2021-03-01T00:00:00Z</createdAt></thread>
  {"".join(posts)}
</disqus>"""


def test_the_sample_keeps_threads_deleted_nodes_and_names_the_stray_post(
    run, shared_data, superuser
):
    data = (shared_data / "disqus-sample.xml").read_bytes()
    with pytest.raises(CommandError, match="1 of the file's discussions"):
        run("import_disqus", data, "--create-articles")
    source = "disqus:disqusdev"
    assert set(Article.objects.values_list("slug", flat=True)) == {
        "some-id",
        "redacted",
    }
    hello, reply = imported("4", source), imported("5", source)
    assert (hello.parent_id, reply.parent_id, reply.depth) == (None, hello.pk, 1)
    assert reply.created_at == datetime(2013, 10, 11, 6, 51, 33, tzinfo=UTC)
    gone, answer = imported("9", source), imported("11", source)
    assert gone.is_deleted
    assert gone.body == ""
    assert answer.parent_id == gone.pk
    assert imported("8", source).article.slug == "redacted"
    assert not ImportedComment.objects.filter(source_id="6").exists()
    assert Article.objects.get(slug="some-id").comment_count == 3
    with pytest.raises(CommandError):
        run("import_disqus", data, "--create-articles")
    assert ImportedComment.objects.count() == 5


def test_orphans_spam_deleted_and_anonymous_authors(run):
    UserFactory(email="known@example.org")
    article = ArticleFactory(slug="story")
    text = disqus(
        post("1", name="Ana"),
        post("2", parent="1", spam=True),
        post("3", parent="404"),
        post("4", parent="3", deleted=True, message=""),
        post("5", parent="4", anonymous=False, email="known@example.org"),
        post("6", anonymous=True, email="known@example.org", name="Pretender"),
    )
    out, _ = run("import_disqus", text)
    assert out.strip() == (
        "imported 6, skipped 0 (already there), held 0, spam 1, orphans 1"
    )
    assert imported("2").status == "spam"
    assert imported("3").parent_id is None
    assert imported("4").is_deleted
    assert imported("5").parent_id == imported("4").pk
    assert imported("5").author.email == "known@example.org"
    # An anonymous post under a member's address stays a guest's.
    assert imported("6").author is None
    assert imported("6").guest_name == "Pretender"
    article.refresh_from_db()
    assert article.comment_count == 4
    out, _ = run("import_disqus", text)
    assert out.strip().startswith("imported 0, skipped 6 (already there)")
