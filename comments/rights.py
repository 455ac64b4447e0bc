"""What a reader may do with a comment: the one home of each right.

Each function answers None when the reader may, else the exception that says
why not. The services raise it; `selectors.mark_for_reader` asks the same
functions to decide which buttons a page shows, so a button is never offered
for an action the service would refuse, nor hidden for one it would allow.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.usernames import validate_public_name
from articles.models import Article
from core.exceptions import Conflict

from .models import Comment

Refusal = PermissionDenied | ValidationError | Conflict
DECIDED = (Comment.Status.REJECTED, Comment.Status.SPAM)


def is_author(comment: Comment, user) -> bool:
    return user is not None and user.is_authenticated and comment.author_id == user.pk


def _closed(article: Article) -> Refusal | None:
    if not article.accepts_comments:
        return ValidationError("Comments on this article are closed.")
    return None


def post_refusal(
    article: Article, author, guest_name: str, guest_email: str
) -> Refusal | None:
    """Why this author (None for a guest) may not comment on `article`, or None."""
    if closed := _closed(article):
        return closed
    if author is not None and author.is_banned:
        until = (
            "permanently"
            if author.ban_is_permanent
            else f"until {author.banned_until:%d %B %Y %H:%M} UTC"
        )
        reason = f" Reason: {author.ban_reason}" if author.ban_reason else ""
        return PermissionDenied(
            f"Your account is banned from commenting {until}.{reason}"
        )
    if author is None:
        if not settings.GUEST_COMMENTS:
            return PermissionDenied("Sign in to comment.")
        if not guest_name:
            return ValidationError({"guest_name": "Give a name to comment as a guest."})
        # A guest's name passes for nobody: the rules of readers' public names.
        try:
            validate_public_name(guest_name)
        except ValidationError as exc:
            return ValidationError({"guest_name": exc.messages})
        if not guest_email:
            return ValidationError(
                {"guest_email": "Give an e-mail address to comment."}
            )
    return None


def change_refusal(
    comment: Comment, user, verb: str, *, now: datetime | None = None
) -> Refusal | None:
    """Why `user` may not `verb` ("edit" or "delete") `comment`, or None."""
    if not is_author(comment, user):
        return PermissionDenied(f"You can only {verb} your own comments.")
    if comment.is_deleted:
        return ValidationError("That comment was deleted.")
    if verb == "edit" and not comment.article.is_live:
        return PermissionDenied(
            "The article is not published now; its discussion cannot be edited."
        )
    # A shadowed comment looks published to its author, so it stays editable.
    if verb == "edit" and comment.status in DECIDED and not comment.shadowed:
        return PermissionDenied(
            "A moderator's decision stands on this comment; it can no longer "
            "be edited, only deleted."
        )
    window = settings.COMMENT_EDIT_WINDOW
    if (now or timezone.now()) - comment.created_at > window:
        minutes = int(window.total_seconds() // 60)
        return PermissionDenied(
            f"Comments can be {verb}ed for {minutes} minutes after posting."
        )
    return None


_PUBLISHED_ONLY = {
    "vote": "Only published comments take votes.",
    "flag": "Only published comments can be flagged.",
}


def react_refusal(comment: Comment, user, verb: str) -> Refusal | None:
    """Why `user` may not `verb` ("vote" or "flag") `comment`, or None.

    A shadow-banned reader is let through, so the ban stays unseen; what they
    do is recorded and not counted (`counts_for_others`).
    """
    if user is None or not user.is_authenticated:
        return PermissionDenied(f"Sign in to {verb}.")
    if user.is_banned:
        return PermissionDenied(f"Your account is banned: it cannot {verb}.")
    published = comment.status == Comment.Status.APPROVED and comment.article.is_live
    if not published or comment.is_deleted:
        return ValidationError(_PUBLISHED_ONLY[verb])
    if comment.author_id == user.pk:
        return PermissionDenied(f"You cannot {verb} your own comment.")
    return None


def counts_for_others(user) -> bool:
    """Whether a reader's votes and flags move what others see."""
    return not user.is_shadow_banned


def reply_refusal(parent: Comment, user, article: Article) -> Refusal | None:
    """Why `user` may not answer `parent` on `article`, or None.

    The author may answer their own comment while it waits for a moderator
    (and a shadowed one, which looks published to them); a comment the reader
    may not see answers exactly like a missing one.
    """
    own = is_author(parent, user)
    visible = parent.status == Comment.Status.APPROVED or (
        own
        and (
            parent.shadowed
            or parent.status in (Comment.Status.PENDING, Comment.Status.HELD)
        )
    )
    if not visible:
        return ValidationError({"parent": "That comment does not exist."})
    if parent.article_id != article.pk:
        return ValidationError({"parent": "That comment belongs to another article."})
    if parent.is_deleted:
        return ValidationError(
            {"parent": "That comment was deleted; it takes no replies."}
        )
    return _closed(article)


APPEALABLE = (Comment.Status.HELD, Comment.Status.REJECTED, Comment.Status.SPAM)


def appeal_refusal(
    comment: Comment, user, *, now: datetime | None = None
) -> Refusal | None:
    """Why `user` may not appeal the decision on `comment`, or None.

    Its author may, once, within the window the decision states, while it is
    held, rejected or marked spam (a shadowed comment looks published to them).
    """
    if not is_author(comment, user):
        return PermissionDenied("Only its author can appeal a decision on a comment.")
    decision = comment.decision
    until = decision.get("appealable_until") if decision else None
    if (
        not until
        or comment.shadowed
        or comment.is_deleted
        or comment.status not in APPEALABLE
    ):
        return ValidationError("There is no decision on this comment to appeal.")
    if decision.get("appeal") is not None:
        return Conflict("You have already appealed this decision.")
    if (now or timezone.now()) > datetime.fromisoformat(until):
        return ValidationError("The time to appeal this decision has passed.")
    return None
