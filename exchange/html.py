"""Imported HTML to the Markdown a reader would have typed.

WordPress and Disqus keep a comment as HTML; the site keeps Markdown and renders
it once (comments.markdown). Paragraphs, breaks, links, emphasis, quotes, code and
lists carry over; headings become bold lines, images become links, scripts and
styles go with their content, and any other tag leaves its text. The text itself
is escaped, so what showed as text there shows as text here.

Any HTML a comment may hold is read, however broken, as a browser would read
it: stray <html>, <body> and <head> tags wrap content and are passed through,
unclosed tags close at the end, a NUL or a lone surrogate (not text) becomes
U+FFFD. Past _DEEPEST levels of nesting an element's text is written without
its formatting; a body nested deeper than lxml's parser goes (it stops there
and drops the rest) is read again by a tokenizer of its own, which keeps its
text and paragraphs. Should anything still fail, html_to_markdown
raises UnreadableHTML, which the readers report as their thread's problem.
"""

import re
from html import unescape

from lxml import etree

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
_BLANK_RUNS = re.compile(r"\n\n\n+")
# lxml.html's own parser and text, without its element classes.
_PARSER = etree.HTMLParser()
_TEXT_CONTENT = etree.XPath("string()", smart_strings=False)
# NUL and lone surrogates are not text (libxml2 stops reading at a surrogate).
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
# Elements nested deeper than this have their text written plain: no reader
# means formatting 100 levels deep, and Python's stack stays short.
_DEEPEST = 100
# Quotes and lists nested deeper than this are written as paragraphs: the
# renderer stops at 20 levels of blocks (a list costs two) and shows nothing
# past them.
_DEEPEST_BLOCKS = 8
# libxml2 stops at 256 open elements; a body needs that many tags to get there.
_PARSER_DEPTH = 250


class UnreadableHTML(ValueError):
    """A body whose HTML could not be turned into Markdown: the reader refuses
    its thread and says why."""


def html_to_markdown(source: str) -> str:
    """The Markdown for an HTML fragment: trimmed, blank-line separated blocks.

    Raises UnreadableHTML, and nothing else, when the HTML cannot be read.
    """
    try:
        return _convert(_NOT_TEXT.sub("\ufffd", source))
    except Exception as error:  # whatever it was, it refuses this body's thread alone
        raise UnreadableHTML(
            f"its HTML could not be turned into Markdown "
            f"({type(error).__name__}: {str(error)[:200]})"
        ) from error


def _convert(source: str) -> str:
    if "<" not in source:
        # No markup, but perhaps entities ("Tom &amp; Jerry"): text as it reads.
        return _escape(unescape(source)).strip()
    document = etree.fromstring(f"<html><body>{source}</body></html>", _PARSER)
    if document is None:
        return ""
    if source.count("<") >= _PARSER_DEPTH and _cut_short(_PARSER.error_log):
        return _tidy(_flat_markdown(source))
    bodies = [e for e in document if e.tag == "body"]
    # Stray <html> or <body> tags in the body are folded into the one body;
    # should the parser still leave other than one, the whole page is read.
    root = bodies[0] if len(bodies) == 1 else document
    if (text := root.text) is not None and not text.strip():
        root.text = None
    out = _Writer()
    out.children(root)
    return _tidy(out.text())


def _tidy(markdown: str) -> str:
    if "\n\n\n" in markdown:  # a search, many times quicker than a substitution
        markdown = _BLANK_RUNS.sub("\n\n", markdown)
    return markdown.strip()


