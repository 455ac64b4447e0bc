import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.services import comment_import
from exchange.models import ImportedComment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
WHEN = datetime(2022, 6, 1, 9, 30, 15, 123456, tzinfo=UTC)


def _site():
    """Two articles with every kind of comment the site holds."""
    writer = UserFactory(username="writer", display_name="Wri Ter")
    story = ArticleFactory(slug="story", title="The story")
    other = ArticleFactory(slug="other", title="Another")

    def add(article, body, parent=None, minutes=0, **kwargs):
        return comment_import(
            article=article,
            body=body,
            parent=parent,
            created_at=WHEN + timedelta(minutes=minutes),
            **kwargs,
        )

    top = add(
        story,
        "Top *level*, with `code` and a [link](https://x.example/).",
        author=writer,
    )
    chain = [top]
    for n in range(1, 9):
        chain.append(
            add(
                story,
                f"Depth {n} 😀",
                chain[-1],
                n,
                guest_name="Zoë",
                guest_email="zoe@example.org",
            )
        )
    add(story, "Spam here", minutes=20, status="spam", guest_name="Bot")
    add(story, "Rejected", minutes=21, status="rejected", guest_name="Troll")
    held = add(story, "Held for a person", top, 22, status="held", guest_name="Sam")
    gone = add(
        story,
        "To be deleted",
        minutes=23,
        guest_name="Sam",
        guest_email="sam2@example.org",
    )
    add(story, "Answer to a deleted one \\*not emphasis\\*", gone, 24, guest_name="Ana")
    Comment.objects.filter(pk=gone.pk).update(
        deleted_at=WHEN + timedelta(hours=1), body="", body_html=""
    )
    add(other, "Ελληνικά and 日本語", minutes=30, guest_name="Ναι")
    return story, held


def _snapshot():
    rows = {}
    for c in Comment.objects.select_related("article", "author"):
        rows[c.pk] = {
            "article": (c.article.slug, c.article.title),
            "parent": c.parent_id,
            "depth": c.depth,
            "body": c.body,
            "body_html": c.body_html,
            "created_at": c.created_at.replace(microsecond=0),
            "status": c.status,
            "author": c.author_id,
            "name": c.author_name,
            "email": c.guest_email,
            "deleted": c.deleted_at is not None,
        }
    return rows


def test_export_then_import_into_an_empty_site_gives_the_same_threads(
    tmp_path, superuser, django_capture_on_commit_callbacks
):
    _site()
    before = _snapshot()
    shown = Comment.objects.filter(status="approved", deleted_at__isnull=True)
    counts = {a.slug: shown.filter(article=a).count() for a in Article.objects.all()}
    path = tmp_path / "site.xml"
    call_command("export_comments", str(path), format="wxr", stderr=io.StringIO())
    Comment.objects.all().delete()
    Article.objects.all().delete()

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_wordpress", str(path), "--create-articles", stdout=out)
    assert (
        out.getvalue()
        .strip()
        .splitlines()[-1]
        .startswith(f"imported {len(before)}, skipped 0")
    )
    new = {int(m.source_id): m.comment_id for m in ImportedComment.objects.all()}
    after = _snapshot()
    for old_id, row in before.items():
        again = dict(after[new[old_id]])
        again["parent"] = next(
            (o for o, n in new.items() if n == again["parent"]), None
        )
        assert again == row, old_id
    assert dict(Article.objects.values_list("slug", "comment_count")) == counts


def test_one_article_exports_alone_and_json_holds_everything(tmp_path):
    story, held = _site()
    path = tmp_path / "story.json"
    call_command(
        "export_comments",
        str(path),
        format="json",
        article="story",
        stderr=io.StringIO(),
    )
    data = json.loads(path.read_text())
    assert [a["slug"] for a in data["articles"]] == ["story"]
    comments = {c["id"]: c for c in data["articles"][0]["comments"]}
    assert len(comments) == story.comments.count()
    assert comments[held.pk]["status"] == "held"
    assert comments[held.pk]["parent"] == held.parent_id
    assert comments[held.parent_id]["author"]["username"] == "writer"
    assert any(c["deleted_at"] for c in comments.values())


def test_an_export_read_back_onto_its_own_site_adds_nothing(tmp_path, run, article):
    comment_import(
        article=article, body="Here first.", guest_name="Ana", created_at=timezone.now()
    )
    path = tmp_path / "out.xml"
    call_command("export_comments", str(path), format="wxr", stderr=io.StringIO())
    out, _ = run("import_wordpress", path.read_bytes())
    assert out.strip().startswith("imported 0, skipped 1 (already there)")
    assert article.comments.count() == 1
