"""Reads for moderation: what waits for a person, what the machine must redo."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from comments.models import Comment

from .models import Flag, Verdict


def pending_too_long(*, older_than: timedelta) -> list[tuple[int, int]]:
    """(id, revision) of comments still pending after `older_than`."""
    cutoff = timezone.now() - older_than
    stale = Comment.objects.filter(
        status=Comment.Status.PENDING, created_at__lt=cutoff
    ).filter(Q(edited_at__isnull=True) | Q(edited_at__lt=cutoff))
    return list(stale.order_by("id").values_list("id", "revision")[:1000])


FLAGGED = "flagged"
# Why a comment waits: the machine held it, it is not decided yet, or readers
# flagged a published comment.
QUEUE_STATES = (Comment.Status.HELD, Comment.Status.PENDING, FLAGGED)


def queue(state: str | None = None) -> QuerySet:
    """Comments waiting for a moderator: held, pending, or flagged and unreviewed.

    `state` (one of QUEUE_STATES) narrows it to one reason for waiting.
    """
    flagged = Flag.objects.open().filter(comment=OuterRef("pk"))
    waiting = Comment.objects.filter(
        Q(status__in=[Comment.Status.HELD, Comment.Status.PENDING])
        | Q(status=Comment.Status.APPROVED) & Exists(flagged),
        deleted_at__isnull=True,
    )
    if state == FLAGGED:
        return waiting.filter(status=Comment.Status.APPROVED)
    if state is not None:
        return waiting.filter(status=state)
    return waiting


def fired(rule: str) -> Exists:
    """For a comment query: a verdict on the comment recorded `rule` firing."""
    return Exists(
        Verdict.objects.filter(comment=OuterRef("pk"), rule_names__contains=f" {rule} ")
    )
