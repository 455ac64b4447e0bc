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
URL_SCHEMES = ("http", "https", "mailto")
LINK_REL = "nofollow ugc noopener"


def normalise_link(url: str) -> str | None:
    """A link destination as the renderer writes it, or None if it refuses it."""
    href = _md.normalizeLink(url)
    return href if _md.validateLink(href) else None


def render_comment(source: str) -> str:
    """Render a reader's Markdown to HTML with no scripts, styles or images."""
    return nh3.clean(
        _md.render(source),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
