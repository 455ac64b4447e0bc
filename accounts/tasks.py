"""Accounts' Celery tasks: thin wrappers that call one service each."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from . import mail, privacy

_RETRIED = {
    "acks_late": True,
    "autoretry_for": (OperationalError, SMTPException, ConnectionError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**_RETRIED)
def send_password_changed(user_id: int) -> None:
    """E-mail an account's owner that its password changed and devices are out."""
    mail.send_password_changed(user_id=user_id)


@shared_task(**_RETRIED)
def send_signup_link(email: str, token: str) -> None:
    """E-mail the link that finishes a sign-up to the address it gave."""
    mail.send_signup_link(email=email, token=token)


@shared_task(**_RETRIED)
def send_signup_attempt(email: str) -> None:
    """Tell an account's owner that someone tried to sign up with their address."""
    mail.send_signup_attempt(email=email)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=5)  # fmt: skip
def erase_old_addresses() -> int:
    """Erase stored client addresses older than PRIVACY_ADDRESS_DAYS, every app's."""
    return privacy.addresses_erase_old()
