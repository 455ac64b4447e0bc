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
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
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


# Public names nobody may take: they would pass for the site or its staff.
_ROLE_WORDS = {
    "admin", "admins", "administrator", "administrators", "moderator",
    "moderators", "staff",
}  # fmt: skip
_RESERVED_NAMES = _ROLE_WORDS | {
    "editor", "editors", "mod", "mods", "root", "system", "support", "security",
    "official", "team", "guest", "anonymous", "deleted", "deletedaccount",
    "webmaster", "agora",
}  # fmt: skip
# Letters that draw nothing: a name of them looks empty or hides its ends.
_HANGUL_FILLERS = set("\u115f\u1160\u3164\uffa0")
# Spaces other than the plain one (NFKC has already made most of them plain).
_DISPLAY_FORBIDDEN = _FORBIDDEN_CATEGORIES


def display_name_skeleton(value: str) -> str:
    """The skeleton of a public name, its spaces collapsed ("" for no name)."""
    return username_skeleton(" ".join(normalise_username(value).split()))


def _is_reserved(skeleton: str) -> bool:
    words = re.findall(r"\w+", skeleton)
    return "".join(words) in _RESERVED_NAMES or any(w in _ROLE_WORDS for w in words)


def _refuse_hidden(value: str) -> None:
    for char in value:
        if char == " ":
            continue
        if unicodedata.category(char) in _DISPLAY_FORBIDDEN or char in _HANGUL_FILLERS:
            raise ValidationError(
                "Names cannot contain invisible, spacing or control characters "
                "(found %(char)s).",
                code="invisible_character",
                params={"char": _describe(char)},
            )


def validate_public_name(name: str, *, exclude_user=None) -> None:
    """Refuse a name shown beside comments that hides characters or passes for
    someone else: control and format characters (newlines, bidi overrides,
    zero-width), a reserved name (the site's, a staff role's), or a name whose
    skeleton is another account's username or display name. `exclude_user` is
    the account the name is for (it may look like its own names, and staff may
    name their role). Guests' names are checked with no `exclude_user`.
    """
    value = normalise_username(name)
    _refuse_hidden(value)
    skeleton = display_name_skeleton(value)
    if not skeleton:
        return
    is_staff = exclude_user is not None and exclude_user.is_staff
    if _is_reserved(skeleton) and not is_staff:
        raise ValidationError(
            "That name is kept for the site and its staff; pick another.",
            code="reserved",
        )
    # Looked up through the user model's name: this module sits below models.
    accounts = get_user_model().objects.filter(
        Q(username_skeleton=skeleton) | Q(display_name_skeleton=skeleton)
    )
    if exclude_user is not None and exclude_user.pk is not None:
        accounts = accounts.exclude(pk=exclude_user.pk)
    if accounts.exists():
        raise ValidationError(
            "That name belongs to another reader, or looks too much like theirs.",
            code="taken",
        )
    if any(confusables.is_dangerous(word) for word in value.split()):
        raise ValidationError(
            "This name mixes letters from different alphabets that look alike; "
            "use one alphabet in each word.",
            code="mixed_script",
        )
