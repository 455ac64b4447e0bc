"""Public pages of the publication: home, topics, articles, robots.txt."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .models import Article, Topic


def _page_of(request: HttpRequest, articles) -> object:
    paginator = Paginator(articles, settings.ARTICLES_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def _listing(queryset):
    return (
        queryset.published()
        .latest_first()
        .select_related("author")
        .prefetch_related("topics")
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    page = _page_of(request, _listing(Article.objects.all()))
    return render(request, "articles/home.html", {"page": page})


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    page = _page_of(request, _listing(topic.articles.all()))
    return render(request, "articles/topic.html", {"topic": topic, "page": page})


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name none (the admin's)."""
    return redirect(static("favicon.svg"), permanent=True)


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap_url = request.build_absolute_uri(
        reverse("django.contrib.sitemaps.views.sitemap")
    )
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        f"Sitemap: {sitemap_url}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
