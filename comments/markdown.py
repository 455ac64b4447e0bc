"""Comment bodies: Markdown rendered once at write time, then sanitised."""

import nh3
from markdown_it import MarkdownIt

# CommonMark without raw HTML, images or headings: a comment is prose, lists,
# quotes, code and links.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable(["image", "heading", "lheading"])

_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "hr", "li", "ol", "p", "pre",
    "strong", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}}


def render_comment(source: str) -> str:
    """Render a reader's Markdown to HTML with no scripts, styles or images."""
    return nh3.clean(
        _md.render(source),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
