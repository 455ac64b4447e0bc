"""Accounts over the API: register, per-device tokens, and the signed-in reader,
their data and the erasure of their account."""

from django.contrib.auth import authenticate, logout
from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ErrorResponse429Serializer,
    ParseErrorResponseSerializer,
    ValidationErrorEnum,
)
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApiRateLimited
from core.net import client_ip

from . import privacy, services
from .auth import CachedTokenAuthentication
from .models import User
from .usernames import UsernameValidator


class UserSerializer(serializers.ModelSerializer):
    reply_emails = serializers.BooleanField(required=False)
    decision_emails = serializers.BooleanField(required=False)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "reply_emails",
                  "decision_emails"]  # fmt: skip
        read_only_fields = ["id", "username", "email"]


class RegisterSerializer(serializers.Serializer):
    """The shapes only: the sign-up rules are `services.user_register`'s."""

    username = serializers.CharField(max_length=150, validators=[UsernameValidator()])
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, min_length=1, max_length=128)
    display_name = serializers.CharField(max_length=60, required=False,
                                         allow_blank=True, default="")  # fmt: skip


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)


TokenAnswer = inline_serializer(
    "Token", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
)


def _token_for(user: User) -> dict:
    instance, token = AuthToken.objects.create(user)
    return {"token": token, "expiry": instance.expiry}


SignupAnswer = inline_serializer("SignupSent", {"detail": serializers.CharField()})


class RegisterView(APIView):
    """Ask for an account: the link that finishes it is e-mailed to the address."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        request=RegisterSerializer,
        responses={202: SignupAnswer},
        summary="Ask for an account: a link to finish it goes to the e-mail address",
    )
    def post(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.signup_request(**data.validated_data,
                                address=client_ip(request) or "")  # fmt: skip
        # The same answer whether or not the address has an account.
        return Response(
            {"detail": "Check your e-mail: a link there finishes signing up."},
            status=status.HTTP_202_ACCEPTED,
        )


class TokenView(APIView):
    """Sign in (one token per device) and sign out (this device's token)."""

    authentication_classes = []
    permission_classes = []

    def get_authenticators(self):
        # Signing out needs the token it revokes; signing in ignores any old one.
        if self.request is not None and self.request.method == "DELETE":
            return [CachedTokenAuthentication()]
        return []

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [IsAuthenticated()]
        return []

    @extend_schema(
        request=LoginSerializer,
        responses={200: TokenAnswer},
        summary="Sign in: a new token for this device",
    )
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        address = client_ip(request) or ""
        attempt = services.sign_in_attempt(username=username, address=address)
        if attempt.wait:
            raise ApiRateLimited(
                wait=attempt.wait, detail="Too many failed sign-ins; wait a while."
            )
        user = authenticate(
            request, username=username, password=data.validated_data["password"]
        )
        if user is None:
            raise ValidationError("Wrong username or password.", code="invalid")
        services.sign_in_succeeded(attempt=attempt)
        return Response(_token_for(user))

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Sign out this device: its token stops working",
    )
    def delete(self, request):
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokensView(APIView):
    authentication_classes = [CachedTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Sign out everywhere: every token of this account",
    )
    def delete(self, request):
        AuthToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class EraseSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, write_only=True)


@extend_schema_field(
    {"type": "string", "enum": ["password", None], "nullable": True,
     "description": "password; null for a body that is not a JSON object"}
)  # fmt: skip
class _EraseAttr(serializers.CharField):
    pass


class MeDestroyError(serializers.Serializer):
    attr = _EraseAttr(allow_null=True)
    code = serializers.ChoiceField(
        choices=["required", "blank", "null", "max_length", "invalid"],
        help_text="invalid: not your password (or not a JSON object)",
    )
    detail = serializers.CharField()


EraseRefused = PolymorphicProxySerializer(
    component_name="MeDestroyErrorResponse400",
    serializers={
        ValidationErrorEnum.VALIDATION_ERROR.value: inline_serializer(
            "MeDestroyValidationError",
            {
                "type": serializers.ChoiceField(choices=ValidationErrorEnum.choices),
                "errors": MeDestroyError(many=True),
            },
        ),
        ClientErrorEnum.CLIENT_ERROR.value: ParseErrorResponseSerializer,
    },
    resource_type_field_name="type",
)

# The export's sections are filled in by the apps that hold them, so the schema
# names the two accounts gives and leaves the others open (arrays of rows).
READER_DATA = {
    "type": "object",
    "properties": {
        "profile": {"type": "object", "additionalProperties": True},
        "tokens": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "created": {"type": "string", "format": "date-time"},
                    "expires": {"type": "string", "format": "date-time",
                                "nullable": True},
                    "last_used": {"type": "string", "format": "date-time",
                                  "nullable": True},
                },
            },
        },
    },
    "required": ["profile", "tokens"],
    "additionalProperties": {
        "type": "array",
        "items": {"type": "object", "additionalProperties": True},
    },
}  # fmt: skip


class MeExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: OpenApiResponse(READER_DATA, description=(
            "Sections by name: profile, tokens (one per device, never the "
            "token), comments (every status), votes, follows, flags, appeals."))},
        summary="Everything the site holds on the signed-in reader",
    )  # fmt: skip
    def get(self, request):
        return Response(privacy.reader_data(user=request.user))


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer}, summary="The signed-in reader")
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        request=UserSerializer,
        responses={200: UserSerializer},
        summary="Change display name, reply e-mails or decision e-mails",
    )
    def patch(self, request):
        data = UserSerializer(request.user, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(
            user=request.user,
            display_name=data.validated_data.get("display_name",
                                                 request.user.display_name),
            reply_emails=data.validated_data.get("reply_emails",
                                                 request.user.reply_emails),
            decision_emails=data.validated_data.get("decision_emails"),
        )  # fmt: skip
        return Response(UserSerializer(user).data)

    @extend_schema(
        request=None,
        responses={204: None, 400: EraseRefused, 429: ErrorResponse429Serializer},
        summary='Erase this account: send {"password"} in the body',
        description=(
            "The body is a JSON object with the account's current password. "
            "Comment bodies are erased (each node stays, shown as a deleted "
            "account), votes, flags and follows removed, every token revoked; "
            "the account can never sign in again. Wrong passwords count "
            "against the sign-in limits (429 past them)."
        ),
    )
    def delete(self, request):
        data = EraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_erase_own(
            user=request.user,
            password=data.validated_data["password"],
            address=client_ip(request) or "",
        )
        if hasattr(request, "session"):
            logout(request._request)  # a page's session signed in as this reader
        return Response(status=status.HTTP_204_NO_CONTENT)
