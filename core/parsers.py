"""The API's JSON parser: DRF's, refusing with a 400 what it would crash on.

Its own module, importing nothing of ours: DRF loads it from settings while
other API modules are still being imported.
"""

import json
import re

from django.conf import settings
from rest_framework import exceptions, parsers

MAX_JSON_DEPTH = 32

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _nesting(text: str) -> int:
    """How deep the arrays and objects in a JSON text go (strings set aside)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    data = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"the key {json.dumps(key)[:60]} appears twice")
        data[key] = value
    return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with a 400 what it would crash on or read two ways.

    Nesting deeper than MAX_JSON_DEPTH (the decoder runs out of stack: a 500),
    an object naming a key twice (parsers disagree on which value wins), and
    NaN or Infinity.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            # bytes.decode takes text encodings only (no bz2_codec and the like).
            text = stream.read().decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"The body is not {encoding} text.") from exc
        if _nesting(text) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
            )
        try:
            return json.loads(
                text, object_pairs_hook=_unique_keys, parse_constant=_no_constant
            )
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
