"""Folding text so that a term matches however it is dressed up."""

import re
import unicodedata

# Digits and symbols that stand in for letters ("1d10t", "$cum", "sh!t"), read as
# letters only inside a word that has letters: "2024" and "wow!" stay as they are.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "@": "a", "$": "s", "!": "i", "|": "i", "+": "t"})  # fmt: skip
_WORDISH = re.compile(r"[\w@$!|+]+")
_NON_WORD = re.compile(r"[^\w]+")
# Letters only: "1000" and "10" are different numbers.
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")


def _decode(match: re.Match) -> str:
    token = match.group(0).strip("!|+")
    if not any(c.isalpha() for c in token):
        return match.group(0)
    return token.translate(_LEET)


def normalise(text: str) -> str:
    """Lower-case, accent-free, leetspeak-decoded words separated by single spaces."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _WORDISH.sub(_decode, folded)
    folded = _REPEATS.sub(r"\1", folded)  # "stuuuupid" -> "stupid"
    return " " + _NON_WORD.sub(" ", folded).strip() + " "


def contains_phrase(normalised_text: str, normalised_phrase: str) -> bool:
    """Whole-word match of a normalised phrase in normalised text."""
    return f" {normalised_phrase} " in normalised_text
