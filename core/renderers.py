"""JSON for the API's hot reads: encoded once, kept as bytes, sent as they are."""

import json

from rest_framework.renderers import JSONRenderer

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), check_circular=False
)


class Encoded(bytes):
    """A JSON answer already encoded by `dumps`: `JSONRenderer` sends it unchanged."""


def dumps(data) -> Encoded:
    """`data` (plain dicts, lists, strings, numbers, None) as DRF's JSON would be.

    Compact and UTF-8, with U+2028 and U+2029 escaped as DRF does, so the text
    is also safe inside a script.
    """
    text = _ENCODER.encode(data)
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Encoded(text.encode())


class EncodedJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, passing an `Encoded` answer through untouched."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, Encoded):
            return bytes(data)
        return super().render(data, accepted_media_type, renderer_context)
