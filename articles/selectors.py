"""Reads of articles that are more than a filter."""

from collections.abc import Iterable

from .models import Article, ArticleSlug


def articles_by_slug(slugs: Iterable[str]) -> dict[str, Article]:
    """The article each slug leads to, current or old (a current slug wins)."""
    wanted = {s for s in slugs if s}
    if not wanted:
        return {}
    found = {
        old.slug: old.article
        for old in ArticleSlug.objects.filter(slug__in=wanted).select_related("article")
    }
    found.update((a.slug, a) for a in Article.objects.filter(slug__in=wanted))
    return found
