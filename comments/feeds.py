"""RSS of an article's latest approved comments."""

from django.shortcuts import get_object_or_404

from articles.models import Article
from core.feeds import TextTitlesFeed

from .models import Comment
from .notifications import one_line

FEED_SIZE = 50


class ArticleCommentsFeed(TextTitlesFeed):
    def get_object(self, request, slug: str) -> Article:
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, obj: Article) -> str:
        return self.as_title(f"Comments on {obj.title}")

    def link(self, obj: Article) -> str:
        return f"{obj.get_absolute_url()}#discussion"

    def description(self, obj: Article) -> str:
        return f"The latest comments on “{obj.title}”."

    def items(self, obj: Article):
        return (
            Comment.objects.filter(
                article=obj, status=Comment.Status.APPROVED, deleted_at__isnull=True
            )
            .select_related("author", "article")
            .order_by("-id")[:FEED_SIZE]
        )

    def item_title(self, item: Comment) -> str:
        return self.as_title(one_line(f"{item.author_name} on {item.article.title}"))

    def item_description(self, item: Comment) -> str:
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Comment) -> str:
        return item.author_name

    def item_pubdate(self, item: Comment):
        return item.created_at
