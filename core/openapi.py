"""The schema of the API's error answers, for every operation.

drf-standardized-errors' AutoSchema documents the errors each operation can
give, in the shape core.api answers. This subclass fits it to the project:
the handler is core.api's wrapper (which the library does not recognise); a
session's writes can fail CSRF (403) and POSTs can be rate-limited by their
service (429) where DRF's permissions and throttles would not say so; bodies
can be too large (413) and the database unreachable (503) anywhere; a view
declares its own 409s; and a query parameter the view reads can be refused
with a 400 naming it in `attr`.
"""

from django.db import models
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from drf_standardized_errors import openapi
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ServerErrorEnum,
    ValidationErrorEnum,
)
from inflection import camelize
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.settings import api_settings

from .api import exception_handler

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
WITH_BODY = {"POST", "PUT", "PATCH"}


class ErrorCode409Enum(models.TextChoices):
    CONFLICT = "conflict"


class ErrorCode413Enum(models.TextChoices):
    REQUEST_TOO_LARGE = "request_too_large"


class ErrorCode503Enum(models.TextChoices):
    UNAVAILABLE = "unavailable"


def _error_response_serializer(status_code: int, codes, kind) -> type:
    """A serializer for an answer that carries exactly one error of these codes."""
    error = type(
        f"Error{status_code}Serializer",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=codes.choices),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    return type(
        f"ErrorResponse{status_code}Serializer",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=kind.choices),
            "errors": error(many=True),
        },
    )


EXTRA_ERRORS = {
    "409": _error_response_serializer(409, ErrorCode409Enum, ClientErrorEnum),
    "413": _error_response_serializer(413, ErrorCode413Enum, ClientErrorEnum),
    "503": _error_response_serializer(503, ErrorCode503Enum, ServerErrorEnum),
}
# For a view to declare where a 409 can happen: no rule can guess it.
CONFLICT = OpenApiResponse(
    EXTRA_ERRORS["409"], description="It conflicts with what is there."
)


class AutoSchema(openapi.AutoSchema):
    def _get_allowed_error_status_codes(self) -> list[str]:
        return sorted({*super()._get_allowed_error_status_codes(), *EXTRA_ERRORS})

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        """The library's rules, for our handler, and ours for the statuses it
        has no rule for."""
        if status_code in responses:
            return False  # the view documents this answer itself
        if self.view.get_exception_handler() is not exception_handler:
            return False
        if status_code == "400":
            return (
                self._should_add_parse_error_response()
                or self._should_add_validation_error_response()
            )
        if status_code == "403" and self.method in WRITES and self._has_session():
            return True  # a session's write can fail its CSRF check
        if status_code == "409":
            return False  # only where a view declares it (a second flag)
        if status_code == "413":
            return self.method in WITH_BODY
        if status_code == "429" and self.method == "POST":
            return True  # services rate-limit posting, voting, flagging, signing in
        if status_code == "503":
            return True  # the database can be unreachable anywhere
        return getattr(self, f"_should_add_http{status_code}_error_response")()

    def _has_session(self) -> bool:
        return any(
            isinstance(a, SessionAuthentication) for a in self.view.get_authenticators()
        )

    def _get_error_response_serializer(self, status_code: str):
        return EXTRA_ERRORS.get(status_code) or super()._get_error_response_serializer(
            status_code
        )

    def _should_add_parse_error_response(self) -> bool:
        return self.method in WITH_BODY and super()._should_add_parse_error_response()

    def _query_parameters(self) -> list[str]:
        return [p["name"] for p in self._get_parameters() if p["in"] == "query"]

    def _should_add_validation_error_response(self) -> bool:
        return bool(
            super()._should_add_validation_error_response() or self._query_parameters()
        )

    def _get_serializer_for_validation_error_response(self):
        """One error per problem; attr names a body field or query parameter."""
        fields = self._determine_fields_with_error_codes()
        attrs = {f.name for f in fields} | set(self._query_parameters())
        attrs.discard(api_settings.NON_FIELD_ERRORS_KEY)
        codes = {"invalid"}.union(*(f.error_codes for f in fields))
        if "cursor" in attrs:
            codes.add("invalid_cursor")
        return _validation_error_serializer(
            camelize(self.get_operation_id()), sorted(attrs), sorted(codes)
        )


def _validation_error_serializer(
    name: str, attrs: list[str], codes: list[str]
) -> serializers.Serializer:
    # The suffix keeps the library's enum hook from pooling every operation's
    # attr choices into one shared enum.
    suffix = openapi.package_settings.ERROR_COMPONENT_NAME_SUFFIX

    @extend_schema_field(
        {
            "type": "string",
            "enum": [*attrs, None],
            "nullable": True,
            "description": "The body field or query parameter at fault; null for "
            "the request as a whole.",
        }
    )
    class Attr(serializers.CharField):
        pass

    class ValidationErrorItem(serializers.Serializer):
        attr = Attr(allow_null=True)
        code = serializers.CharField(
            help_text=f"Why, for a program: {', '.join(codes)}, or another a "
            "service gives."
        )
        detail = serializers.CharField(help_text="Why, for a person.")

        class Meta:
            ref_name = f"{name}{suffix}"

    class ValidationErrorResponse(serializers.Serializer):
        type = serializers.ChoiceField(choices=ValidationErrorEnum.choices)
        errors = ValidationErrorItem(many=True)

        class Meta:
            ref_name = f"{name}ValidationError"

    return force_instance(ValidationErrorResponse)
