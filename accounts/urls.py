from django.contrib.auth import views as auth
from django.urls import include, path

from . import views
from .forms import (
    SignOutEverywherePasswordChangeForm,
    SignOutEverywhereSetPasswordForm,
    ThrottledAuthenticationForm,
)

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path(
        "password_reset/",
        views.ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/export/", views.export, name="profile-export"),
    path("profile/delete/", views.erase, name="profile-delete"),
    path(
        "login/",
        auth.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    # A new password signs every other device out (the change keeps this one).
    path(
        "password_change/",
        auth.PasswordChangeView.as_view(form_class=SignOutEverywherePasswordChangeForm),
        name="password_change",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(
            form_class=SignOutEverywhereSetPasswordForm
        ),
        name="password_reset_confirm",
    ),
    # login, logout, password change and reset: Django's views, our templates.
    path("", include("django.contrib.auth.urls")),
]
