"""Account pages: sign up and profile. Sign-in and passwords are Django's own views,
with our forms."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import RateLimited
from core.net import client_ip

from . import privacy, services
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
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.signup_request(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                address=client_ip(request) or "",
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        else:
            # The same page whether or not the address has an account.
            return render(request, "accounts/signup_sent.html",
                          {"email": data["email"]})  # fmt: skip
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": safe_next(request, default="")},
        status=400 if status == 200 and form.errors else status,
    )


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Finish a sign-up from its e-mailed link: a button, since mail scanners open
    links."""
    error = None
    if request.method == "POST":
        try:
            user = services.signup_confirm(token=token)
        except signing.BadSignature:
            error = "This link is broken or has expired; sign up again."
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            login(request, user, backend="accounts.auth.CachedModelBackend")
            messages.success(request, f"Welcome, {user.public_name}.")
            return redirect(safe_next(request))
    return render(
        request,
        "accounts/signup_confirm.html",
        {"error": error, "next": safe_next(request, default="")},
        status=400 if error else 200,
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
                decision_emails=form.cleaned_data["decision_emails"],
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


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, sending at most `PASSWORD_RESET_RATE` e-mails per
    address and per e-mail, whether or not the e-mail has an account."""

    def form_valid(self, form):
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"],
                address=client_ip(self.request) or "",
            )
        except RateLimited as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form),
                                           status=429)  # fmt: skip
        return super().form_valid(form)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Everything the site holds on the reader, as a JSON file to keep."""
    response = JsonResponse(
        privacy.reader_data(user=request.user),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    day = timezone.now().date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{day}.json"'
    patch_cache_control(response, private=True, no_store=True)
    return response


class EraseForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    """Delete the reader's account once they confirm it with their password."""
    form = EraseForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.user_erase_own(
                user=request.user,
                password=form.cleaned_data["password"],
                address=client_ip(request) or "",
            )
        except ValidationError as exc:
            form.add_error("password", exc.message_dict.get("password", exc.messages))
        except RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        else:
            logout(request)
            messages.success(request, "Your account is deleted, with what it held.")
            return redirect("home")
    return render(
        request,
        "accounts/erase.html",
        {"form": form},
        status=400 if status == 200 and form.errors else status,
    )
