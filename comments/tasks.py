from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from . import notifications


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def notify_comment_approved(comment_id: int) -> None:
    """E-mail the parent's author and the article's followers about one comment."""
    notifications.comment_notify(comment_id=comment_id)
