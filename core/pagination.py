"""Cursor pages: one codec for the cursors the site hands out, and DRF's pages.

A cursor is a small JSON object, base64url-encoded without padding. It is not
secret; it only names a position, and decoding checks its shape.
"""

import base64
import binascii
import json

from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

from .exceptions import InvalidCursor

MAX_CURSOR_LENGTH = 400


def encode_cursor(position: dict) -> str:
    """The opaque cursor for a position (a dict of JSON scalars)."""
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict:
    """The position a cursor names; InvalidCursor for anything else."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("That page cursor is not valid.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("That page cursor is not valid.") from exc
    if not isinstance(data, dict):
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