def _cut_short(log) -> bool:
    """The parser reached its depth limit and left the rest of the body out."""
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in log)


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
    """Walks the tree once, writing Markdown into a list of pieces; `level`
    is how deep in the body the element it writes is, `nested` in how many
    quotes and lists."""

    def __init__(self, level: int = 0, nested: int = 0) -> None:
        self.parts: list[str] = []
        self.level, self.nested = level, nested

    def text(self) -> str:
        return "".join(self.parts)

    def children(self, element) -> None:
        if self.level >= _DEEPEST:
            self.parts.append(_flat(element))
            return
        self.level += 1
        # Each of lxml's text and tail reads decodes the text anew: read once.
        if text := element.text:
            self.parts.append(_escape(text))
        for child in element:
            if isinstance(child.tag, str):
                self.element(child)
            if tail := child.tail:
                self.parts.append(_escape(tail))
        self.level -= 1

    def element(self, el) -> None:
        tag = el.tag.lower()
        if tag in _DROPPED:
            return
        if tag == "br":
            self.parts.append("\\\n")
        elif tag in _BLOCKS:
            self.block(el)
        elif tag == "tr":
            cells = (self.inline(c).strip() for c in el if isinstance(c.tag, str))
            self.parts.append("\n\n" + " | ".join(cells) + "\n\n")
        elif tag in _HEADINGS:
            self.parts.append("\n\n**" + self.inline(el).strip() + "**\n\n")
        elif tag in {"em", "i", "cite", "dfn"}:
            self.parts.append(_wrap(self.inline(el), "*"))
        elif tag in {"strong", "b"}:
            self.parts.append(_wrap(self.inline(el), "**"))
        elif tag in {"code", "kbd", "samp", "tt"}:
            self.parts.append(_code_span(_TEXT_CONTENT(el)))
        elif tag == "pre":
            self.pre(el)
        elif tag == "blockquote":
            self.quote(el)
        elif tag in {"ul", "ol"}:
            self.list(el, ordered=tag == "ol")
        elif tag == "a":
            self.parts.append(_link(self.inline(el), el.get("href", "")))
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

    def inline(self, el) -> str:
        inner = _Writer(self.level, self.nested)
        inner.children(el)
        return " ".join(inner.text().split("\n\n"))

    def quote(self, el) -> None:
        if self.nested >= _DEEPEST_BLOCKS:
            self.block(el)
            return
        inner = _Writer(self.level, self.nested + 1)
        inner.children(el)
        body = _BLANK_RUNS.sub("\n\n", inner.text()).strip()
        quoted = "\n".join(f"> {line}".rstrip() for line in body.split("\n"))
        self.parts.append(f"\n\n{quoted}\n\n")

    def list(self, el, *, ordered: bool) -> None:
        items = [child for child in el if isinstance(child.tag, str)]
        if self.nested >= _DEEPEST_BLOCKS:
            for item in items:
                self.block(item)
            return
        self.parts.append("\n\n")
        for number, item in enumerate(items, 1):
            inner = _Writer(self.level, self.nested + 1)
            inner.children(item)
            body = _BLANK_RUNS.sub("\n\n", inner.text()).strip()
            marker = f"{number}. " if ordered else "- "
            indent = "\n" + " " * len(marker)
            self.parts.append(marker + body.replace("\n", indent) + "\n")
        self.parts.append("\n")


class _Flat:
    """Text with its paragraphs and line breaks and no other formatting, from
    start tags, end tags and text in document order."""

    def __init__(self, dropped: set[str]) -> None:
        self.parts: list[str] = []
        self.dropped, self.hidden = dropped, 0

    def start(self, tag: str) -> None:
        if tag in self.dropped:
            self.hidden += 1
        elif not self.hidden and tag == "br":
            self.parts.append("\\\n")
        elif not self.hidden and (tag in _BLOCKS or tag in _BLOCKISH):
            self.parts.append("\n\n")

    def end(self, tag: str) -> None:
        if tag in self.dropped:
            self.hidden = max(0, self.hidden - 1)
        elif not self.hidden and (tag in _BLOCKS or tag in _BLOCKISH):
            self.parts.append("\n\n")

    def data(self, text: str | None) -> None:
        if text and not self.hidden:
            self.parts.append(_escape(text))

    def text(self) -> str:
        return "".join(self.parts)


_BLOCKISH = _HEADINGS | {"pre", "blockquote", "ul", "ol", "li", "tr"}


def _flat(el) -> str:
    """An element's text, paragraphs and breaks, walked without recursion."""
    flat = _Flat(_DROPPED)
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            flat.start(tag)
            if tag:
                flat.data(node.text)
        else:
            flat.end(tag)
            if node is not el:
                flat.data(node.tail)
    return flat.text()


# A tag as HTML reads one: a name, then attributes whose quoted values may
# hold ">". Each alternative starts with a different character, so a match
# never backtracks.
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
# Where markup may start; any other "<" is text.
_MARKUP = re.compile("<[A-Za-z!?/]")
_RAW_TEXT = {
    name: re.compile(f"</{name}", re.IGNORECASE) for name in ("script", "style")
}


def _flat_markdown(source: str) -> str:
    """A body too deep for lxml, tokenised here with no tree and in one pass
    (the standard library's parser takes minutes over some hostile bodies):
    its text, paragraphs and breaks (_Flat). As in HTML, a comment, tag or
    script left open at the end hides the rest."""
    flat = _Flat({"script", "style"})
    text: list[str] = []  # text since the last tag, written at the next

    def tag_starts() -> None:
        flat.data(unescape("".join(text)))
        text.clear()

    at, end = 0, len(source)
    while at < end:
        found = _MARKUP.search(source, at)
        text.append(source[at : end if found is None else found.start()])
        if found is None:
            break
        at = found.start()
        if source.startswith("<!--", at):
            close = source.find("-->", at + 4)
            at = end if close < 0 else close + 3
        elif (tag := _TAG.match(source, at)) is not None:
            tag_starts()
            name = tag.group(2).lower()
            at = tag.end()
            if tag.group(1):
                flat.end(name)
            elif name in _RAW_TEXT:
                # Its content is not markup, nor text a reader saw.
                close = _RAW_TEXT[name].search(source, at)
                at = end if close is None else close.start()
            else:
                flat.start(name)
        elif source[at + 1].isalpha():
            break  # a tag open at the end
        else:
            close = source.find(">", at)
            at = end if close < 0 else close + 1  # doctype, CDATA, and the like
    tag_starts()
    return flat.text()


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
