"""Readers' side of moderation: flagging a comment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from comments.models import Comment
from core.exceptions import Conflict, RateLimited

from . import policy, services, transparency
from .forms import AppealForm, FlagForm


def _attempt(form, action) -> int | None:
    """Run a service for a form; None when it succeeds, else the status of the
    refusal, whose words go on the form."""
    try:
        action()
    except RateLimited as exc:
        form.add_error(None, str(exc))
        return 429
    except Conflict as exc:
        form.add_error(None, str(exc))
        return 409
    except (ValidationError, PermissionDenied) as exc:
        form.add_error(None, getattr(exc, "messages", [str(exc)])[0])
        return 400
    return None


@login_required
@require_http_methods(["GET", "POST"])
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.readable_by(request.user).select_related("article", "author"),
        pk=pk,
    )
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        status = _attempt(
            form,
            lambda: services.flag_comment(
                comment=comment, user=request.user, **form.cleaned_data
            ),
        )
        if status is None:
            messages.success(request, "Thank you: a moderator will take a look.")
            return redirect(comment.get_absolute_url())
    elif form.errors:
        status = 400
    return render(
        request,
        "moderation/flag.html",
        {"form": form, "comment": comment, "article": comment.article},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The author reads the decision on their comment and may appeal it."""
    comment = get_object_or_404(
        Comment.objects.readable_by(request.user)
        .filter(author=request.user, shadowed=False)
        .select_related("article"),
        pk=pk,
    )
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        status = _attempt(
            form,
            lambda: services.appeal_file(
                comment=comment, user=request.user, note=form.cleaned_data["note"]
            ),
        )
        if status is None:
            messages.success(
                request, "Your appeal is sent: a moderator will review the decision."
            )
            return redirect(comment.get_absolute_url())
    elif form.errors:
        status = 400
    return render(
        request,
        "moderation/appeal.html",
        {"form": form, "comment": comment, "article": comment.article,
         "decision": comment.decision},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET"])
def transparency_report(request: HttpRequest) -> HttpResponse:
    """The public figures of a month's moderation, with charts drawn as SVG."""
    text = request.GET.get("month") or timezone.now().strftime("%Y-%m")
    try:
        month = transparency.Month.parse(text)
    except ValueError as exc:
        return render(request, "moderation/transparency.html", {"error": str(exc)},
                      status=400)  # fmt: skip
    figures = transparency.month_figures(month)
    return render(
        request,
        "moderation/transparency.html",
        {
            "figures": figures,
            "month": month,
            "actions": _bars(figures["decisions"]["by_action"]),
            "reasons": _bars(figures["decisions"]["by_reason"]),
        },
    )


def _bars(counts: dict) -> list[dict]:
    """Rows of a bar chart: each count with its bar's width in per cent."""
    top = max(counts.values(), default=0) or 1
    return [
        {"label": label.replace("_", " "), "count": n, "width": round(100 * n / top)}
        for label, n in counts.items()
    ]


@require_http_methods(["GET"])
def moderation_policy(request: HttpRequest) -> HttpResponse:
    """How comments are moderated here, from the configuration in force."""
    return render(request, "moderation/policy.html", policy.policy_context())
