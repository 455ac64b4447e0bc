"""An article whose slug changed keeps its old addresses: they lead to the new.

Only a request that would otherwise be a 404 is looked at, so the pages of
articles that exist pay nothing. Every route under an article's address (the
page, its discussion, its comments' feed, the API's article and comments) is
sent on with the rest of its path and its query string: 301 for reads, 308 for
writes, which keeps the method and the body.
"""

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse

from .models import Article

ARTICLE_ROUTE = "articles/<slug:slug>/"


class OldSlugRedirectMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        try:
            return _new_address(request) or response
        except DatabaseError:
            return response  # the 404 stands; the database's trouble shows elsewhere


def _new_address(request: HttpRequest) -> HttpResponse | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    slug = match.kwargs.get("slug")
    if not slug or ARTICLE_ROUTE not in (match.route or ""):
        return None
    # A draft's old address stays a 404 for those who may not see the draft.
    now = (
        Article.objects.visible_to(request.user)
        .filter(old_slugs__slug=slug)
        .values_list("slug", flat=True)
        .first()
    )
    if now is None or now == slug:
        return None
    location = reverse(
        match.view_name, args=match.args, kwargs={**match.kwargs, "slug": now}
    )
    if query := request.META.get("QUERY_STRING"):
        location = f"{location}?{query}"
    response = HttpResponsePermanentRedirect(location)
    if request.method not in {"GET", "HEAD"}:
        response.status_code = 308
    return response
