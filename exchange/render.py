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
from functools import lru_cache

from comments.markdown import LINK_REL, URL_SCHEMES, normalise_link

_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# What could make a line of a paragraph start something else: a block mark, a
# list number or bullet, a link definition, white space at either end.
_ODD_START = r"[#>+=~`|<_-]|\d{1,9}[.)]|\*(?:\n|\Z| |\*\*)|\[(?:[^\]\\]|\\.)*\]:"
_ODD_FIRST = re.compile(rf"\s|{_ODD_START}")
# Each search starts at a line break, which the scan finds at C speed.
_ODD_LINE = re.compile(rf"\n(?:(?<=[^\S\n]\n)|[^\S\n]|{_ODD_START})")
_SPECIAL = re.compile(r"[\\`*_\[\]<&\n\xa0>]")
_ENTITY = re.compile(r"&#?\w+;")
_SCHEMES = tuple(f"{s}:" if s == "mailto" else f"{s}://" for s in URL_SCHEMES)
# Beside an emphasis mark, outside it: what leaves no doubt that it opens/closes.
_BEFORE_OPENING = frozenset(" \n(\"'")
_AFTER_CLOSING = frozenset(" \n.,;:!?)\"'")
# "[label](address)": the label's brackets escaped, the address plain.
_LINK = re.compile(r"\[((?:[^\[\]\\]|\\[\s\S])*)\]\(([^\s()<>\\\"'`]+)\)")
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;"}


class _Decline(Exception):
    """Not a shape written here: the Markdown parser renders it."""


def fast_html(markdown: str) -> str | None:
    """render_comment(markdown) for plain paragraphs, or None to say "render it"."""
    try:
        return "".join(
            [f"<p>{_inline(b, links=True)}</p>\n" for b in _blocks(markdown)]
        )
    except _Decline:
        return None


def _blocks(markdown: str) -> list[str]:
    """The paragraphs, or _Decline for a line that could start anything else."""
    if (
        not markdown
        or markdown[-1].isspace()
        or "\n\n\n" in markdown
        or _ODD_FIRST.match(markdown)
        or _ODD_LINE.search(markdown)
    ):
        raise _Decline
    return markdown.split("\n\n")


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
    found = _LINK.match(text, start)
    if found is None or not found.group(1):
        raise _Decline
    attribute = _href(found.group(2))
    if attribute is None:
        raise _Decline
    inner = _inline(found.group(1), links=False)
    out.append(f'<a href="{attribute}" rel="{LINK_REL}">{inner}</a>')
    return found.end()


@lru_cache(maxsize=4096)  # a site's comments link to the same few pages
def _href(dest: str) -> str | None:
    """The href attribute the renderer writes for a link's address, or None."""
    if _ENTITY.search(dest):
        return None
    href = normalise_link(dest)
    if href is None or not href.startswith(_SCHEMES):
        return None
    return href.replace("&", "&amp;").replace('"', "&quot;")
