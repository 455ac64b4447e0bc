"""/api/v1/: the mobile apps' contract, each app's part mounted by name."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("articles.api_urls")),
    path("", include("comments.api_urls")),
    path("", include("moderation.api_urls")),
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
]
