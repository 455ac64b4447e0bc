"""What a reader's reports came to, for their page "Your reports".

A flag's outcome is the moderator's decision on the comment it reported
(`Flag.resolved_at`, `Flag.upheld`, set by services.moderator_decide). Whether
the flag counted toward holding the comment (a shadow-banned reader's do not)
and how much it weighed stay out: each reader's reports read alike.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from accounts.models import User
from comments.models import Comment

from .models import Flag

PER_PAGE = 30
WAITING = "Waiting for a moderator"
REMOVED = "Removed after your report"
RESTORED = "Removed after your report, then published again on review"
STAYS = "Reviewed: it stays up"
DELETED = "Deleted by its author"


def outcome(flag: Flag) -> str:
    """What came of one report, in words."""
    comment = flag.comment
    if flag.resolved_at is None:
        return DELETED if comment.is_deleted else WAITING
    if not flag.upheld:
        return STAYS
    if comment.status == Comment.Status.APPROVED and not comment.shadowed:
        return RESTORED  # an appeal reversed the removal
    return REMOVED


@dataclass(frozen=True)
class Receipt:
    flag: Flag
    outcome: str
    # The comment, when the reader may still read it (else no excerpt).
    comment: Comment | None
    # Its article, when the reader may still read it.
    article_live: bool


def my_flags(*, user: User, page: str | int | None) -> tuple[Page, list[Receipt]]:
    """One page of the reader's flags, newest first, each with its outcome: the
    same three queries however many flags there are."""
    flags = (
        Flag.objects.filter(user=user)
        .select_related("comment__article")
        .order_by("-created_at", "-pk")
    )
    found = Paginator(flags, PER_PAGE).get_page(page)
    ids = [f.comment_id for f in found]
    readable = set(
        Comment.objects.readable_by(user)
        .filter(pk__in=ids, deleted_at__isnull=True)
        .values_list("pk", flat=True)
    )
    receipts = [
        Receipt(
            flag=f,
            outcome=outcome(f),
            comment=f.comment if f.comment_id in readable else None,
            article_live=f.comment.article.is_live or user.is_staff,
        )
        for f in found
    ]
    return found, receipts
