"""Accounts' part of /api/v1/ (mounted by config.api_urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("auth/register/", api.RegisterView.as_view(), name="register"),
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("auth/tokens/", api.TokensView.as_view(), name="tokens"),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/export/", api.MeExportView.as_view(), name="me-export"),
]
