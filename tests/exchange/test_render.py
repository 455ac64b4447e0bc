"""The import's own HTML for plain comments is exactly the renderer's."""

import random

import pytest

from comments.markdown import render_comment
from comments.services import normalise_body
from exchange.html import html_to_markdown
from exchange.render import fast_html

ATOMS = [
    "word", "Zoë", "日本", "😀", "a", "1.", "2)", "#", "-", "+", "*", "**", "_", "`",
    "\\", "[", "]", "(", ")", "<", ">", "&", "&amp;", "&lt;", "&#42;", '"', "'", "!",
    "~", "=", "|", ":", ".", ",", " ", "  ", "\n", "\xa0", "\t", "http://x.org",
    "½", "²",
]  # fmt: skip
HREFS = [
    "https://ex.org/a", "https://ex.org/é?q=1&amp;r=2", "http://x.org/(a)",
    "mailto:a@b.org", "javascript:x", "https://ex.org/a b", "https://ex.org/&lt;",
    "HTTPS://EX.ORG",
]  # fmt: skip


def _inline(rng: random.Random, depth: int = 0) -> str:
    text = "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 8)))
    pick = rng.random()
    if depth > 2 or pick < 0.4:
        return text
    if pick < 0.55:
        return f"<em>{_inline(rng, depth + 1)}</em>"
    if pick < 0.7:
        return f"<strong>{_inline(rng, depth + 1)}</strong>"
    if pick < 0.8:
        return f'<a href="{rng.choice(HREFS)}">{_inline(rng, depth + 1)}</a>'
    return rng.choice(["<br/>", f"<code>{text}</code>", text])


def _bodies(count: int):
    rng = random.Random(7)
    for _ in range(count):
        paragraphs = (
            "".join(_inline(rng) for _ in range(rng.randint(1, 5)))
            for _ in range(rng.randint(1, 3))
        )
        html = "".join(f"<p>{p}</p>" for p in paragraphs)
        try:
            yield normalise_body(html_to_markdown(html))
        except Exception:  # noqa: S112 - a body a posted comment could not have
            continue


def test_generated_bodies_render_the_same_or_go_to_the_renderer():
    written = 0
    for markdown in _bodies(6000):
        html = fast_html(markdown)
        if html is not None:
            written += 1
            assert html == render_comment(markdown), markdown
    assert written > 300  # the odd ones were many; plenty still came this way


@pytest.mark.parametrize(
    "html",
    [
        "<p>Plain words, “quotes” &amp; an ampersand.</p><p>Second 日本 😀.</p>",
        "<p>One <em>soft</em> and <strong>bold</strong> word.</p>",
        '<p>See <a href="https://example.org/report?a=1&amp;b=2">the <em>report</em>'
        "</a>, then<br/>a new line.</p>",
        "<p>(<strong>really</strong>) &lt;tag&gt; and *stars* as typed</p>",
        "<p>A line\nand a soft break, 2024 figures, \\ back slash.</p>",
    ],
)
def test_plain_comments_are_written_without_the_parser_and_match_it(html):
    markdown = normalise_body(html_to_markdown(html))
    assert fast_html(markdown) == render_comment(markdown)


@pytest.mark.parametrize(
    "html",
    [
        "<blockquote>quoted</blockquote>",
        "<ul><li>a list</li></ul>",
        "<p><code>x*y</code></p>",
        "<p><em><strong>nested</strong></em></p>",
        "<p>un<em>believ</em>able</p>",
    ],
)
def test_other_shapes_are_left_to_the_renderer(html):
    assert fast_html(normalise_body(html_to_markdown(html))) is None
