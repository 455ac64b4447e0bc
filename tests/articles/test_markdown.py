"""Article bodies are Markdown rendered once to HTML that cannot run code."""

import pytest

from articles.markdown import render_article
from tests.factories import ArticleFactory
from tests.html_safety import unsafe_parts

HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<img src=x onerror="alert(1)">',
    "![x](javascript:alert(1))",
    '<a href="#" onclick="alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<div style="background:url(javascript:alert(1))">x</div>',
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_never_produces_executable_html(source):
    assert unsafe_parts(render_article(source)) == []


def test_the_safety_check_itself_catches_unsafe_html():
    assert unsafe_parts('<a href="javascript:x()">a</a><p onclick="x()">b</p>') == [
        "href='javascript:x()' on <a>",
        "onclick handler on <p>",
    ]


def test_markdown_formatting_survives_sanitising():
    html = render_article(
        "## Heading\n\n*em* **strong** [link](https://example.org)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )

    assert "<h2>Heading</h2>" in html
    assert "<em>em</em>" in html
    assert '<a href="https://example.org" rel="noopener">link</a>' in html
    assert "<table>" in html


@pytest.mark.django_db
def test_body_html_is_rendered_when_the_article_is_saved():
    article = ArticleFactory(body="First *draft*")
    article.body = "Second **version**"
    article.save(update_fields=["body"])

    article.refresh_from_db()
    assert article.body_html == "<p>Second <strong>version</strong></p>\n"


@pytest.mark.django_db
def test_hostile_strings_in_article_bodies_render_safely(client, shared_data):
    lines = (shared_data / "blns.txt").read_text(encoding="utf-8").splitlines()
    body = "\n\n".join(line for line in lines if line and not line.startswith("#"))
    article = ArticleFactory(slug="naughty", body=body)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert unsafe_parts(article.body_html) == []
    assert article.body_html in response.content.decode()
