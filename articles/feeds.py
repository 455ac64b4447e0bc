"""RSS and Atom feeds of the latest published articles."""

from django.conf import settings
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from core.feeds import TextTitlesFeed

from .models import Article

FEED_SIZE = 20


class LatestArticlesFeed(TextTitlesFeed):
    title = settings.SITE_NAME
    description = settings.SITE_TAGLINE
    link = reverse_lazy("home")

    def items(self):
        return (
            Article.objects.published()
            .latest_first()
            .select_related("author")
            .prefetch_related("topics")[:FEED_SIZE]
        )

    def item_title(self, item: Article) -> str:
        return self.as_title(item.title)

    def item_description(self, item: Article) -> str:
        return item.standfirst

    def item_author_name(self, item: Article) -> str:
        return item.author.public_name

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [t.name for t in item.topics.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
