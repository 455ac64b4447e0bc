"""Every write to the comment tree: post, edit, delete, vote, status, follow.

Pages, the API, the admin and moderation's tasks all call these functions, so
each rule lives in one place. Each runs in one transaction; counters move with
F() updates inside it.
"""

import hashlib
import hmac
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import ratelimit
from accounts.models import User
from articles.models import Article
from core.exceptions import RateLimited
from core.tasks import enqueue_on_commit

from .cache import discussion_changed
from .markdown import render_comment
from .models import MAX_DEPTH, ArticleSubscription, Comment, Vote, path_segment
from .signals import comment_posted
from .tasks import notify_comment_approved

MAX_BODY = 5000
DUPLICATE_WINDOW = timedelta(minutes=5)
_ALLOWED_CONTROLS = {"\n", "\t"}


def normalise_body(body: str) -> str:
    """The stored form of a body: NFC, Unix line ends, trimmed; refuse what hides."""
    text = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.strip()
    if not text:
        raise ValidationError({"body": "Write something before posting."})
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            raise ValidationError(
                {
                    "body": "The text contains a control character "
                    f"(U+{ord(char):04X}); remove it and try again."
                }
            )
    if len(text) > MAX_BODY:
        raise ValidationError(
            {"body": f"Keep it to {MAX_BODY:,} characters; this is {len(text):,}."}
        )
    return text


def hash_address(ip_address: str | None) -> str:
    """A keyed hash of the client address: enough to match, never to recover it."""
    if not ip_address:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, ip_address.encode(), hashlib.sha256).hexdigest()


def _check_can_post(*, article: Article, author: User | None, guest_email: str) -> None:
    if not article.accepts_comments:
        raise ValidationError("Comments on this article are closed.")
    if author is not None and author.is_banned:
        until = (
            "permanently"
            if author.ban_is_permanent
            else f"until {author.banned_until:%d %B %Y %H:%M} UTC"
        )
        reason = f" Reason: {author.ban_reason}" if author.ban_reason else ""
        raise PermissionDenied(
            f"Your account is banned from commenting {until}.{reason}"
        )
    if author is None:
        if not settings.GUEST_COMMENTS:
            raise PermissionDenied("Sign in to comment.")
        if not guest_email:
            raise ValidationError({"guest_email": "Give an e-mail address to comment."})


def _check_parent(*, parent: Comment, article: Article, author: User | None) -> None:
    own = author is not None and parent.author_id == author.pk
    visible = parent.status == Comment.Status.APPROVED or (
        own and parent.status in {Comment.Status.PENDING, Comment.Status.HELD}
    )
    # A hidden comment looks exactly like a missing one, wherever it is.
    if not visible:
        raise ValidationError({"parent": "That comment does not exist."})
    if parent.article_id != article.pk:
        raise ValidationError({"parent": "That comment belongs to another article."})
    if parent.is_deleted:
        raise ValidationError(
            {"parent": "That comment was deleted; it takes no replies."}
        )


def _author_ident(author: User | None, guest_email: str) -> str:
    return f"user:{author.pk}" if author is not None else f"guest:{guest_email.lower()}"


def _check_duplicate(
    *, article: Article, author: User | None, guest_email: str, body: str
) -> None:
    recent = Comment.objects.filter(
        article=article,
        body=body,
        deleted_at__isnull=True,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    )
    recent = (
        recent.filter(author=author)
        if author is not None
        else recent.filter(author__isnull=True, guest_email__iexact=guest_email)
    )
    if recent.exists():
        raise ValidationError({"body": "You posted this same comment a moment ago."})


def _place(comment: Comment, parent: Comment | None) -> None:
    """Give a saved comment its root and path; deep replies sit at the last level."""
    if parent is None:
        comment.root_id, comment.depth = comment.pk, 0
        comment.path = path_segment(comment.pk)
    elif parent.depth < MAX_DEPTH - 1:
        comment.root_id, comment.depth = parent.root_id, parent.depth + 1
        comment.path = parent.path + path_segment(comment.pk)
    else:
        comment.root_id, comment.depth = parent.root_id, parent.depth
        comment.path = parent.tree_parent_path + path_segment(comment.pk)
    Comment.objects.filter(pk=comment.pk).update(
        root_id=comment.root_id, depth=comment.depth, path=comment.path
    )


