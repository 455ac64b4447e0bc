"""Moderation's part of /api/v1/ (mounted by config.api_urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("comments/<int:pk>/flags/", api.CommentFlags.as_view(),
         name="comment-flags"),
    path("comments/<int:pk>/appeal/", api.CommentAppeal.as_view(),
         name="comment-appeal"),
    path("moderation/queue/", api.Queue.as_view(), name="moderation-queue"),
    path("moderation/appeals/", api.Appeals.as_view(), name="moderation-appeals"),
    path("moderation/appeals/<int:pk>/decision/", api.AppealDecision.as_view(),
         name="moderation-appeal-decision"),
    path("moderation/comments/<int:pk>/decision/", api.Decision.as_view(),
         name="moderation-decision"),
    path("moderation/users/<int:pk>/ban/", api.Ban.as_view(), name="moderation-ban"),
    path("transparency/", api.Transparency.as_view(), name="transparency"),
]  # fmt: skip
