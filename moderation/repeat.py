"""Repeat abuse: an author whose comments keep being removed is warned once,
then their new comments wait for a moderator (in the spirit of the Digital
Services Act, art. 23).

A removal is a comment of the author's rejected or marked as spam, by the
machine or a person, within the last MODERATION_REPEAT_DAYS, that still stands
removed: a reversal on appeal (or any later approval) takes it off the count. A
shadowed comment is not counted: its author is dealt with by the shadow ban.
Reaching MODERATION_REPEAT_REJECTIONS warns the author (once per window, audited
as `warn`); from then on, while the count stays there, the rule `repeat_abuse`
holds each new comment.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from comments.models import Comment

from .models import Action, AuditEntry

REMOVED = (Comment.Status.REJECTED, Comment.Status.SPAM)
WARN = "warn"


def window_start() -> datetime:
    return timezone.now() - timedelta(days=settings.MODERATION_REPEAT_DAYS)


def removals(*, author_id: int) -> int:
    """How many of the author's comments were removed within the window and are
    still removed: one query, on the comments' author index and the audit log's
    comment index."""
    removed_lately = AuditEntry.objects.filter(
        comment_id=OuterRef("pk"),
        action__in=(Action.REJECT, Action.SPAM),
        created_at__gte=window_start(),
    )
    return (
        Comment.objects.filter(author_id=author_id, status__in=REMOVED, shadowed=False)
        .filter(Exists(removed_lately))
        .count()
    )


def is_repeat(count: int) -> bool:
    return count >= settings.MODERATION_REPEAT_REJECTIONS


def hold_reason(count: int) -> str:
    """Why a repeat abuser's new comment waits, in the author's words."""
    return (
        f"{count} of your comments were removed in the last "
        f"{settings.MODERATION_REPEAT_DAYS} days; new ones wait for a moderator "
        "for now."
    )


def warning_reason(count: int) -> str:
    return (
        f"{count} comments removed within {settings.MODERATION_REPEAT_DAYS} days: "
        "warned, and new comments are held while it stays at "
        f"{settings.MODERATION_REPEAT_REJECTIONS} or more."
    )


def warned_lately(*, author_id: int) -> bool:
    """Whether the author has been warned within the window already."""
    return AuditEntry.objects.filter(
        action=WARN, subject_user_id=author_id, created_at__gte=window_start()
    ).exists()
