"""Moderation's pages: readers flag and appeal, the public reads the policy and
the figures, moderators work the desk."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import User
from articles.models import Article
from comments.models import Comment
from core.exceptions import Conflict, RateLimited

from . import appeals, desk, policy, receipts, selectors, services, surge, transparency
from .forms import AppealForm, FlagForm
from .models import RuleName


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
            # A receipt, honestly worded: one report alone may not bring a
            # moderator; "Your reports" says what came of it.
            messages.success(
                request,
                "Thank you: your report is received. What comes of it will be "
                "under “Your reports” on your profile.",
            )
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
            lambda: appeals.appeal_file(
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


@login_required
@require_http_methods(["GET"])
def my_flags(request: HttpRequest) -> HttpResponse:
    """The reader's reports, newest first, each with what came of it."""
    page, rows = receipts.my_flags(user=request.user, page=request.GET.get("page"))
    return render(request, "moderation/my_flags.html", {"page": page, "rows": rows})


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


# --- The moderator desk ------------------------------------------------------------

DONE_WORDS = {
    "approve": "Approved",
    "reject": "Rejected",
    "spam": "Marked as spam",
    "ban": "Author banned and comment rejected",
}


def moderators_only(view):
    """Sign-in first; then a reader who is not a moderator is refused (403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_moderator:
            raise PermissionDenied("The desk is for moderators.")
        return view(request, *args, **kwargs)

    return wrapped


@moderators_only
@require_http_methods(["GET"])
def desk_page(request: HttpRequest) -> HttpResponse:
    """The queue as cards, claimed for this moderator while they work them."""
    filters = desk.Filters.from_query(request.GET)
    ids = desk.claim_batch(moderator=request.user, filters=filters)
    waiting_on = selectors.queue().values("article_id").distinct()
    context = {
        "cards": desk.cards(ids),
        "counts": desk.counts(request.user),
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "articles": Article.objects.filter(pk__in=waiting_on).order_by("title"),
        "reasons": RuleName.choices,
        "states": [
            (Comment.Status.HELD, "Held"),
            (Comment.Status.PENDING, "Pending"),
            (selectors.FLAGGED, "Flagged"),
        ],
        "undo_seconds": settings.MODERATION_UNDO_SECONDS,
        "surges": list(surge.articles_in_surge()),
    }
    return render(request, "moderation/desk.html", context)


@moderators_only
@require_http_methods(["GET"])
def desk_more(request: HttpRequest) -> HttpResponse:
    """The next cards, skipping those already on the moderator's page."""
    filters = desk.Filters.from_query(request.GET)
    skip = [int(pk) for pk in request.GET.get("skip", "").split(",") if pk.isdigit()]
    ids = desk.claim_batch(moderator=request.user, filters=filters, skip=skip[:500])
    return render(
        request,
        "moderation/_desk_cards.html",
        {
            "cards": desk.cards(ids),
            "query": urlencode(filters.as_query()),
        },
    )


@moderators_only
@require_http_methods(["GET"])
def desk_counts(request: HttpRequest) -> HttpResponse:
    return render(
        request, "moderation/_desk_counts.html", {"counts": desk.counts(request.user)}
    )


@moderators_only
@require_http_methods(["POST"])
def desk_decide(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    return _desk_act(
        request,
        pk,
        action,
        lambda seen: desk.desk_decide(
            moderator=request.user,
            comment_id=pk,
            action=action,
            seen=seen,
            reason=request.POST.get("reason", ""),
        ),
    )


@moderators_only
@require_http_methods(["POST"])
def desk_ban(request: HttpRequest, pk: int) -> HttpResponse:
    return _desk_act(
        request,
        pk,
        "ban",
        lambda seen: desk.desk_ban(
            moderator=request.user,
            comment_id=pk,
            seen=seen,
            reason=request.POST.get("reason", ""),
            days=request.POST.get("days", ""),
            shadow=request.POST.get("shadow") == "on",
        ),
    )


def _desk_act(request, pk: int, action: str, act) -> HttpResponse:
    """Run one desk decision; answer htmx with the card's new state, a plain form
    post with a redirect back to the desk. A refusal changes nothing."""
    seen = request.POST.get("seen", "")
    try:
        if not seen.isdigit():
            raise ValidationError("The card is out of date: reload the desk.")
        record = act(int(seen))
    except Comment.DoesNotExist as exc:
        raise Http404("No such comment.") from exc
    except (Conflict, ValidationError, PermissionDenied) as exc:
        text = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        status = 409 if isinstance(exc, Conflict) else 400
        if request.htmx:
            return render(request, "moderation/_desk_refused.html",
                          {"pk": pk, "message": text}, status=status)  # fmt: skip
        messages.error(request, f"#{pk}: {text}")
        return _back_to_desk(request)
    words = DONE_WORDS[action]
    if request.htmx:
        return render(
            request,
            "moderation/_desk_done.html",
            {"comment": record.comment, "words": words, "action": action},
        )
    messages.success(
        request,
        f"#{pk}: {words}. Undo from the desk within "
        f"{settings.MODERATION_UNDO_SECONDS} seconds.",
    )
    return _back_to_desk(request)


def _back_to_desk(request) -> HttpResponse:
    query = request.POST.get("query", "")
    target = reverse("moderation:desk") + (f"?{query}" if query else "")
    return redirect(target, permanent=False)


@moderators_only
@require_http_methods(["POST"])
def desk_undo(request: HttpRequest) -> HttpResponse:
    """Take back the moderator's last decision; the card comes back."""
    try:
        record = desk.desk_undo(moderator=request.user)
    except Conflict as exc:
        if request.htmx:
            return render(
                request,
                "moderation/_desk_status.html",
                {"message": str(exc), "error": True},
                status=409,
            )
        messages.error(request, str(exc))
        return _back_to_desk(request)
    if request.htmx:
        return render(
            request,
            "moderation/_desk_undone.html",
            {"cards": desk.cards([record.comment_id])},
        )
    messages.success(request, f"#{record.comment_id}: taken back; it waits again.")
    return _back_to_desk(request)


@moderators_only
@require_http_methods(["GET"])
def desk_author(request: HttpRequest, user_id: int) -> HttpResponse:
    """An author's latest comments, whatever their status."""
    author = get_object_or_404(User, pk=user_id)
    context = {
        "author": author,
        "comments": desk.author_comments(author.pk),
        "history": desk.author_histories({author.pk}).get(author.pk, {}),
    }
    page = "_desk_author.html" if request.htmx else "desk_author.html"
    return render(request, f"moderation/{page}", context)


@moderators_only
@require_http_methods(["POST"])
def desk_surge_end(request: HttpRequest, article_id: int) -> HttpResponse:
    """A moderator takes a busy story out of surge mode from the desk."""
    article = get_object_or_404(Article, pk=article_id)
    ended = surge.surge_end(
        article=article,
        moderator=request.user,
        reason=request.POST.get("reason", "") or "Ended from the desk.",
    )
    if ended is None:
        messages.error(request, f"“{article.title}” is not in surge mode.")
    else:
        messages.success(request, f"Surge mode ended on “{article.title}”.")
    return _back_to_desk(request)
