"""Site URLs: each app owns its own; this module only mounts them by name."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("articles.urls")),
    path("", include("comments.article_urls")),
    path("", include("comments.urls")),
    path("", include("moderation.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("", include("health.urls")),
]

admin.site.site_header = "Agora administration"
admin.site.site_title = "Agora admin"

handler400 = "core.api.bad_request"
handler404 = "core.api.not_found"
handler500 = "core.api.server_error"
