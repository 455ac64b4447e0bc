from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.cache import cache_page

from . import feeds, views
from .sitemaps import ArticleSitemap, TopicSitemap

sitemaps = {"articles": ArticleSitemap, "topics": TopicSitemap}
SITEMAP_CACHE_SECONDS = 600

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path(
        "sitemap.xml",
        # Crawlers fetch it often and it lists every article: cache it a while.
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap),
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
