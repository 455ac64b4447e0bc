from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management.base import CommandError
from lxml import etree

from articles.models import Article
from comments.models import MAX_DEPTH, Comment
from comments.services import comment_import, comment_set_status
from exchange.models import ImportedComment, ImportedPing
from tests.factories import ArticleFactory, UserFactory

from .builders import C, Post, wxr

pytestmark = pytest.mark.django_db
SOURCE = "wordpress:https://old.example.org"
THEME = "themeunittestdata.wordpress.xml"
STATUS = {"1": "approved", "0": "held", "spam": "spam", "trash": "rejected"}


def imported(source_id: str, source: str = SOURCE) -> Comment:
    return ImportedComment.objects.get(source=source, source_id=source_id).comment


def _expected(path):
    """Each reader comment of the file: (id, parent id, status, GMT date)."""
    ns = {"wp": "https://wordpress.org/export/1.2/"}
    rows = {}
    for comment in etree.parse(str(path)).iterfind(".//wp:comment", ns):
        text = {c.tag.rpartition("}")[2]: (c.text or "") for c in comment}
        if text.get("comment_type") in {"pingback", "trackback"}:
            continue
        rows[text["comment_id"]] = (
            text["comment_parent"],
            STATUS[text["comment_approved"]],
            datetime.strptime(text["comment_date_gmt"], "%Y-%m-%d %H:%M:%S").replace(
                tzinfo=UTC
            ),
        )
    return rows


def test_theme_data_keeps_every_parent_depth_date_and_status(
    run, shared_data, superuser
):
    out, _ = run(
        "import_wordpress", (shared_data / THEME).read_bytes(), "--create-articles"
    )
    expected = _expected(shared_data / THEME)
    source = "wordpress:https://wpthemetestdata.wordpress.com"
    assert out.strip().splitlines()[-1] == (
        f"imported {len(expected)}, skipped 0 (already there), held 3, spam 0, "
        "orphans 0, pingbacks 4 (kept apart)"
    )
    for ident, (parent, status, date) in expected.items():
        comment = imported(ident, source)
        depth, up = 0, parent
        while up != "0":
            depth, up = depth + 1, expected[up][0]
        assert comment.status == status
        assert comment.created_at == date
        assert comment.depth == min(depth, MAX_DEPTH - 1)
        if parent == "0":
            assert comment.parent_id is None
        else:
            assert comment.parent_id == imported(parent, source).pk
    assert ImportedPing.objects.count() == 4
    article = Article.objects.get(slug="template-comments")
    assert article.status == Article.Status.DRAFT
    assert article.comment_count == article.comments.filter(status="approved").count()


def test_a_second_run_of_the_theme_data_adds_nothing(run, shared_data, superuser):
    data = (shared_data / THEME).read_bytes()
    run("import_wordpress", data, "--create-articles")
    before = Comment.objects.count(), Article.objects.count()
    out, _ = run("import_wordpress", data, "--create-articles")
    assert (Comment.objects.count(), Article.objects.count()) == before
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("imported 0, skipped 28 ")
    assert summary.endswith("pingbacks 0 (kept apart)")  # none stored twice


def test_a_comment_posted_on_the_site_between_runs_is_untouched(run, article):
    text = wxr(Post(1, article.slug, comments=[C(1), C(2, parent=1)]))
    run("import_wordpress", text)
    ours = comment_import(
        article=article, body="Written here.", guest_name="Ana", parent=imported("1")
    )
    before = Comment.objects.values().get(pk=ours.pk)
    run("import_wordpress", text)
    assert Comment.objects.values().get(pk=ours.pk) == before
    assert article.comments.count() == 3
    article.refresh_from_db()
    assert article.comment_count == 3
    assert imported("1").reply_count == 2


