"""A guest's own comments, through the signed link e-mailed to their address.

A guest has no account to sign in to, so the link is their key: it names one
address, is signed for this page alone and lasts as long as an appeal may be
made. The page shows what a reader with an account reads on their own pages:
each comment, where it stands and the decision on it in words. A shadowed
comment looks published to its author, with no decision, as everywhere else.
"""

from datetime import datetime

from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import guests
from .models import Comment, GuestAddress

TEMPLATE = "comments/guest_comments.html"


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the address is the guest's key: keep it out of caches,
    # search engines and the Referer header of links followed from the page.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def decision_shown(comment: Comment) -> dict | None:
    """The decision its author reads, with its times as datetimes; None while
    pending and for a shadowed comment, which must look published."""
    decision = comment.decision_for_author
    if not decision:
        return None
    until = decision.get("appealable_until")
    return {
        **decision,
        "decided_at": datetime.fromisoformat(decision["decided_at"]),
        "appealable_until": datetime.fromisoformat(until) if until else None,
    }


@require_GET
def guest_comments(request: HttpRequest, token: str) -> HttpResponse:
    """The comments of the address a signed link names, with their decisions."""
    try:
        email = guests.read_statements_token(token)
    except signing.SignatureExpired:
        return _private(render(request, TEMPLATE, {"expired": True}, status=403))
    except signing.BadSignature:
        return _private(render(request, TEMPLATE, {"invalid": True}, status=400))
    page = Paginator(guests.comments_of(email), 30).get_page(request.GET.get("page"))
    for comment in page:
        comment.shown_decision = decision_shown(comment)
    confirmed = GuestAddress.objects.filter(
        email=email, confirmed_at__isnull=False
    ).exists()
    return _private(
        render(
            request,
            TEMPLATE,
            {"email": email, "page": page, "confirmed": confirmed},
        )
    )
