"""Account pages: sign up and profile. Sign-in and passwords are Django's own views."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ProfileForm, SignupForm


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The `next` the request asks for when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.public_name}.")
            return redirect(safe_next(request))
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": safe_next(request, default="")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                reply_emails=form.cleaned_data["reply_emails"],
            )
        except ValidationError as exc:
            request.user.refresh_from_db()
            form.add_error(None, exc)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
