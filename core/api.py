"""What every API view shares: one JSON shape for errors, and the mapping of the
services' exceptions (core.exceptions, Django's) to HTTP statuses, for every app.

Every error answers `{"type": ..., "errors": [{"code", "detail", "attr"}]}`:
drf-standardized-errors formats what DRF raises; error_body() builds the same
shape for the answers Django and the middleware give outside DRF.
"""

import logging
from dataclasses import asdict

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.types import (
    CLIENT_ERROR,
    SERVER_ERROR,
    VALIDATION_ERROR,
    Error,
    ErrorResponse,
)
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings

from .exceptions import Conflict, InvalidCursor, RateLimited

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# How long a client should wait when the database is unreachable: pages and API.
DATABASE_RETRY_AFTER_SECONDS = 5


def error_body(
    status_code: int, code: str, detail: str, *, invalid_input: bool = False
) -> dict:
    """The JSON of one error, in the shape drf-standardized-errors gives DRF's;
    `invalid_input` for a request the client must change (a validation error)."""
    if status_code >= 500:
        kind = SERVER_ERROR
    else:
        kind = VALIDATION_ERROR if invalid_input else CLIENT_ERROR
    return asdict(ErrorResponse(kind, [Error(code, detail, None)]))


def error_response(
    status_code: int,
    code: str,
    detail: str,
    headers: dict | None = None,
    invalid_input: bool = False,
) -> JsonResponse:
    """An error answered outside DRF (Django's handlers, the middleware)."""
    return JsonResponse(
        error_body(status_code, code, detail, invalid_input=invalid_input),
        status=status_code,
        headers=headers,
    )


class ApiRateLimited(exceptions.APIException):
    """A 429 whose wait the service computed; sent as Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many requests; wait a moment."
    default_code = "throttled"

    def __init__(self, wait: int, detail: str | None = None) -> None:
        super().__init__(detail)
        self.wait = wait


class ApiConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That conflicts with what is already there."
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable; try again shortly."
    default_code = "unavailable"
    wait = DATABASE_RETRY_AFTER_SECONDS  # sent as Retry-After


def database_unavailable() -> HttpResponse:
    """The API's answer while the database is unreachable (pages: 503.html)."""
    return error_response(
        DatabaseUnavailable.status_code,
        DatabaseUnavailable.default_code,
        DatabaseUnavailable.default_detail,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def as_api_exception(exc: Exception) -> Exception:
    """The DRF exception a service's exception stands for; others unchanged."""
    if isinstance(exc, ValidationError):
        # One error per message; "__all__" becomes a non-field error (attr null).
        detail = get_error_detail(exc)
        if isinstance(detail, dict) and "__all__" in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
        return exceptions.ValidationError(detail)
    if isinstance(exc, InvalidCursor):
        return exceptions.ValidationError({"cursor": [str(exc)]}, code="invalid_cursor")
    if isinstance(exc, RateLimited):
        return ApiRateLimited(wait=exc.retry_after, detail=str(exc))
    if isinstance(exc, Conflict):
        return ApiConflict(str(exc) or None)
    if isinstance(exc, PermissionDenied):
        # The reason (a ban, someone else's comment) is the reader's to know.
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, ObjectDoesNotExist):
        # A row gone between the view's read and the service's (a race).
        return exceptions.NotFound()
    if isinstance(exc, OperationalError | InterfaceError):
        return DatabaseUnavailable()
    return exc


class _Formatter(ExceptionFormatter):
    def get_errors(self) -> list[Error]:
        # attr is null for an error about the request as a whole, whether a
        # serializer or a service raised it.
        return [
            Error(e.code, e.detail, None)
            if e.attr == api_settings.NON_FIELD_ERRORS_KEY
            else e
            for e in super().get_errors()
        ]


class _Handler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        return super().convert_known_exceptions(as_api_exception(exc))

    def format_exception(self, exc: exceptions.APIException) -> dict:
        return _Formatter(exc, self.context, self.exc).run()

    def report_exception(self, exc: exceptions.APIException, response) -> None:
        if isinstance(exc, DatabaseUnavailable):
            # An outage, not a bug: logged once here, not reported as a crash.
            logger.error("database unreachable: answering 503: %s", self.exc)
            return
        super().report_exception(exc, response)


def exception_handler(exc, context):
    """drf-standardized-errors' handler, taught the services' exceptions."""
    return _Handler(exc, context).run()


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A CSRF failure: JSON on the API, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return error_response(
            403,
            "permission_denied",
            "CSRF check failed: send a token header, or the CSRF token with your "
            "session.",
        )
    return django_csrf_failure(request, reason)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON on the API, the site's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return error_response(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return error_response(500, "error", "Something went wrong; it has been logged.")
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception | None = None):
    if request.path.startswith(API_PREFIX):
        return error_response(400, "bad_request", "Bad request.")
    return defaults.bad_request(request, exception)
