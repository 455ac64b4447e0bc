"""Forms for the account pages: they validate, the services write."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UsernameField

from . import services
from .models import User
from .usernames import UsernameValidator, username_skeleton


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

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username_skeleton=username_skeleton(username)).exists():
            raise forms.ValidationError(
                "That username is taken, or looks too much like one that is.",
                code="taken",
            )
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail address already exists; "
                "sign in or reset your password.",
                code="taken",
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                display_name=cleaned.get("display_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "reply_emails"]


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing for a while after repeated failures.

    Counted per account and, more loosely, per address, exactly as the API does,
    with the same answer whether or not the account exists.
    """

    def clean(self) -> dict:
        username = self.data.get("username", "")
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if wait := services.sign_in_wait(username=username, address=address):
            raise forms.ValidationError(
                "Too many failed sign-ins; try again in %(minutes)d minute(s).",
                code="throttled",
                params={"minutes": max(1, round(wait / 60))},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            services.sign_in_failed(username=username, address=address)
            raise
