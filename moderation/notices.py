"""E-mails that tell a comment's author of a decision on it: a rejection or a
spam mark, a hold that lasts longer than usual, an appeal decided, and the
warning a repeat abuser gets (moderation.repeat) with the removal that made it.

Each is recorded before it is sent (DecisionNotice, one per decision and kind),
so a task run twice, or a worker that dies and is redelivered the task, never
sends it twice. No mail goes to a shadow-banned author, whose comment looks
published to them, nor to a reader who turned these e-mails off.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.notifications import one_line

from .models import DecisionNotice

Kind = DecisionNotice.Kind
UNPUBLISHED = ("reject", "spam")
SUBJECTS = {
    Kind.DECISION: "Your comment on “{title}” was not published",
    Kind.HELD: "Your comment on “{title}” is still waiting for a moderator",
    Kind.APPEAL: "Your appeal about a comment on “{title}” was decided",
    Kind.WARNING: "Your comments will wait for a moderator for a while",
}
# Told only while the decision they tell of still stands (not taken back).
OF_REMOVALS = (Kind.DECISION, Kind.WARNING)


def _recipient(comment: Comment):
    author = comment.author
    wanted = (
        author is not None
        and author.is_active
        and author.email
        and author.decision_emails
        and not comment.shadowed
        and not author.is_shadow_banned
    )
    return author if wanted else None


def decision_notice(*, comment_id: int, kind: str) -> bool:
    """Tell the author of the comment's current decision, once; True if sent."""
    comment = (
        Comment.objects.select_related("author", "article")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.decision is None:
        return False
    if kind in OF_REMOVALS and comment.decision["action"] not in UNPUBLISHED:
        return False  # taken back since: the comment is not rejected any more
    author = _recipient(comment)
    if author is None:
        return False
    decided_at = datetime.fromisoformat(comment.decision["decided_at"])
    try:
        with transaction.atomic():
            DecisionNotice.objects.create(
                comment=comment, decided_at=decided_at, kind=kind
            )
    except IntegrityError:
        return False  # told already
    page = settings.SITE_URL.rstrip("/") + reverse(
        "moderation:appeal", args=[comment.pk]
    )
    body = render_to_string(
        "moderation/email/decision.txt",
        {"comment": comment, "decision": comment.decision, "kind": kind,
         "recipient": author, "page": page, "site_name": settings.SITE_NAME,
         "profile": settings.SITE_URL.rstrip("/") + reverse("profile"),
         "repeat_rejections": settings.MODERATION_REPEAT_REJECTIONS,
         "repeat_days": settings.MODERATION_REPEAT_DAYS},
    )  # fmt: skip
    subject = SUBJECTS[Kind(kind)].format(title=comment.article.title)
    send_mail(one_line(subject), body, None, [author.email])
    return True


def long_holds() -> list[int]:
    """Held comments whose hold has lasted past MODERATION_HOLD_NOTICE_MINUTES
    and whose author has not been told of it."""
    patience = timedelta(minutes=settings.MODERATION_HOLD_NOTICE_MINUTES)
    cutoff = timezone.now() - patience
    held = (
        Comment.objects.filter(status=Comment.Status.HELD, created_at__lt=cutoff)
        .exclude(decision_notices__kind=Kind.HELD)
        .only("id", "decision")
        .order_by("id")[:500]
    )
    return [
        c.pk
        for c in held
        if c.decision and datetime.fromisoformat(c.decision["decided_at"]) < cutoff
    ]
