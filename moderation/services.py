"""Deciding comments. For now a first policy: hold what a person must see, approve
the rest; the rule set, verdicts and audit log grow here (see design.md)."""

from django.db import transaction

from comments.models import Comment
from comments.services import comment_set_status


def _first_from_guest(comment: Comment) -> bool:
    if comment.author_id is not None:
        return False
    return not Comment.objects.filter(
        author__isnull=True,
        guest_email__iexact=comment.guest_email,
        status=Comment.Status.APPROVED,
    ).exists()


@transaction.atomic
def comment_moderate(*, comment_id: int, revision: int | None = None) -> str | None:
    """Decide a pending comment once per revision; return the new status, if any."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.status != Comment.Status.PENDING:
        return None
    if revision is not None and revision != comment.revision:
        return None  # an edit made since: its own task decides it
    held = (
        comment.article.discussion_policy
        == comment.article.DiscussionPolicy.PREMODERATED
        or _first_from_guest(comment)
    )
    status = Comment.Status.HELD if held else Comment.Status.APPROVED
    comment_set_status(comment_id=comment.pk, status=status)
    return status
