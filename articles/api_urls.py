"""Articles' part of /api/v1/ (mounted by config.api_urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("articles/", api.ArticleList.as_view(), name="articles"),
    path("articles/<slug:slug>/", api.ArticleDetail.as_view(), name="article"),
]
