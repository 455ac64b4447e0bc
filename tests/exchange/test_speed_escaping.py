"""Imported text is escaped step by step only where a step could change it;
the result is what running every step on every text gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange import html


def _every_step(text: str) -> str:
    text = html._MARKS.sub(r"\\\1", text)
    text = html._ENTITY_LIKE.sub(r"\\&", text)
    text = html._INDENT.sub("", text)
    text = html._LINE_MARK.sub(r"\1\\\2", text)
    return html._LINE_NUMBER.sub(r"\1\2\\\3", text)


_PIECES = st.sampled_from(
    [*"ab 1\t\n#>+=-.)&;\\`*_[]<>٣²", "&amp;", "&#12;", "12.", "\n  - ", "\t3)"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_PIECES | st.characters(), max_size=16).map("".join))
def test_escaping_only_where_needed_escapes_as_every_step_would(text):
    assert html._escape(text) == _every_step(text)
