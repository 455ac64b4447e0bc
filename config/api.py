"""What every API view shares: JSON errors, the body size limit, pagination, and
the mapping of the services' exceptions to HTTP statuses."""

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


class RateLimited(exceptions.Throttled):
    """A 429 whose Retry-After the service computed."""


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That conflicts with what is already there."
    default_code = "conflict"


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
    return drf_exception_handler(exc, context)


class ApiBodyLimitMiddleware:
    """Refuse oversized API bodies with a JSON 413 before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
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
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON on the API, the site's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Something went wrong; it has been logged."},
                            status=500)  # fmt: skip
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)


def bad_request(request: HttpRequest, exception: Exception | None = None):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Bad request."}, status=400)
    from django.views.defaults import bad_request as django_bad_request

    return django_bad_request(request, exception)


class ArticleCursorPagination(CursorPagination):
    page_size = 20
    ordering = ("-published_at", "-id")


class NewestFirstCursorPagination(CursorPagination):
    page_size = 50
    ordering = ("-created_at", "-id")


def json_dumps(data) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=True)
