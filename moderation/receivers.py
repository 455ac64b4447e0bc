"""Moderation hears of new and edited comments through comments' signal."""

import logging

from django.dispatch import receiver

from comments.signals import comment_posted

from .tasks import moderate_comment

logger = logging.getLogger(__name__)


@receiver(comment_posted, dispatch_uid="moderation.enqueue_moderation")
def enqueue_moderation(sender, comment_id: int, revision: int, **kwargs) -> None:
    """Queue the decision; with the broker down the comment waits as pending."""
    try:
        moderate_comment.delay(comment_id, revision)
    except Exception:
        logger.exception(
            "comment %s left pending: could not reach the broker", comment_id
        )
