"""What every API view shares: JSON errors, the body size limit, a strict JSON
parser, pagination, and the mapping of the services' exceptions to HTTP statuses."""

import logging

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Far beyond any body the API takes, far below what exhausts the decoder's stack.
DATABASE_RETRY_AFTER = 5  # seconds


class RateLimited(exceptions.APIException):
    """A 429 whose wait the service computed; DRF sends it as Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many requests; wait a moment."
    default_code = "throttled"

    def __init__(self, wait: int, detail: str | None = None) -> None:
        super().__init__(detail)
        self.wait = wait


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That conflicts with what is already there."
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable; try again shortly."
    default_code = "unavailable"


def _validation_payload(exc: ValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [
                str(m) for e in errors for m in e.messages
            ]
            for field, errors in exc.error_dict.items()
        }
    return {"detail": " ".join(exc.messages)}


def exception_handler(exc, context):
    """DRF's handler, taught the services' exceptions; always JSON with a message."""
    from comments.selectors import InvalidCursor
    from comments.services import RateLimited as ServiceRateLimited
    from moderation.services import AlreadyFlagged

    if isinstance(exc, ValidationError):
        return Response(_validation_payload(exc), status=400)
    if isinstance(exc, InvalidCursor):
        return Response({"cursor": [str(exc)]}, status=400)
    if isinstance(exc, ServiceRateLimited):
        exc = RateLimited(wait=exc.retry_after, detail=str(exc))
    if isinstance(exc, AlreadyFlagged):
        exc = Conflict(str(exc))
    if isinstance(exc, PermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    if isinstance(exc, ObjectDoesNotExist):
        # A row gone between the view's read and the service's (a race).
        exc = exceptions.NotFound()
    if isinstance(exc, OperationalError | InterfaceError):
        logger.exception("database unreachable: answering 503")
        response = drf_exception_handler(DatabaseUnavailable(), context)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return drf_exception_handler(exc, context)


class ApiBodyLimitMiddleware:
    """Refuse, in JSON and before anything reads them, oversized API bodies (413)
    and an Authorization header that is not ASCII (401: the token library would
    fail to decode it with a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            if not request.META.get("HTTP_AUTHORIZATION", "").isascii():
                return JsonResponse(
                    {"detail": "Invalid token header: it must be plain ASCII."},
                    status=401,
                    headers={"WWW-Authenticate": "Token"},
                )
            try:
                length = int(request.headers.get("Content-Length") or 0)
            except ValueError:
                return JsonResponse({"detail": "Content-Length is not a number."},
                                    status=400)  # fmt: skip
            if length > settings.API_MAX_BODY_BYTES:
                return JsonResponse(
                    {"detail": f"The request body is {length:,} bytes; the limit is "
                               f"{settings.API_MAX_BODY_BYTES:,}."},
                    status=413,
                )  # fmt: skip
        return self.get_response(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A CSRF failure: JSON on the API, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": "CSRF check failed: send a token header, or the CSRF token "
                       "with your session."},
            status=403,
        )  # fmt: skip
    return django_csrf_failure(request, reason)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON on the API, the site's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Something went wrong; it has been logged."},
                            status=500)  # fmt: skip
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception | None = None):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


class CursorPage(CursorPagination):
    """DRF's cursor pages, but a cursor the site did not hand out is a 400 naming
    the cursor (as on discussions), not a 404."""

    invalid_cursor_message = "That page cursor is not valid."

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({"cursor": [exc.detail]}) from exc


class ArticleCursorPagination(CursorPage):
    page_size = 20
    ordering = ("-published_at", "-id")


class OldestFirstCursorPagination(CursorPage):
    page_size = 50
    ordering = ("created_at", "id")
