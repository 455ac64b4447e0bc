"""E-mail to readers when a comment they care about is approved."""

import unicodedata

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

from .models import ArticleSubscription, Comment

UNSUBSCRIBE_SALT = "comments.unsubscribe"
REPLIES = "replies"


def unsubscribe_token(*, user: User, topic: str) -> str:
    """A signed token that stops one kind of e-mail for one reader."""
    return signing.dumps({"u": user.pk, "t": topic}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The (user id, topic) a token names; raises signing.BadSignature if forged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["t"])


def one_line(text: str) -> str:
    """Text fit for a header or a subject: no line breaks, no control or format
    characters (a name cannot forge a subject or the lines under it)."""
    shown = "".join(
        " " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c
        for c in text
        if unicodedata.category(c) != "Cf"
    )
    return " ".join(shown.split())


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _message(*, to: User, topic: str, template: str, context: dict) -> EmailMessage:
    unsubscribe = _absolute(
        reverse("comments:unsubscribe", args=[unsubscribe_token(user=to, topic=topic)])
    )
    context = {
        **context,
        "recipient": to,
        "unsubscribe_url": unsubscribe,
        "site_name": settings.SITE_NAME,
    }
    subject, _, body = render_to_string(template, context).partition("\n\n")
    return EmailMessage(
        subject=one_line(subject),
        body=body,
        to=[to.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _wants_mail(user: User | None, comment: Comment) -> bool:
    return bool(
        user is not None
        and user.is_active
        and user.email
        and user.pk != comment.author_id
    )


@transaction.atomic
def comment_notify(*, comment_id: int) -> int:
    """Send the reply and follower e-mails for an approved comment once; count them."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article", "author", "parent__author")
        .get(pk=comment_id)
    )
    if (
        comment.notified_at is not None
        or comment.status != Comment.Status.APPROVED
        or comment.is_deleted
    ):
        return 0
    context = {
        "comment": comment,
        "article": comment.article,
        "author_name": one_line(comment.author_name),
        "article_title": one_line(comment.article.title),
        "comment_url": _absolute(comment.get_absolute_url()),
    }
    messages, told = [], set()
    parent_author = comment.parent.author if comment.parent_id else None
    if _wants_mail(parent_author, comment) and parent_author.reply_emails:
        messages.append(
            _message(
                to=parent_author,
                topic=REPLIES,
                template="comments/email/reply.txt",
                context=context,
            )
        )
        told.add(parent_author.pk)
    followers = (
        ArticleSubscription.objects.filter(article_id=comment.article_id)
        .exclude(user_id__in=told)
        .select_related("user")
    )
    for follow in followers:
        if _wants_mail(follow.user, comment):
            messages.append(
                _message(
                    to=follow.user,
                    topic=f"article:{comment.article_id}",
                    template="comments/email/new_comment.txt",
                    context=context,
                )
            )
    if messages:
        get_connection().send_messages(messages)
    # Marked in the same transaction: a failed send rolls back and is retried.
    comment.notified_at = timezone.now()
    comment.save(update_fields=["notified_at"])
    return len(messages)
