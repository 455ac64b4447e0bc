"""Every write to articles with a rule or a side effect goes through here."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import Article


@transaction.atomic
def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Publish now, or schedule for `at` when it is in the future."""
    now = timezone.now()
    when = at or article.published_at
    if when is None or (at is None and when > now):
        when = now
    article.published_at = when
    article.status = (
        Article.Status.SCHEDULED if when > now else Article.Status.PUBLISHED
    )
    article.full_clean()
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


@transaction.atomic
def articles_publish_now(*, articles: Iterable[Article]) -> int:
    """Publish each article now, bringing scheduled ones forward; return how many."""
    count = 0
    for article in articles:
        if article.is_live and article.status == Article.Status.PUBLISHED:
            continue
        article_publish(article=article, at=timezone.now())
        count += 1
    return count


@transaction.atomic
def articles_close_expired() -> int:
    """Close the discussions whose close-after period has run out; return how many."""
    now = timezone.now()
    candidates = (
        Article.objects.published()
        .filter(comments_close_after_days__isnull=False)
        .exclude(discussion_policy=Article.DiscussionPolicy.CLOSED)
    )
    expired = [a.pk for a in candidates if a.comments_close_at <= now]
    return Article.objects.filter(pk__in=expired).update(
        discussion_policy=Article.DiscussionPolicy.CLOSED
    )
