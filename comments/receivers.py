"""Comments' receivers: its part of a reader's export, erasure, address expiry
and renaming (accounts.signals), and the cached article frames' retirement,
connected in CommentsConfig.ready()."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from accounts.models import User
from accounts.signals import (
    account_erasing,
    account_exporting,
    addresses_expiring,
    public_name_changed,
)
from articles.models import Article, ArticleSlug, Topic

from . import services
from .cache import articles_changed, discussion_changed
from .models import ArticleSubscription, Comment, Vote


def _rows(queryset, **renamed: str) -> list[dict]:
    """The rows of `queryset` as dicts, each `renamed` key given its export name
    (values() may not name an expression after a field of the model)."""
    rows = []
    for row in queryset:
        for name, lookup in renamed.items():
            row[name] = row.pop(lookup)
        rows.append(row)
    return rows


def _as_author_sees(row: dict) -> dict:
    # The author sees a shadowed comment as published and no decision on it,
    # here as on every page.
    if row.pop("shadowed"):
        row["status"], row["decision"] = Comment.Status.APPROVED, None
    return row


@receiver(account_exporting, dispatch_uid="comments.export_reader")
def export_reader(sender, user: User, **kwargs) -> dict[str, list[dict]]:
    """The reader's comments (every status), votes and follows: three queries."""
    comments = (
        Comment.objects.filter(author=user)
        .order_by("created_at", "pk")
        .values(
            "id", "article__slug", "parent_id", "status", "shadowed", "created_at",
            "edited_at", "deleted_at", "body", "score", "decision",
        )
    )  # fmt: skip
    votes = (
        Vote.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values("comment_id", "comment__article__slug", "value", "created_at")
    )
    follows = (
        ArticleSubscription.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values("article__slug", "created_at")
    )
    return {
        "comments": [
            _as_author_sees(row)
            for row in _rows(comments, article="article__slug", parent="parent_id")
        ],
        "votes": _rows(votes, comment="comment_id", article="comment__article__slug"),
        "follows": _rows(follows, article="article__slug"),
    }


@receiver(account_erasing, dispatch_uid="comments.erase_author")
def erase_author(sender, user: User, **kwargs) -> None:
    """Comment bodies erased (nodes kept), votes and follows removed."""
    services.author_erase(user=user)


@receiver(public_name_changed, dispatch_uid="comments.refresh_renamed_author")
def refresh_renamed_author(sender, user_id: int, **kwargs) -> None:
    """Retire the cached discussions that show the reader's old name: every
    article where they have a comment (in any status: the pages they alone see
    hold it too), one query for the article ids. A rename is rare, so moving
    one version per article even for a prolific reader is acceptable; keeping
    track of which cached pages show whose name would cost every page read
    instead."""
    articles = (
        Comment.objects.filter(author_id=user_id)
        .order_by()
        .values_list("article_id", flat=True)
        .distinct()
    )
    for article_id in articles:
        discussion_changed(article_id)
    articles_changed()  # the reader may be an article's author too


# Whatever an article page shows of the article itself: its row, its topics,
# its old addresses and its author's name.
@receiver(post_save, sender=Article, dispatch_uid="comments.frame_article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="comments.frame_article_gone")
@receiver(post_save, sender=Topic, dispatch_uid="comments.frame_topic_saved")
@receiver(post_delete, sender=Topic, dispatch_uid="comments.frame_topic_gone")
@receiver(post_save, sender=ArticleSlug, dispatch_uid="comments.frame_slug_saved")
@receiver(post_delete, sender=ArticleSlug, dispatch_uid="comments.frame_slug_gone")
@receiver(
    m2m_changed, sender=Article.topics.through, dispatch_uid="comments.frame_topics"
)
def retire_article_frames(sender, **kwargs) -> None:
    articles_changed()


@receiver(post_save, sender=User, dispatch_uid="comments.frame_author_saved")
def retire_frames_of_staff(sender, instance: User, **kwargs) -> None:
    # Articles are written by staff; a reader's rename is public_name_changed.
    if instance.is_staff:
        articles_changed()


@receiver(addresses_expiring, dispatch_uid="comments.erase_old_addresses")
def erase_old_addresses(sender, before, **kwargs) -> int:
    return services.comment_addresses_erase(before=before)
