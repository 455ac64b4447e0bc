from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5
)
def moderate_comment(comment_id: int, revision: int | None = None) -> None:
    """Run the article's moderation policy on one comment revision, once."""
    services.comment_moderate(comment_id=comment_id, revision=revision)
