"""Comments' part of /api/v1/ (mounted by config.api_urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("articles/<slug:slug>/comments/", api.ArticleComments.as_view(),
         name="article-comments"),
    path("comments/<int:pk>/", api.CommentDetail.as_view(), name="comment"),
    path("comments/<int:pk>/replies/", api.CommentReplies.as_view(),
         name="comment-replies"),
    path("comments/<int:pk>/vote/", api.CommentVote.as_view(), name="comment-vote"),
]  # fmt: skip
