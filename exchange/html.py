"""Imported HTML to the Markdown a reader would have typed.

WordPress and Disqus keep a comment as HTML; the site keeps Markdown and renders
it once (comments.markdown). Paragraphs, breaks, links, emphasis, quotes, code and
lists carry over; headings become bold lines, images become links, scripts and
styles go with their content, and any other tag leaves its text. The text itself
is escaped, so what showed as text there shows as text here.
"""

import re
from html import unescape

from lxml import etree, html

_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "aside", "figure",
    "figcaption", "address", "dl", "dt", "dd", "table", "thead", "tbody",
    "tfoot", "center", "hr",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_DROPPED = {"script", "style", "head", "title", "iframe", "object", "embed", "form"}
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_MARKS = re.compile(r"([\\`*_\[\]<>])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_MARK_OR_AMPERSAND = re.compile(r"[\\`*_\[\]<>&]")
_LINE_MARK = re.compile(r"^([ \t]*)([#>+=-])", re.MULTILINE)
_LINE_NUMBER = re.compile(r"^([ \t]*)(\d+)([.)])", re.MULTILINE)
_INDENT = re.compile(r"(?<=\n)[ \t]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
# lxml.html's own parser and text, without its element classes.
_PARSER = etree.HTMLParser()
_FULL_PAGE = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE).match
_TEXT_CONTENT = etree.XPath("string()", smart_strings=False)


def html_to_markdown(source: str) -> str:
    """The Markdown for an HTML fragment: trimmed, blank-line separated blocks."""
    if "<" not in source:
        # No markup, but perhaps entities ("Tom &amp; Jerry"): text as it reads.
        return _escape(unescape(source)).strip()
    try:
        root = _fragment(source)
    except etree.ParserError:
        return ""
    out = _Writer()
    out.children(root)
    return _BLANK_RUNS.sub("\n\n", out.text()).strip()


def _fragment(source: str):
    """What lxml.html.fragment_fromstring(source, create_parent="div") holds,
    read straight from the body it parses: the same parser, without making a
    Python object for each element as it is looked up."""
    if not _FULL_PAGE(source):
        document = etree.fromstring(f"<html><body>{source}</body></html>", _PARSER)
        bodies = [] if document is None else [e for e in document if e.tag == "body"]
        if len(bodies) == 1:
            body = bodies[0]
            if body.text is not None and not body.text.strip():
                body.text = None  # as lxml.html keeps no blank leading text
            return body
    return html.fragment_fromstring(source, create_parent="div")


def _escape(text: str) -> str:
    # Each step runs only where it could change something: most text has no
    # marks and one line.
    if _MARK_OR_AMPERSAND.search(text):
        text = _MARKS.sub(r"\\\1", text)
        text = _ENTITY_LIKE.sub(r"\\&", text)
    if "\n" in text:
        # Indents mean nothing in HTML and a code block in Markdown.
        text = _INDENT.sub("", text)
    elif not (head := text.lstrip(" \t")[:1]) or not (
        head in "#>+=-" or head.isdigit()
    ):
        return text
    text = _LINE_MARK.sub(r"\1\\\2", text)
    return _LINE_NUMBER.sub(r"\1\2\\\3", text)


class _Writer:
    """Walks the tree once, writing Markdown into a list of pieces."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self) -> str:
        return "".join(self.parts)

    def children(self, element) -> None:
        if element.text:
            self.parts.append(_escape(element.text))
        for child in element:
            if isinstance(child.tag, str):
                self.element(child)
            if child.tail:
                self.parts.append(_escape(child.tail))

    def element(self, el) -> None:
        tag = el.tag.lower()
        if tag in _DROPPED:
            return
        if tag == "br":
            self.parts.append("\\\n")
        elif tag in _BLOCKS:
            self.block(el)
        elif tag == "tr":
            cells = (_inline(c).strip() for c in el if isinstance(c.tag, str))
            self.parts.append("\n\n" + " | ".join(cells) + "\n\n")
        elif tag in _HEADINGS:
            self.parts.append("\n\n**" + _inline(el).strip() + "**\n\n")
        elif tag in {"em", "i", "cite", "dfn"}:
            self.parts.append(_wrap(_inline(el), "*"))
        elif tag in {"strong", "b"}:
            self.parts.append(_wrap(_inline(el), "**"))
        elif tag in {"code", "kbd", "samp", "tt"}:
            self.parts.append(_code_span(_TEXT_CONTENT(el)))
        elif tag == "pre":
            self.pre(el)
        elif tag == "blockquote":
            self.quote(el)
        elif tag in {"ul", "ol"}:
            self.list(el, ordered=tag == "ol")
        elif tag == "a":
            self.parts.append(_link(_inline(el), el.get("href", "")))
        elif tag == "img":
            alt = _escape(el.get("alt", "")) or "image"
            self.parts.append(_link(alt, el.get("src", "")))
        else:
            self.children(el)

    def block(self, el) -> None:
        self.parts.append("\n\n")
        self.children(el)
        self.parts.append("\n\n")

    def pre(self, el) -> None:
        code = _TEXT_CONTENT(el).strip("\n")
        fence = "`" * max(3, _longest_run(code, "`") + 1)
        self.parts.append(f"\n\n{fence}\n{code}\n{fence}\n\n")

    def quote(self, el) -> None:
        inner = _Writer()
        inner.children(el)
        body = _BLANK_RUNS.sub("\n\n", inner.text()).strip()
        quoted = "\n".join(f"> {line}".rstrip() for line in body.split("\n"))
        self.parts.append(f"\n\n{quoted}\n\n")

    def list(self, el, *, ordered: bool) -> None:
        self.parts.append("\n\n")
        items = [child for child in el if isinstance(child.tag, str)]
        for number, item in enumerate(items, 1):
            inner = _Writer()
            inner.children(item)
            body = _BLANK_RUNS.sub("\n\n", inner.text()).strip()
            marker = f"{number}. " if ordered else "- "
            indent = "\n" + " " * len(marker)
            self.parts.append(marker + body.replace("\n", indent) + "\n")
        self.parts.append("\n")


def _inline(el) -> str:
    inner = _Writer()
    inner.children(el)
    return " ".join(inner.text().split("\n\n"))


def _wrap(text: str, mark: str) -> str:
    """Emphasis with the spaces kept outside, where CommonMark needs them."""
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _code_span(code: str) -> str:
    if not code:
        return ""
    ticks = "`" * (_longest_run(code, "`") + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max(map(len, runs), default=0)


def _link(label: str, href: str) -> str:
    href = href.strip()
    if not href.lower().startswith(_SAFE_SCHEMES):
        return label
    label = label.strip() or _escape(href)
    target = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({target})"
