"""Username rules: what a reader may pick, and when two names look the same.

Readers know each other by name, so a name must not hide characters and must not
pass for somebody else's. Names are NFKC-normalised (fullwidth letters, ligatures),
invisible and control characters are refused, and every name has a skeleton (case
folded, look-alike letters from other scripts mapped to Latin, after Unicode TR39)
that is unique across accounts.
"""

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Cc control, Cf format (zero-width, bidi overrides, soft hyphen), Co private use,
# Cs surrogates, Cn unassigned, Zl/Zp line and paragraph separators.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"}
_ALLOWED = re.compile(r"^[\w.@+-]+\Z")


def normalise_username(value: str) -> str:
    """Return the NFKC form a username is stored and compared in."""
    return unicodedata.normalize("NFKC", value)


def _describe(char: str) -> str:
    name = unicodedata.name(char, "unnamed character")
    return f"U+{ord(char):04X} {name}"


@lru_cache(maxsize=4096)
def _latin_lookalike(char: str) -> str:
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    if not found:
        return char
    for glyph in found[0]["homoglyphs"]:
        if glyph["n"].startswith(("LATIN", "DIGIT")):
            return glyph["c"]
    return char


def username_skeleton(value: str) -> str:
    """Return the form two names share when a reader could mistake one for the other."""
    folded = normalise_username(value).casefold()
    return "".join(_latin_lookalike(c) for c in folded)


@deconstructible
class UsernameValidator:
    """Refuse invisible, control and mixed-script look-alike characters in a name."""

    message = "Enter a username of letters, digits and . @ + - _ only."

    def __call__(self, value: str) -> None:
        value = normalise_username(value)
        for char in value:
            if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
                raise ValidationError(
                    "Usernames cannot contain invisible, spacing or control "
                    "characters (found %(char)s).",
                    code="invisible_character",
                    params={"char": _describe(char)},
                )
        if not _ALLOWED.match(value):
            raise ValidationError(self.message, code="invalid")
        if confusables.is_dangerous(value):
            raise ValidationError(
                "This username mixes letters from different alphabets that look "
                "alike; use one alphabet.",
                code="mixed_script",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UsernameValidator)
