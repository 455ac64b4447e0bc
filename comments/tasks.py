"""Comments' Celery tasks: thin wrappers that call one service each."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import guests, notifications, selectors

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def notify_comment_approved(comment_id: int) -> None:
    """E-mail the parent's author and the article's followers about one comment."""
    notifications.comment_notify(comment_id=comment_id)


@shared_task(acks_late=True)
def resend_unsent_notices() -> int:
    """Re-enqueue the reply notices a broker outage or a lost message left unsent."""
    unsent = selectors.unnotified_approved(older_than=settings.NOTICE_RESEND_AFTER)
    for comment_id in unsent:
        notify_comment_approved.delay(comment_id)
    if unsent:
        logger.warning("re-enqueued %d unsent reply notice(s)", len(unsent))
    return len(unsent)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_guest_confirmation(email: str) -> None:
    """E-mail a guest the link that confirms their address."""
    guests.send_confirmation(email=email)
