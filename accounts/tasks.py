"""Accounts' Celery tasks: thin wrappers that call one service each."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from . import mail

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
