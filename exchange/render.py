"""The HTML of an imported comment, written without the Markdown parser when
the comment has the plain shape most have.

An import renders tens of thousands of bodies, and the Markdown parser is most
of an import's time. Most bodies that html_to_markdown writes are paragraphs of
escaped text with line breaks, emphasis and links, whose HTML is known without
parsing. `fast_html` writes exactly what comments.markdown.render_comment gives
for those (tests/exchange/test_render.py holds the two side by side over
generated bodies) and returns None for anything else (quotes, lists, code, an
emphasis mark the parser could read two ways), which the caller then renders
the usual way.
"""

import re

from comments.markdown import LINK_REL, URL_SCHEMES, normalise_link

_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Characters that start something in a line of Markdown other than a paragraph.
_BLOCK_START = frozenset("#>+-=~`|<_ \t")
_ORDERED = re.compile(r"\d{1,9}[.)]")
_DEFINITION = re.compile(r"\[(?:[^\]\\]|\\.)*\]:")
_SPECIAL = re.compile(r"[\\`*_\[\]<&\n\xa0>]")
_ENTITY = re.compile(r"&#?\w+;")
_SCHEMES = tuple(f"{s}:" if s == "mailto" else f"{s}://" for s in URL_SCHEMES)
# Beside an emphasis mark, outside it: what leaves no doubt that it opens/closes.
_BEFORE_OPENING = frozenset(" \n(\"'")
_AFTER_CLOSING = frozenset(" \n.,;:!?)\"'")
_DEST = re.compile(r"\]\(([^\s()<>\\\"'`]+)\)")
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;"}


class _Decline(Exception):
    """Not a shape written here: the Markdown parser renders it."""


def fast_html(markdown: str) -> str | None:
    """render_comment(markdown) for plain paragraphs, or None to say "render it"."""
    try:
        return "".join(f"<p>{_inline(_block(b), links=True)}</p>\n"
                       for b in markdown.split("\n\n"))  # fmt: skip
    except _Decline:
        return None


def _block(block: str) -> str:
    if not block or _DEFINITION.match(block):
        raise _Decline
    for line in block.split("\n"):
        if not line or line[0] in _BLOCK_START or line[-1].isspace():
            raise _Decline
        if line[0].isspace() or _ORDERED.match(line):
            raise _Decline
        if line[0] == "*" and (len(line) < 2 or line.startswith(("* ", "***"))):
            raise _Decline
    return block


def _inline(text: str, *, links: bool) -> str:
    out: list[str] = []
    at, end = 0, len(text)
    emphasis = ""
    while (found := _SPECIAL.search(text, at)) is not None:
        start = found.start()
        out.append(text[at:start])
        char = text[start]
        at = start + 1
        if char == "\\":
            if at >= end:
                raise _Decline
            nxt = text[at]
            if nxt == "\n":
                out.append("<br>\n")
            elif nxt in _ASCII_PUNCT:
                out.append(_TEXT_ESCAPES.get(nxt, nxt))
            else:
                raise _Decline
            at += 1
        elif char == "\n":
            out.append("\n")
        elif char in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[char])
        elif char == "*":
            run = 2 if text.startswith("**", start) else 1
            at = start + run
            before = text[start - 1] if start else " "
            after = text[at] if at < end else " "
            if text.startswith("*", at):
                raise _Decline
            tag = "strong" if run == 2 else "em"
            if not emphasis and before in _BEFORE_OPENING and after.isalnum():
                emphasis = tag
                out.append(f"<{tag}>")
            elif emphasis == tag and before.isalnum() and after in _AFTER_CLOSING:
                emphasis = ""
                out.append(f"</{tag}>")
            else:
                raise _Decline
        elif char == "[" and links and not emphasis:
            at = _link(text, start, out)
        else:
            raise _Decline
    if emphasis:
        raise _Decline
    out.append(text[at:])
    return "".join(out)


def _link(text: str, start: int, out: list[str]) -> int:
    """Write the link at text[start] ("[label](address)"); return where it ends."""
    close, end = start + 1, len(text)
    while close < end and text[close] != "]":
        if text[close] == "[":
            raise _Decline
        close += 2 if text[close] == "\\" else 1
    label = text[start + 1 : close]
    dest = _DEST.match(text, close)
    if not label or dest is None or _ENTITY.search(dest.group(1)):
        raise _Decline
    href = normalise_link(dest.group(1))
    if href is None or not href.startswith(_SCHEMES):
        raise _Decline
    inner = _inline(label, links=False)
    attribute = href.replace("&", "&amp;").replace('"', "&quot;")
    out.append(f'<a href="{attribute}" rel="{LINK_REL}">{inner}</a>')
    return dest.end()
