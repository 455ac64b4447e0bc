from django.contrib.auth.views import LoginView
from django.urls import include, path

from . import views
from .forms import ThrottledAuthenticationForm

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path(
        "login/",
        LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    # login, logout, password change and reset: Django's views, our templates.
    path("", include("django.contrib.auth.urls")),
]
