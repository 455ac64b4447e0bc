from django.urls import include, path

from . import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    # login, logout, password change and reset: Django's views, our templates.
    path("", include("django.contrib.auth.urls")),
]
