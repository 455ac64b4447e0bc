"""Cursor pages: one codec for the cursors the site hands out, and DRF's pages.

A cursor is a small JSON object, base64url-encoded without padding and signed.
It is not secret; the signature only makes sure the site hands it out, so that
a made-up cursor (extra keys, another spelling of the same position, any score)
is refused rather than rendered, and cached, as a page of its own.
"""

import base64
import json

from django.core import signing
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

from .exceptions import InvalidCursor

MAX_CURSOR_LENGTH = 400
_SIGNER = signing.Signer(salt="core.pagination.cursor")


def encode_cursor(position: dict) -> str:
    """The opaque cursor for a position (a dict of JSON scalars)."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return _SIGNER.sign(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def decode_cursor(cursor: str, *, keys: set[str]) -> dict:
    """The position a site-issued cursor names, holding exactly `keys`;
    InvalidCursor for anything else."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("That page cursor is not valid.")
    try:
        payload = _SIGNER.unsign(cursor)
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        data = json.loads(raw)
    except (signing.BadSignature, ValueError) as exc:  # base64, JSON, UTF-8
        raise InvalidCursor("That page cursor is not valid.") from exc
    if not isinstance(data, dict) or set(data) != keys:
        raise InvalidCursor("That page cursor is not valid.")
    return data


class CursorPage(CursorPagination):
    """DRF's cursor pages, but a cursor the site did not hand out is a 400 naming
    the cursor (as on discussions), not a 404."""

    invalid_cursor_message = "That page cursor is not valid."

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise InvalidCursor(str(exc.detail)) from exc
