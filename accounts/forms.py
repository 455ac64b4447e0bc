"""Forms for the account pages: they validate, the services write."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AuthenticationForm,
    PasswordChangeForm,
    SetPasswordForm,
    UsernameField,
)
from django.core.exceptions import ValidationError

from core.net import client_ip

from . import services
from .models import User
from .usernames import UsernameValidator


class SignupForm(forms.Form):
    username = UsernameField(
        max_length=150,
        help_text="Letters, digits and . @ + - _ only. Shown with your comments.",
        validators=[UsernameValidator()],
    )
    email = forms.EmailField(
        label="E-mail address",
        help_text="For password resets and, if you want them, replies. Never shown.",
    )
    display_name = forms.CharField(
        max_length=60, required=False, help_text="Optional: the name shown instead."
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        # The sign-up rules (a name or address taken, a weak password) are the
        # service's; the form checks only that the two passwords agree.
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        return cleaned

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show the service's refusal beside the fields it names."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            name = {"password": "password1", "__all__": None}.get(field, field)
            self.add_error(name if name in self.fields or name is None else None,
                           errors)  # fmt: skip


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "reply_emails", "decision_emails"]


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing for a while after repeated failures.

    Counted by `services.sign_in_attempt`, the rule the API shares, before the
    password is checked, with the same answer whether or not the account exists.
    """

    def clean(self) -> dict:
        username = self.data.get("username", "")
        address = (client_ip(self.request) if self.request else None) or ""
        attempt = services.sign_in_attempt(username=username, address=address)
        if attempt.wait:
            raise forms.ValidationError(
                "Too many failed sign-ins; try again in %(minutes)d minute(s).",
                code="throttled",
                params={"minutes": max(1, round(attempt.wait / 60))},
            )
        cleaned = super().clean()  # a wrong password raises: the attempt counts
        services.sign_in_succeeded(attempt=attempt)
        return cleaned


class SignOutEverywhereMixin:
    """A password form whose save signs every device out (the service's rule)."""

    password_field = "new_password1"  # noqa: S105 (a field name)

    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data.get(self.password_field)
        if self.cleaned_data.get("set_usable_password") is False:
            password = None  # the admin's "disable password-based sign-in"
        return services.user_set_password(user=self.user, password=password)


class SignOutEverywherePasswordChangeForm(SignOutEverywhereMixin, PasswordChangeForm):
    pass


class SignOutEverywhereSetPasswordForm(SignOutEverywhereMixin, SetPasswordForm):
    pass


class SignOutEverywhereAdminPasswordForm(
    SignOutEverywhereMixin, AdminPasswordChangeForm
):
    password_field = "password1"  # noqa: S105 (a field name)
