"""Moderation's receivers: new comments to decide, and decisions to learn from."""

import logging

from django.dispatch import receiver

from comments.signals import comment_posted
from core.tasks import enqueue_on_commit

from .models import Action
from .signals import author_to_be_told, comment_decided
from .tasks import learn_spam, moderate_comment, send_decision_notice

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


@receiver(comment_decided, dispatch_uid="moderation.learn_from_moderators")
def learn_from_moderators(sender, comment_id: int, action: Action, **kwargs) -> None:
    """A moderator's approve or spam mark teaches the spam model."""
    if action in (Action.APPROVE, Action.SPAM):
        enqueue_on_commit(learn_spam, comment_id, action == Action.SPAM)


@receiver(author_to_be_told, dispatch_uid="moderation.tell_the_author")
def tell_the_author(sender, comment_id: int, kind: str, **kwargs) -> None:
    """Queue the e-mail to the comment's author; it is recorded before it is sent."""
    try:
        send_decision_notice.delay(comment_id, kind)
    except Exception:
        logger.exception("could not queue the notice about comment %s", comment_id)
