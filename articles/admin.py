"""The editors' desk: write, schedule, preview and publish articles."""

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html

from . import services
from .models import Article, ArticleSlug, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class OldSlugInline(admin.TabularInline):
    """The addresses an article had: they lead to it and no other article may
    take one; deleting a row frees that slug (its old links then 404)."""

    model = ArticleSlug
    extra = 0
    fields = ("slug", "created_at")
    readonly_fields = ("slug", "created_at")
    verbose_name = "old address (leads here)"
    verbose_name_plural = "old addresses (they lead here)"

    # Who may edit the article may see and free its old addresses: the rows
    # are part of the article, not a model of their own to grant.
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("articles.view_article")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("articles.change_article")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "status",
        "published_at",
        "discussion_policy",
        "comment_count",
        "author",
    )
    list_filter = ("status", "discussion_policy", "topics", "published_at")
    search_fields = ("title", "standfirst", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("topics",)
    date_hierarchy = "published_at"
    list_select_related = ("author",)
    readonly_fields = (
        "preview",
        "comment_count",
        "busy_since",
        "created_at",
        "updated_at",
    )
    actions = ("publish_now",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "standfirst", "body", "topics", "author")}),
        ("Publication", {"fields": ("status", "published_at", "preview")}),
        (
            "Discussion",
            {
                "fields": (
                    "discussion_policy",
                    "comments_close_after_days",
                    "comment_count",
                    "busy_since",
                ),
                "description": "The moderation limits (thresholds, links, guests) "
                "come from the moderation policy bundles; moderators start and "
                "end surge mode.",
            },
        ),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def get_inlines(self, request: HttpRequest, obj: Article | None) -> tuple:
        # Only an article that has moved has old addresses to list.
        if obj is not None and obj.old_slugs.exists():
            return (OldSlugInline,)
        return ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {
            "author": request.user.pk,
            **super().get_changeform_initial_data(request),
        }

    @admin.display(description="Preview")
    def preview(self, obj: Article) -> str:
        if not obj.pk:
            return "Save the article to preview it."
        label = "View on the site" if obj.is_live else "Preview (only staff can see it)"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            label,
        )

    @admin.action(
        description="Publish the selected articles now", permissions=["change"]
    )
    def publish_now(self, request: HttpRequest, queryset) -> None:
        count = services.articles_publish_now(articles=queryset)
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)
