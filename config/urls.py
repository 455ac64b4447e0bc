"""Site URLs: each app owns its own; this module only mounts them."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import ArticleSitemap, TopicSitemap
from articles.views import robots_txt

sitemaps = {"articles": ArticleSitemap, "topics": TopicSitemap}

urlpatterns = [
    path("", include("articles.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("", include("health.urls")),
]

admin.site.site_header = "Agora administration"
admin.site.site_title = "Agora admin"
