"""A comment body of any HTML at all is read, or refuses its own thread alone.

However broken or hostile a body's HTML (stray page tags, tags never closed,
CDATA, characters that are not text, a megabyte, ten thousand levels deep),
turning it into Markdown gives sensible text, and what a posted comment may
not hold refuses that one thread with a line saying why, while every other
thread of the file goes in.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from comments.markdown import render_comment
from comments.models import MAX_BODY, Comment
from exchange.html import UnreadableHTML, html_to_markdown
from exchange.models import ImportedComment
from exchange.writing import SHORTENED_MARK
from tests.factories import ArticleFactory

from .builders import C, Post, wxr
from .test_disqus import disqus, post

DEEP = 10_000
DEEP_DIVS = (
    "<div>" * DEEP + "<p>deep <b>text</b> &amp; more</p>" + "</div>" * DEEP + "after"
)


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        # Page tags inside a body wrap content; the content is kept.
        ("<body>a</body><body>b</body>", "ab"),
        ("<html><body><p>one</p></body><body><p>two</p></body></html>", "one\n\ntwo"),
        ("<p>x</p><html><html><body>y</body></html>", "x\n\ny"),
        (
            "<html><head><title>T</title><style>p{}</style></head>"
            "<body class=a><p>Hi <b>there</b></p></body></html>",
            "Hi **there**",
        ),
        ("<!DOCTYPE html><p>x</p>", "x"),
        ("<html></html>after", "after"),
        ("   <html>", ""),
        # Unclosed tags close at the end, as a browser closes them.
        ('<p><b>bold <a href="https://x.org">link', "**bold [link](https://x.org)**"),
        ("<ul><li>a<li>b", "- a\n- b"),
        # CDATA means nothing in HTML: a browser shows what is left of it.
        ("<p>a<![CDATA[<b>x</b>]]>b</p>", "ax\\]\\]\\>b"),
        # NUL and lone surrogates are not text: they show as U+FFFD.
        ("a\x00b", "a\ufffdb"),
        ("<p>a\x00b</p>", "a\ufffdb"),
        ("a\ud800b<p>c</p>", "a\ufffdb\n\nc"),
        # Deeper than lxml goes, the text and paragraphs are kept.
        (DEEP_DIVS, "deep text & more\n\nafter"),
        ("<blockquote>" * DEEP + "never closed", "never closed"),
        ("<ol><li>" * DEEP + "x", "x"),
        (
            "<p>a</p>" + "<div>" * 300 + '<a title="x>y">link</a><br>b'
            "<script>no()</script><!-- c -->c",
            "a\n\nlink\\\nbc",
        ),
    ],
)
def test_broken_html_becomes_the_text_a_browser_shows(html, markdown):
    assert html_to_markdown(html) == markdown


@pytest.mark.parametrize(
    "html",
    [
        "<blockquote>" * 200 + "<em>words</em> here",
        "<ul><li>" * 30 + "words here",
        "<blockquote><ol><li>" * 12 + "words here",
        "<em>" * 99 + "words here",
    ],
    ids=["quotes", "lists", "both", "emphasis"],
)
def test_nesting_deeper_than_a_reader_reads_still_shows_its_text(html):
    shown = render_comment(html_to_markdown(html))
    assert "words" in shown.replace("<em>", "").replace("</em>", "")
    assert shown.count("<blockquote>") + shown.count("<li>") <= 8


@pytest.mark.parametrize(
    "html",
    [
        "<p>" + "word " * 200_000 + "</p>",
        "<i>x</i>" * 130_000,
        "<div>" * 300 + "<!--" * 100_000,  # an unclosed comment hides the rest
        "<div>" * 300 + '<a title="' * 100_000,
        "<div>" * 300 + "<" * 500_000,
        "<font>" * 200_000 + "x",
    ],
    ids=["text", "tags", "comments", "quotes", "angles", "unclosed"],
)
def test_a_megabyte_body_is_read(html):
    assert len(html) >= 400_000
    assert isinstance(html_to_markdown(html), str)


def test_the_text_of_a_body_survives_any_nesting():
    for depth in (10, 99, 100, 101, 127, 128, 129, 255, 256, 257, 2_000):
        html = "<p>before</p>" + "<div><span>" * depth + "middle" + "<p>after</p>"
        markdown = html_to_markdown(html)
        assert markdown.startswith("before")
        assert "middle" in markdown
        assert markdown.endswith("after")


_TAGS = ["p", "div", "b", "em", "a", "ul", "ol", "li", "blockquote", "pre", "code",
         "br", "img", "html", "body", "head", "title", "script", "style", "table",
         "tr", "td", "h2", "form", "svg", "math", "template", "textarea"]  # fmt: skip
_ODDITIES = ["<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<?x ?>", "&amp;",
             "&#0;", "&#xd800;", "&", "<", ">", '"', "'", "\x00", "\ud800", "\x85",
             '<a href="https://e.org/?a=1&b">', '<img src="x" alt="y">',
             "<a title='>'>", '<p class="']  # fmt: skip
_PIECES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(_TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(_ODDITIES),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60), st.integers(min_value=0, max_value=400))
def test_no_html_makes_the_conversion_raise_but_the_importers_refusal(pieces, depth):
    html = "<div>" * depth + "".join(pieces)
    try:
        markdown = html_to_markdown(html)
    except UnreadableHTML:
        return  # refused: its thread is reported
    assert isinstance(markdown, str)
    render_comment(markdown)


def _import(command: str, text: str, tmp_path) -> tuple[str, str]:
    """Run an import; return its summary and what it said on standard error,
    and whether it ended in error."""
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, str(path), stdout=out, stderr=err)
    except CommandError as refused:
        return out.getvalue(), err.getvalue() + f"CommandError: {refused}"
    return out.getvalue(), err.getvalue()


# Bodies a WXR or Disqus file can hold (XML has no NUL), and what they become.
IMPORTED = {
    "two bodies": ("<html><body>one</body><body>two</body></html>", "onetwo"),
    "nested page": ("<html><html><body><p>a</p><body><p>b</p>", "a\n\nb"),
    "unclosed": ("<p><b>bold <em>and", "**bold *and***"),
    "cdata": ("a<![CDATA[b]]>c", "ac"),
    "deep": (DEEP_DIVS, "deep text & more\n\nafter"),
    "huge": ("<p>" + "word " * 200_000 + "</p>", None),
}
# What a posted comment may not hold refuses its thread, saying which comment.
REFUSED = {
    "C1 control": ("<p>a\x85b</p>", "comment 10"),
    "delete": ("<p>a\x7fb</p>", "comment 10"),
    "only markup": ("<html><body></body></html><!-- x -->", "comment 10"),
}


@pytest.mark.django_db
def test_each_hostile_body_goes_in_or_refuses_its_own_thread(tmp_path):
    good = ArticleFactory(slug="good")
    posts, articles = [Post(1, "good", comments=[C(1), C(2, parent=1)])], {}
    for n, name in enumerate([*IMPORTED, *REFUSED], start=2):
        articles[name] = ArticleFactory(slug=f"a{n}")
        body = (IMPORTED.get(name) or REFUSED[name])[0]
        posts.append(Post(n, f"a{n}", title=name, comments=[C(n * 10, body=body)]))
    _, err = _import("import_wordpress", wxr(*posts), tmp_path)
    assert f"{len(REFUSED)} of the file's discussions could not be" in err
    assert good.comments.count() == 2
    for name, (_, markdown) in IMPORTED.items():
        (comment,) = articles[name].comments.all()
        if markdown is None:
            assert comment.body.endswith(SHORTENED_MARK)
            assert len(comment.body) <= MAX_BODY
        else:
            assert comment.body == markdown, name
    for n, name in enumerate(REFUSED, start=2 + len(IMPORTED)):
        assert not articles[name].comments.exists()
        assert f"not imported: post {n} “{name}”" in err
        assert f"comment {n * 10}:" in err
    assert "shortened from" in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_a_nul_in_the_file_is_a_malformed_file_refused_in_one_line(run, article):
    text = wxr(Post(1, article.slug, comments=[C(1), C(2, body="a\x00b")]))
    with pytest.raises(CommandError, match="nothing was imported") as refused:
        run("import_wordpress", text)
    assert "\n" not in str(refused.value)
    assert Comment.objects.count() == 0


def _disqus_threads(*threads: tuple[str, list[str]]) -> str:
    heads = "".join(
        f"""
  <thread dsq:id="{ident}"><id>{slug}</id><forum>news</forum>
    <link>https://news.example/{slug}/</link><title>{slug}</title>
    <createdAt>2021-03-01T00:00:00Z</createdAt></thread>"""
        for ident, (slug, _) in enumerate(threads, start=1)
    )
    return disqus().replace("</disqus>", "").split("<thread", 1)[0] + (
        heads + "".join(p for _, posts in threads for p in posts) + "</disqus>"
    )


@pytest.mark.django_db
def test_disqus_bodies_get_the_same_reading_and_the_same_refusal(tmp_path):
    story, broken = ArticleFactory(slug="story"), ArticleFactory(slug="broken")
    text = _disqus_threads(
        ("story", [
            post("1", message="<html><body>one</body><body>two</body></html>"),
            post("2", parent="1", message=DEEP_DIVS),
            post("3", message="<p><b>bold <em>and"),
        ]),
        ("broken", [post("4", thread="2"), post("5", thread="2", message="a\x85b")]),
    )  # fmt: skip
    out, err = _import("import_disqus", text, tmp_path)
    assert out.strip().splitlines()[-1].startswith("imported 3,")
    assert "not imported: thread 2 “broken”" in err
    assert "comment 5:" in err
    assert "1 of the file's discussions could not be" in err
    assert not broken.comments.exists()
    bodies = {
        i.source_id: i.comment.body
        for i in ImportedComment.objects.select_related("comment")
    }
    assert bodies == {
        "1": "onetwo",
        "2": "deep text & more\n\nafter",
        "3": "**bold *and***",
    }
    assert story.comments.count() == 3