def _announce(comment: Comment) -> None:
    pk, revision = comment.pk, comment.revision
    transaction.on_commit(
        lambda: comment_posted.send(sender=Comment, comment_id=pk, revision=revision)
    )


@transaction.atomic
def comment_post(
    *,
    article: Article,
    author: User | None,
    body: str,
    parent: Comment | None = None,
    guest_name: str = "",
    guest_email: str = "",
    ip_address: str | None = None,
    idempotency_key: str | None = None,
) -> Comment:
    """Save a comment or reply as pending and, after commit, hand it to moderation.

    A repeated idempotency key from the same author returns the first comment.
    """
    guest_name, guest_email = guest_name.strip(), guest_email.strip().lower()
    ident = _author_ident(author, guest_email)
    key = (
        hashlib.sha256(f"{ident}:{idempotency_key}".encode()).hexdigest()
        if idempotency_key
        else None
    )
    if key and (earlier := Comment.objects.filter(idempotency_key=key).first()):
        return earlier
    _check_can_post(article=article, author=author, guest_email=guest_email)
    if author is None and not guest_name:
        raise ValidationError({"guest_name": "Give a name to comment as a guest."})
    text = normalise_body(body)
    if parent is not None:
        # Read it afresh, locked, so a delete or rejection cannot slip in between.
        parent = _locked(parent.pk)
        _check_parent(parent=parent, article=article, author=author)
    _check_duplicate(article=article, author=author, guest_email=guest_email, body=text)
    ip_hash = hash_address(ip_address)
    if wait := ratelimit.hit(
        "comment", ident if author else ip_hash or ident, settings.COMMENT_THROTTLE_RATE
    ):
        raise RateLimited(wait)

    comment = Comment(
        article=article,
        parent=parent,
        author=author,
        guest_name="" if author else guest_name,
        guest_email="" if author else guest_email,
        body=text,
        body_html=render_comment(text),
        ip_hash=ip_hash,
        idempotency_key=key,
    )
    comment.full_clean(exclude=["root", "path", "body"])
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        # The same key won a race a moment ago: answer with that comment.
        if key and (earlier := Comment.objects.filter(idempotency_key=key).first()):
            return earlier
        raise
    _place(comment, parent)
    discussion_changed(article.pk)  # its author sees it at once, as pending
    _announce(comment)
    return comment


@transaction.atomic
def comment_import(
    *,
    article: Article,
    body: str,
    author: User | None = None,
    guest_name: str = "",
    guest_email: str = "",
    parent: Comment | None = None,
    status: str = Comment.Status.APPROVED,
    created_at=None,
) -> Comment:
    """Place an already-moderated comment (an import, demo content) in its thread.

    No posting rules, rate limits or moderation: the caller vouches for it.
    """
    text = normalise_body(body)
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        author=author,
        guest_name="" if author else guest_name,
        guest_email="" if author else guest_email.lower(),
        body=text,
        body_html=render_comment(text),
        status=status,
        # An imported comment is old news: nobody is e-mailed about it.
        notified_at=timezone.now() if status == Comment.Status.APPROVED else None,
    )
    if created_at is not None:
        Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
        comment.created_at = created_at
    _place(comment, parent)
    _move_counters(comment, int(_is_counted(comment)))
    return comment


