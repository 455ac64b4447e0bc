"""Comments' Celery tasks: thin wrappers that call one service each."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from core.tasks import requeue_once

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


RESEND = "comments:resend"
RESENDING = f"{RESEND}:running"  # held while a run is under way


@shared_task(acks_late=True)
def resend_unsent_notices() -> int:
    """Re-enqueue the reply notices a broker outage or a lost message left
    unsent: each comment's once per NOTICE_RESEND_AFTER."""
    sent = requeue_once(
        job=RESEND,
        task=notify_comment_approved,
        find=lambda: [
            (comment_id,)
            for comment_id in selectors.unnotified_approved(
                older_than=settings.NOTICE_RESEND_AFTER
            )
        ],
        patience=settings.NOTICE_RESEND_AFTER,
        run_limit=settings.CELERY_TASK_TIME_LIMIT,
    )
    if sent:
        logger.warning("re-enqueued %d unsent reply notice(s)", sent)
    return sent


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_guest_confirmation(email: str) -> None:
    """E-mail a guest the link that confirms their address."""
    guests.send_confirmation(email=email)
