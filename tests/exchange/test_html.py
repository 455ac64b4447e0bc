import pytest

from comments.markdown import render_comment
from exchange.html import html_to_markdown


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("plain *stars* and _under_ [x]", r"plain \*stars\* and \_under\_ \[x\]"),
        ("Tom &amp; Jerry &#8217;s", "Tom & Jerry ’s"),  # entities, no markup
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("a<br>b", "a\\\nb"),
        ("x<em> soft </em>y", "x *soft* y"),
        ('<a href="https://e.org/a b">link</a>', "[link](https://e.org/a%20b)"),
        ('<a href="javascript:alert(1)">no</a>', "no"),
        ("<code>a`b</code>", "``a`b``"),
        ("<pre>x = 1\n  y</pre>", "```\nx = 1\n  y\n```"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<ol><li>a</li></ol>", "1. a"),
        ("<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2"),
        ("<h2>Title</h2>text", "**Title**\n\ntext"),
        ("<script>evil()</script>kept", "kept"),
        ("2020. A year\n- not a list", "2020\\. A year\n\\- not a list"),
        ("line\n    indented", "line\nindented"),
    ],
)
def test_html_becomes_the_markdown_a_reader_would_type(html, markdown):
    assert html_to_markdown(html) == markdown


def test_escaped_text_renders_as_the_text_it_was():
    text = "Use *args and <b>tags</b> &amp;copy; [1] 1. done"
    rendered = render_comment(
        html_to_markdown(f"<p>{text}</p>".replace("<b>", "&lt;b>"))
    )
    assert "*args" in rendered
    assert "&lt;b&gt;" in rendered
    assert "&amp;copy;" in rendered
