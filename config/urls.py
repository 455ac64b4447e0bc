"""Site URLs: each app owns its own; this module only mounts them."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.cache import cache_page

from articles.sitemaps import ArticleSitemap, TopicSitemap
from articles.views import favicon, robots_txt
from comments import views as comment_views

sitemaps = {"articles": ArticleSitemap, "topics": TopicSitemap}
SITEMAP_CACHE_SECONDS = 600

urlpatterns = [
    path("", include("articles.urls")),
    # The article page is the story with its discussion, so comments serves it.
    path("articles/<slug:slug>/", comment_views.article_detail, name="article"),
    path("", include("comments.urls")),
    path("", include("moderation.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path(
        "sitemap.xml",
        # Crawlers fetch it often and it lists every article: cache it a while.
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap),
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("health.urls")),
]

admin.site.site_header = "Agora administration"
admin.site.site_title = "Agora admin"

handler400 = "config.api.bad_request"
handler404 = "config.api.not_found"
handler500 = "config.api.server_error"