def _check_own_and_in_window(comment: Comment, user: User, verb: str) -> None:
    if not user.is_authenticated or comment.author_id != user.pk:
        raise PermissionDenied(f"You can only {verb} your own comments.")
    if comment.is_deleted:
        raise ValidationError("That comment was deleted.")
    if timezone.now() - comment.created_at > settings.COMMENT_EDIT_WINDOW:
        minutes = int(settings.COMMENT_EDIT_WINDOW.total_seconds() // 60)
        raise PermissionDenied(
            f"Comments can be {verb}ed for {minutes} minutes after posting."
        )


def _is_counted(comment: Comment) -> bool:
    return comment.status == Comment.Status.APPROVED and comment.deleted_at is None


def _move_counters(comment: Comment, delta: int) -> None:
    """Count a comment in or out of the public totals; retire cached pages."""
    discussion_changed(comment.article_id)
    if delta == 0:
        return
    Article.objects.filter(pk=comment.article_id).update(
        comment_count=F("comment_count") + delta
    )
    if comment.parent_id:
        Comment.objects.filter(pk=comment.parent_id).update(
            reply_count=F("reply_count") + delta
        )


def _locked(comment_id: int) -> Comment:
    return Comment.objects.select_for_update().get(pk=comment_id)


@transaction.atomic
def comment_edit(*, comment: Comment, user: User, body: str) -> Comment:
    """Change the text within the edit window; the new revision is moderated again."""
    comment = _locked(comment.pk)
    _check_own_and_in_window(comment, user, "edit")
    text = normalise_body(body)
    if text == comment.body:
        return comment
    was_counted = _is_counted(comment)
    comment.body, comment.body_html = text, render_comment(text)
    comment.edited_at = timezone.now()
    comment.revision += 1
    comment.status = Comment.Status.PENDING
    comment.save(update_fields=["body", "body_html", "edited_at", "revision", "status"])
    _move_counters(comment, -int(was_counted))
    _announce(comment)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: User) -> Comment:
    """Take a comment back: its text is erased, its place in the thread stays."""
    comment = _locked(comment.pk)
    _check_own_and_in_window(comment, user, "delete")
    was_counted = _is_counted(comment)
    comment.deleted_at = timezone.now()
    comment.body = comment.body_html = ""
    comment.save(update_fields=["deleted_at", "body", "body_html"])
    _move_counters(comment, -int(was_counted))
    return comment


@transaction.atomic
def comment_set_status(
    *, comment_id: int, status: str, shadowed: bool = False
) -> tuple[Comment, str]:
    """Move a comment to `status`, keeping counters right; return it and the old status.

    `shadowed` shows the comment to its author as published and to nobody else.
    Approval releases the reply and follower e-mails once the transaction commits.
    """
    comment = _locked(comment_id)
    old = comment.status
    if old == status and comment.shadowed == shadowed:
        return comment, old
    was_counted = _is_counted(comment)
    comment.status, comment.shadowed = status, shadowed
    comment.save(update_fields=["status", "shadowed"])
    _move_counters(comment, int(_is_counted(comment)) - int(was_counted))
    if status == Comment.Status.APPROVED and comment.notified_at is None:
        enqueue_on_commit(notify_comment_approved, comment.pk)
    return comment, old


@transaction.atomic
def comment_vote(*, comment: Comment, user: User, value: int) -> tuple[int, int]:
    """Vote +1 or -1, or 0 to withdraw; return the new score and the reader's vote."""
    if value not in (1, -1, 0):
        raise ValidationError({"value": "A vote is 1, -1 or 0."})
    comment = _locked(comment.pk)
    if comment.status != Comment.Status.APPROVED or comment.is_deleted:
        raise ValidationError("Only published comments take votes.")
    if comment.author_id == user.pk:
        raise PermissionDenied("You cannot vote on your own comment.")
    if wait := ratelimit.hit("vote", str(user.pk), settings.VOTE_THROTTLE_RATE):
        raise RateLimited(wait, "voting")
    vote = Vote.objects.filter(comment=comment, user=user).first()
    old = vote.value if vote else 0
    if value == old:
        return comment.score, value
    if value == 0:
        vote.delete()
    elif vote is None:
        Vote.objects.create(comment=comment, user=user, value=value)
    else:
        vote.value = value
        vote.save(update_fields=["value"])
    Comment.objects.filter(pk=comment.pk).update(score=F("score") + (value - old))
    discussion_changed(comment.article_id)
    comment.refresh_from_db(fields=["score"])
    return comment.score, value


@transaction.atomic
def article_follow(*, article: Article, user: User, follow: bool) -> bool:
    """Start or stop e-mailing `user` each new comment on `article`."""
    if follow:
        ArticleSubscription.objects.get_or_create(article=article, user=user)
    else:
        ArticleSubscription.objects.filter(article=article, user=user).delete()
    return follow
