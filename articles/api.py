"""Published articles over the API."""

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from core.pagination import CursorPage

from .models import Article


class ArticleCursorPagination(CursorPage):
    page_size = 20
    ordering = ("-published_at", "-id")


class ArticleListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["slug", "title", "standfirst", "published_at", "discussion_policy",
                  "comment_count"]  # fmt: skip


class ArticleDetailSerializer(ArticleListSerializer):
    author = serializers.CharField(source="author.public_name")
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "body_html", "author", "topics"]


@extend_schema(
    summary="Published articles, newest first",
    parameters=[
        OpenApiParameter("topic", OpenApiTypes.STR, description="A topic's slug."),
        OpenApiParameter("search", OpenApiTypes.STR,
                         description="Words in the title or standfirst (the "
                                     "first 100 characters count)."),
        OpenApiParameter("cursor", OpenApiTypes.STR,
                         description="The next page: the cursor in `next`, as "
                                     "given. One the site did not hand out is a "
                                     "400 with attr `cursor`."),
    ],
)  # fmt: skip
class ArticleList(generics.ListAPIView):
    serializer_class = ArticleListSerializer
    pagination_class = ArticleCursorPagination

    def get_queryset(self):
        articles = Article.objects.published()
        if topic := self.request.query_params.get("topic"):
            articles = articles.filter(topics__slug=topic)
        if search := self.request.query_params.get("search", "").strip()[:100]:
            articles = articles.filter(
                Q(title__icontains=search) | Q(standfirst__icontains=search)
            )
        return articles


@extend_schema(summary="One published article")
class ArticleDetail(generics.RetrieveAPIView):
    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Article.objects.published()
            .select_related("author")
            .prefetch_related("topics")
        )
