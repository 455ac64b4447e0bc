"""Site-wide middleware: query strings and API bodies checked before any view
reads them, the answer when the database is down, and readers kept on the
primary database just after they write."""

import hashlib
import logging
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from . import db
from .api import (
    API_PREFIX,
    DATABASE_RETRY_AFTER_SECONDS,
    database_unavailable,
    error_response,
)

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """With the database unreachable: a 503 page (JSON on the API), never a 500.

    The page template touches no database, and a write that failed this way
    was rolled back, so nothing is half-written when the database returns.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unreachable on %s: %s", request.path, exception)
        _rest_failed_replica()
        if request.path.startswith(API_PREFIX):
            return database_unavailable()
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response


class ApiBodyLimitMiddleware:
    """Refuse, in JSON and before anything reads them, oversized API bodies (413)
    and an Authorization header that is not ASCII (401: the token library would
    fail to decode it with a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            if not request.META.get("HTTP_AUTHORIZATION", "").isascii():
                return error_response(
                    401,
                    "authentication_failed",
                    "Invalid token header: it must be plain ASCII.",
                    headers={"WWW-Authenticate": "Token"},
                )
            try:
                length = int(request.headers.get("Content-Length") or 0)
            except ValueError:
                return error_response(
                    400, "parse_error", "Content-Length is not a number."
                )
            if length > settings.API_MAX_BODY_BYTES:
                return error_response(
                    413,
                    "request_too_large",
                    f"The request body is {length:,} bytes; the limit is "
                    f"{settings.API_MAX_BODY_BYTES:,}.",
                )
        return self.get_response(request)


class QueryStringMiddleware:
    """Refuse a query string with a control character (a NUL, say) in a name or
    a value, with a 400 naming the parameter: no view, filter or database ever
    sees it (PostgreSQL would fail on a NUL with a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if any(_has_control(text) for text in (name, *values)):
                return _bad_parameter(request, name)
        return self.get_response(request)


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def _bad_parameter(request: HttpRequest, name: str) -> HttpResponse:
    shown = name if not _has_control(name) else repr(name)
    detail = f"The query parameter {shown} holds a control character."
    if request.path.startswith(API_PREFIX):
        # attr stays null: the name may be one no operation documents.
        return error_response(400, "invalid", detail, invalid_input=True)
    return defaults.bad_request(request, ValueError(detail))


PIN_COOKIE = "primary"
PIN_SALT = "core.db.pin"


class ReplicaPinMiddleware:
    """Keep a reader on the primary database for `DATABASE_PIN_SECONDS` after
    they write, so they always see their own comment (core.db routes).

    A request that writes (any unsafe method, or any write at all) marks its
    reader: a signed cookie for browsers, and, for an app sending a token, a
    cache key named by a hash of its Authorization header (apps may keep no
    cookies). Without replicas this does nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not db.replicas():
            return self.get_response(request)
        with db.request_routing(pinned=_is_pinned(request)) as routing:
            response = self.get_response(request)
            if routing.wrote or request.method not in SAFE_METHODS:
                _pin(request, response)
        return response


SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _pin_key(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    return "db:pin:" + hashlib.sha256(header.encode()).hexdigest()[:32]


def _is_pinned(request: HttpRequest) -> bool:
    seconds = settings.DATABASE_PIN_SECONDS
    cookie = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=seconds
    )
    if cookie is not None:
        return True
    if key := _pin_key(request):
        try:
            return cache.get(key) is not None
        except Exception:
            logger.warning("cache unreachable; reading from the primary")
            return True
    return False


def _pin(request: HttpRequest, response: HttpResponse) -> None:
    seconds = settings.DATABASE_PIN_SECONDS
    response.set_signed_cookie(
        PIN_COOKIE, "1", salt=PIN_SALT, max_age=seconds, httponly=True,
        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip
    if key := _pin_key(request):
        try:
            cache.set(key, 1, timeout=seconds)
        except Exception:
            logger.warning("cache unreachable; an app's reads are not pinned")


def _rest_failed_replica() -> None:
    """After a database error: a replica this request could not use is left
    alone for a while (the request chose it for a read, so it had connected,
    or failed to)."""
    routing = db.current_routing()
    if routing is None or routing.replica is None:
        return
    connection = connections[routing.replica]
    if connection.connection is None or not connection.is_usable():
        logger.error("replica %s unreachable; reading elsewhere", routing.replica)
        db.replica_failed(routing.replica)
