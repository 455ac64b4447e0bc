"""The e-mails accounts send to an account's owner."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from .models import User


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, {"site_name": settings.SITE_NAME, **context})
    # The subject is ours alone, never a reader's words: no header can be forged.
    send_mail(subject=f"{settings.SITE_NAME}: {subject}", message=body,
              from_email=None, recipient_list=[to])  # fmt: skip


def send_password_changed(*, user_id: int) -> None:
    """Tell an account's owner their password changed and every device is out."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return
    _send(
        to=user.email,
        subject="your password was changed",
        template="accounts/email/password_changed.txt",
        context={"name": user.username, "reset_link": _link("password_reset")},
    )


def send_signup_link(*, email: str, token: str) -> None:
    """E-mail the link that finishes a sign-up (it works for two days)."""
    _send(
        to=email,
        subject="finish signing up",
        template="accounts/email/signup_link.txt",
        context={"link": _link("signup-confirm", token)},
    )


def send_signup_attempt(*, email: str) -> None:
    """Tell an address's owner that someone tried to sign up with it."""
    _send(
        to=email,
        subject="someone tried to sign up with your address",
        template="accounts/email/signup_attempt.txt",
        context={"login_link": _link("login"), "reset_link": _link("password_reset")},
    )
