"""/api/v1/: the mobile apps' contract (design.md, "REST API v1")."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts
from articles import api as articles
from comments import api as comments
from moderation import api as moderation

urlpatterns = [
    path("auth/register/", accounts.RegisterView.as_view(), name="register"),
    path("auth/token/", accounts.TokenView.as_view(), name="token"),
    path("auth/tokens/", accounts.TokensView.as_view(), name="tokens"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("articles/", articles.ArticleList.as_view(), name="articles"),
    path("articles/<slug:slug>/", articles.ArticleDetail.as_view(), name="article"),
    path("articles/<slug:slug>/comments/", comments.ArticleComments.as_view(),
         name="article-comments"),
    path("comments/<int:pk>/", comments.CommentDetail.as_view(), name="comment"),
    path("comments/<int:pk>/replies/", comments.CommentReplies.as_view(),
         name="comment-replies"),
    path("comments/<int:pk>/vote/", comments.CommentVote.as_view(),
         name="comment-vote"),
    path("comments/<int:pk>/flags/", moderation.CommentFlags.as_view(),
         name="comment-flags"),
    path("moderation/queue/", moderation.Queue.as_view(), name="moderation-queue"),
    path("moderation/comments/<int:pk>/decision/", moderation.Decision.as_view(),
         name="moderation-decision"),
    path("moderation/users/<int:pk>/ban/", moderation.Ban.as_view(),
         name="moderation-ban"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Swagger UI sets inline styles: allowed on this page only; scripts stay
        # 'self' (the split view serves its start-up script as a file).
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
]  # fmt: skip
