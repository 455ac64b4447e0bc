"""Comments' Celery tasks: thin wrappers that call one service each."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
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


def _claim(key: str, seconds: float) -> bool:
    """Take a cache lock on `key` for `seconds`: False if someone holds it."""
    try:
        return cache.add(key, 1, timeout=seconds)
    except Exception:  # the cache is down: better twice than never
        logger.warning("cache unreachable; %s taken without a lock", key)
        return True


def _release(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("cache unreachable; %s left to expire", key)


RESENDING = "comments:resend:running"


@shared_task(acks_late=True)
def resend_unsent_notices() -> int:
    """Re-enqueue the reply notices a broker outage or a lost message left unsent.

    Each notice is re-enqueued once per NOTICE_RESEND_AFTER, however many runs
    queued up while no worker took them, and a run that finds another under
    way leaves the work to it.
    """
    if not _claim(RESENDING, settings.CELERY_TASK_TIME_LIMIT):
        logger.info("a resend run is under way; this one stands down")
        return 0
    try:
        # The message expires with its lock, so a lost one is sent again.
        patience = settings.NOTICE_RESEND_AFTER.total_seconds()
        unsent = selectors.unnotified_approved(older_than=settings.NOTICE_RESEND_AFTER)
        sent = 0
        for comment_id in unsent:
            if _claim(f"comments:resend:{comment_id}", patience):
                notify_comment_approved.apply_async((comment_id,), expires=patience)
                sent += 1
    finally:
        _release(RESENDING)
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