def test_deep_replies_sit_at_the_last_level_as_a_posted_reply_would(run, article):
    chain = [C(1), *(C(n, parent=n - 1) for n in range(2, 13)), C(13, parent=7)]
    run("import_wordpress", wxr(Post(1, article.slug, comments=chain)))
    # The same thread through comment_import, one comment at a time.
    other, made = ArticleFactory(), {}
    for c in chain:
        made[c.id] = comment_import(
            article=other, body=c.body, parent=made.get(c.parent)
        )
    for c in chain:
        mine, theirs = imported(str(c.id)), made[c.id]
        theirs.refresh_from_db()
        assert mine.depth == theirs.depth
        assert len(mine.path) == len(theirs.path)
        assert (mine.parent_id is None) == (theirs.parent_id is None)
        if c.parent:
            assert mine.parent_id == imported(str(c.parent)).pk
    order = [c.body for c in Comment.objects.filter(article=article).in_thread_order()]
    theirs = [c.body for c in Comment.objects.filter(article=other).in_thread_order()]
    assert order == theirs
    assert imported("12").depth == MAX_DEPTH - 1


def test_statuses_counts_and_the_summary(run, article):
    comments = [
        C(1),
        C(2, approved="0"),
        C(3, approved="spam"),
        C(4, approved="trash"),
        C(5, parent=1),
        C(6, parent=1, approved="0"),
    ]
    out, _ = run("import_wordpress", wxr(Post(1, article.slug, comments=comments)))
    assert out.strip() == (
        "imported 6, skipped 0 (already there), held 2, spam 1, orphans 0, "
        "pingbacks 0 (kept apart)"
    )
    assert [imported(str(n)).status for n in range(1, 7)] == [
        "approved",
        "held",
        "spam",
        "rejected",
        "approved",
        "held",
    ]
    article.refresh_from_db()
    assert article.comment_count == 2
    assert imported("1").reply_count == 1


def test_pingbacks_and_trackbacks_are_kept_apart(run, article):
    comments = [
        C(1),
        C(
            2,
            type="pingback",
            author="Other blog &laquo; Post",
            url="https://b.example/p",
            body="[...] a link [...]",
        ),
        C(3, type="trackback", url="https://c.example/t"),
        C(4, parent=2),
    ]
    out, _ = run("import_wordpress", wxr(Post(1, article.slug, comments=comments)))
    assert "imported 2," in out
    assert "orphans 1, pingbacks 2 (kept apart)" in out
    assert article.comments.count() == 2
    assert imported("4").parent_id is None  # it answered the pingback
    ping = ImportedPing.objects.get(source_id="2")
    assert (ping.kind, ping.title, ping.url) == (
        "pingback",
        "Other blog « Post",
        "https://b.example/p",
    )


def test_non_ascii_emoji_and_same_name_guests(run, article):
    comments = [
        C(
            1,
            author="Zoë Ωμέγα 🦉",
            body="Ça va? 日本語 😀👍🏽",
            email="zoe@example.org",
        ),
        C(2, author="Sam", email="sam.one@example.org", body="First Sam."),
        C(3, author="Sam", email="sam.two@example.org", body="Other Sam."),
    ]
    run("import_wordpress", wxr(Post(1, article.slug, comments=comments)))
    zoe = imported("1")
    assert (zoe.guest_name, zoe.body) == ("Zoë Ωμέγα 🦉", "Ça va? 日本語 😀👍🏽")
    assert "😀👍🏽" in zoe.body_html
    assert {imported("2").guest_email, imported("3").guest_email} == {
        "sam.one@example.org",
        "sam.two@example.org",
    }


def test_a_zero_gmt_date_falls_back_to_the_local_date_less_the_offset(run, article):
    comments = [C(1, date_gmt="0000-00-00 00:00:00", date="2020-05-01 12:30:15")]
    post = Post(1, article.slug, comments=comments)
    run("import_wordpress", wxr(post), "--utc-offset", "+02:00")
    assert imported("1").created_at == datetime(2020, 5, 1, 10, 30, 15, tzinfo=UTC)
    # Without the option, the offset the post's own dates show (+2 h) is used.
    post.id, post.comments = (
        2,
        [C(9, date_gmt="0000-00-00 00:00:00", date="2020-05-02 08:00:00")],
    )
    run("import_wordpress", wxr(post))
    assert imported("9").created_at == datetime(2020, 5, 2, 6, 0, tzinfo=UTC)


