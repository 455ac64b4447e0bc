"""What every API view shares: JSON errors, and the mapping of the services'
exceptions (core.exceptions, Django's) to HTTP statuses, for every app."""

import logging

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
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import Conflict, InvalidCursor, RateLimited

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# How long a client should wait when the database is unreachable: pages and API.
DATABASE_RETRY_AFTER_SECONDS = 5


class ApiRateLimited(exceptions.APIException):
    """A 429 whose wait the service computed; DRF sends it as Retry-After."""

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


def database_unavailable() -> HttpResponse:
    """The API's one answer while the database is unreachable (pages: 503.html)."""
    return JsonResponse(
        {"detail": DatabaseUnavailable.default_detail},
        status=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


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
    if isinstance(exc, ValidationError):
        return Response(_validation_payload(exc), status=400)
    if isinstance(exc, InvalidCursor):
        return Response({"cursor": [str(exc)]}, status=400)
    if isinstance(exc, RateLimited):
        exc = ApiRateLimited(wait=exc.retry_after, detail=str(exc))
    if isinstance(exc, Conflict):
        exc = ApiConflict(str(exc))
    if isinstance(exc, PermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    if isinstance(exc, ObjectDoesNotExist):
        # A row gone between the view's read and the service's (a race).
        exc = exceptions.NotFound()
    if isinstance(exc, OperationalError | InterfaceError):
        logger.exception("database unreachable: answering 503")
        return database_unavailable()
    return drf_exception_handler(exc, context)


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
