"""A body is searched for hidden characters in one scan; it refuses exactly the
characters the rule names, each with the message for its kind."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from comments.services import normalise_body

_DIRECTION = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refusal(body: str) -> str | None:
    try:
        normalise_body(body)
    except ValidationError as error:
        return error.message_dict["body"][0]
    return None


def test_every_control_but_line_ends_and_tabs_is_refused_by_its_code_point():
    # Every control character lies below U+0100; the rest is for good measure.
    for point in [*range(0x3000), *map(ord, _DIRECTION), 0xFEFF, 0x10FFFF]:
        char = chr(point)
        said = _refusal(f"a{char}b")
        if char in _DIRECTION:
            assert said == (
                "The text contains a character that reverses the direction of "
                f"what follows (U+{point:04X}); remove it."
            )
        elif unicodedata.category(char) == "Cc" and char not in "\n\t\r":
            assert said == (
                f"The text contains a control character (U+{point:04X}); "
                "remove it and try again."
            )
        else:
            assert said is None, hex(point)


@pytest.mark.parametrize(
    ("body", "first"),
    [("a\x07b\u202ec", "control character (U+0007)"),
     ("a\u2066b\x00c", "reverses the direction of what follows (U+2066)")],
)  # fmt: skip
def test_the_first_hidden_character_is_the_one_named(body, first):
    assert first in _refusal(body)