def test_html_becomes_markdown_and_is_sanitised_like_a_posted_comment(run, article):
    body = (
        '<p>One <strong>bold</strong> and <em>soft</em> <a href="https://x.example/">'
        'link</a>.</p><script>alert(1)</script><a href="javascript:alert(2)">bad</a>'
        "<blockquote>quoted</blockquote>Line<br/>break <code>x*y</code>"
    )
    run("import_wordpress", wxr(Post(1, article.slug, comments=[C(1, body=body)])))
    comment = imported("1")
    assert comment.body.startswith(
        "One **bold** and *soft* [link](https://x.example/)."
    )
    assert "<script" not in comment.body_html
    assert "alert" not in comment.body_html
    assert "javascript" not in comment.body_html
    assert "<strong>bold</strong>" in comment.body_html
    assert "<blockquote>" in comment.body_html
    assert "<code>x*y</code>" in comment.body_html
    assert 'rel="nofollow ugc noopener"' in comment.body_html


def test_imports_send_no_mail_even_when_a_held_one_is_approved_later(
    run, article, django_capture_on_commit_callbacks
):
    author = UserFactory(email="writer@example.org")
    comments = [C(1, email=author.email, user_id=5), C(2, parent=1, approved="0")]
    run("import_wordpress", wxr(Post(1, article.slug, comments=comments)))
    assert imported("1").author == author
    with django_capture_on_commit_callbacks(execute=True):
        comment_set_status(comment_id=imported("2").pk, status="approved")
    assert mail.outbox == []


def test_the_cached_discussion_is_retired(run, article):
    key = f"discussion:version:{article.pk}"
    cache.set(key, 1, timeout=None)
    run("import_wordpress", wxr(Post(1, article.slug, comments=[C(1)])))
    assert cache.get(key) != 1


def test_dry_run_writes_nothing(run, superuser):
    post = Post(1, "new-story", comments=[C(1), C(2, parent=1)])
    out, _ = run("import_wordpress", wxr(post), "--dry-run", "--create-articles")
    assert "Dry run" in out
    assert out.strip().splitlines()[-1].startswith("imported 2,")
    assert not Article.objects.filter(slug="new-story").exists()
    assert Comment.objects.count() == ImportedComment.objects.count() == 0


def test_a_post_without_an_article_is_reported_and_the_rest_imported(run, article):
    text = wxr(
        Post(1, article.slug, comments=[C(1)]),
        Post(2, "missing", title="Gone", comments=[C(2)]),
    )
    with pytest.raises(CommandError, match="1 of the file's discussions"):
        run("import_wordpress", text)
    assert article.comments.count() == 1
    assert not ImportedComment.objects.filter(source_id="2").exists()


def test_a_bad_comment_fails_its_whole_thread_and_says_which(run, article, capsys):
    other = ArticleFactory(slug="other")
    text = wxr(
        Post(1, article.slug, comments=[C(1), C(2, parent=1, body="   ")]),
        Post(2, other.slug, comments=[C(3)]),
    )
    with pytest.raises(CommandError):
        run("import_wordpress", text)
    assert article.comments.count() == 0
    assert other.comments.count() == 1
    article.refresh_from_db()
    assert article.comment_count == 0


def test_a_failed_thread_is_named_on_stderr(run, article, tmp_path):
    import io

    from django.core.management import call_command

    path = tmp_path / "bad.xml"
    path.write_text(
        wxr(Post(7, article.slug, title="Broken", comments=[C(1, body="\u202eevil")]))
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_wordpress", str(path), stdout=io.StringIO(), stderr=err)
    assert "not imported: post 7 “Broken”" in err.getvalue()
    assert "comment 1:" in err.getvalue()


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version_is_read(run, article, version):
    run(
        "import_wordpress", wxr(Post(1, article.slug, comments=[C(1)]), version=version)
    )
    assert article.comments.count() == 1
