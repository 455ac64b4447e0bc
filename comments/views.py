"""Discussion pages. Every action works as a plain form post with a redirect;
with htmx the same views answer with the fragment to swap in place."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts import services as account_services
from accounts.models import User
from articles.models import Article
from core.exceptions import InvalidCursor, RateLimited
from core.net import client_ip

from . import cache as discussion_cache
from . import fragments, guests, notifications, overlay, rights, selectors, services
from .forms import EditForm, comment_form_for
from .models import ArticleSubscription, Comment


def _article_or_404(request: HttpRequest, slug: str) -> Article:
    articles = Article.objects.visible_to(request.user)
    if request.user.is_authenticated:
        # Whether the reader follows it, in the same query.
        articles = articles.annotate(
            following=Exists(
                ArticleSubscription.objects.filter(
                    article=OuterRef("pk"), user=request.user
                )
            )
        )
    return get_object_or_404(
        articles.select_related("author").prefetch_related("topics"), slug=slug
    )


def _reader(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


def _visible_comment(request: HttpRequest, pk: int) -> Comment:
    """A comment the reader may see, else 404 (never reveal a hidden one)."""
    return get_object_or_404(
        Comment.objects.readable_by(request.user).select_related("article", "author"),
        pk=pk,
    )


@dataclass(frozen=True)
class _PageQuery:
    """Which page of the discussion the address asks for, checked once."""

    sort: str = "oldest"
    thread_id: int | None = None
    cursor: str | None = None
    valid: bool = True  # False: it named a cursor the site never handed out

    @classmethod
    def of(cls, request: HttpRequest) -> "_PageQuery":
        sort = request.GET.get("sort", "oldest")
        sort = sort if sort in selectors.SORTS else "oldest"
        thread = request.GET.get("thread", "")
        thread_id = int(thread) if thread.isdigit() and len(thread) <= 12 else None
        cursor = request.GET.get("cursor") or None
        if cursor is not None:
            try:
                selectors.decode_cursor(cursor, sort)
            except InvalidCursor:
                return cls(sort, thread_id, None, valid=False)
        return cls(sort, thread_id, cursor)


def _discussion_context(request: HttpRequest, article: Article, form=None) -> dict:
    query = _PageQuery.of(request)
    page = selectors.discussion_page(
        article=article,
        user=request.user,
        sort=query.sort,
        cursor=query.cursor,
        thread_id=query.thread_id,
    )
    return {**_frame(request, article, sort=page.sort, form=form), "page": page}


def _frame(request: HttpRequest, article: Article, *, sort: str, form=None) -> dict:
    """What the article page shows around the threads themselves."""
    return {
        "article": article,
        "is_preview": not article.is_live,
        "sort": sort,
        "sorts": selectors.SORTS,
        "thread_only": bool(request.GET.get("thread")),
        "form": form or comment_form_for(request.user),
        "guests_allowed": settings.GUEST_COMMENTS,
        "following": getattr(article, "following", False),
    }


def _article_frame_or_404(request: HttpRequest, slug: str) -> tuple[Article, int]:
    """The article as `_article_or_404` gives it, but for whether the reader
    follows it (`_threads_html` asks that with the rest of theirs), and its
    discussion version; the article (author and topics in hand) from the cache
    while it holds."""
    article, version = discussion_cache.article_frame(slug)
    if article is None or not article.is_visible_to(request.user):
        raise Http404("No article at this address.")
    return article, version


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article, version = _article_frame_or_404(request, slug)
    query = _PageQuery.of(request)
    parts = (query.sort, query.thread_id or "", query.cursor or "")
    csrf = {}
    if request.user.is_authenticated:
        # One token for the whole page: the shared vote forms and the frame's.
        csrf["csrf_token"] = get_token(request)
        threads_html = _threads_html(request, article, query, version, **csrf)
    else:
        # Anonymous readers all see the same discussion: render it once per change.
        threads_html = discussion_cache.cached_or_built(
            discussion_cache.key_at(article.pk, version, *parts),
            lambda: _threads_html(request, article, query, version),
        )
    context = _frame(request, article, sort=query.sort)
    # A made-up cursor gets the first page, and says it was not what was asked.
    status = 200 if query.valid else 400
    if request.htmx and request.GET.get("cursor"):
        return HttpResponse(threads_html, status=status)
    return render(
        request,
        "comments/article.html",
        {**context, **csrf, "threads_html": mark_safe(threads_html)},  # noqa: S308
        status=status,
    )


def _threads_html(
    request: HttpRequest,
    article: Article,
    query: _PageQuery,
    version,
    csrf_token: str = "",
) -> str:
    """The page's threads for this reader: the shared rendering (made once per
    version, and only for pages the site links to) with their own laid over it."""
    key = discussion_cache.key_at(
        article.pk, version, "shared", query.sort, query.thread_id or "",
        query.cursor or "",
    )  # fmt: skip
    # Never changed once built: each process keeps its own copy too.
    shared = discussion_cache.kept_or_built(
        key,
        lambda: fragments.shared_fragments(
            article=article, sort=query.sort, cursor=query.cursor,
            thread_id=query.thread_id,
        ),
    )  # fmt: skip
    state = None
    if request.user.is_authenticated:
        # All that is the reader's own around the page, in one query.
        state = overlay.reader_state(
            article, overlay.unwrapped(request.user), on_page=[],
            voted=overlay.page_ids(shared.page), follows=True,
        )  # fmt: skip
        article.following = state.follows
    return fragments.threads_html(
        shared,
        article=article,
        user=request.user,
        csrf_token=csrf_token,
        cursor=query.cursor,
        thread_id=query.thread_id,
        state=state,
    )


def _post_failed(request, article, form, parent_id, status) -> HttpResponse:
    """The form again, with its errors, where the reader wrote it."""
    parent = None
    if parent_id is not None:
        parent = (
            Comment.objects.visible_to(request.user)
            .filter(pk=parent_id, article=article)
            .select_related("author")
            .first()
        )
    if request.htmx:
        response = render(
            request,
            "comments/_comment_form.html",
            {"form": form, "article": article, "parent": parent},
        )  # 200: htmx swaps only successful answers
        target = f"#reply-form-{parent.pk}" if parent else "#comment-form"
        return reswap(retarget(response, target), "outerHTML")
    if parent is not None:
        return render(
            request,
            "comments/reply.html",
            {"form": form, "article": article, "parent": parent},
            status=status,
        )
    return render(
        request,
        "comments/article.html",
        _discussion_context(request, article, form=form),
        status=status,
    )


@require_POST
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(request, slug)
    raw_parent = request.POST.get("parent", "")
    parent_id = int(raw_parent) if raw_parent.isdigit() else None
    form = comment_form_for(request.user, request.POST, parent_id=parent_id)
    if not form.is_valid():
        return _post_failed(request, article, form, parent_id, 400)
    data = form.cleaned_data
    try:
        comment = services.comment_post(
            article=article,
            author=_reader(request),
            body=data["body"],
            parent_id=data["parent"],
            guest_name=data.get("guest_name", ""),
            guest_email=data.get("guest_email", ""),
            ip_address=client_ip(request),
            idempotency_key=data["token"] or None,
        )
    except RateLimited as exc:
        form.add_error(None, str(exc))
        response = _post_failed(request, article, form, parent_id, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except (ValidationError, PermissionDenied) as exc:
        _add_errors(form, exc)
        return _post_failed(request, article, form, parent_id, 400)
    if request.htmx:
        return _posted_fragment(request, article, comment)
    if comment.status != Comment.Status.APPROVED:
        messages.info(request, "Thanks: your comment is awaiting moderation.")
    return redirect(
        f"{article.get_absolute_url()}?thread={comment.root_id}#comment-{comment.pk}"
    )


def _add_errors(form, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field_name, errors in exc.error_dict.items():
            target = field_name if field_name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        form.add_error(None, message)


def _posted_fragment(request, article, comment: Comment) -> HttpResponse:
    """The new comment in place, as its author sees it, and a fresh form."""
    comment = selectors.comment_as_posted(comment=comment, user=request.user)
    html = render_to_string(
        "comments/_comment.html", {"c": comment, "article": article}, request
    )
    if comment.parent_id is None:
        html += render_to_string(
            "comments/_comment_form.html",
            {"form": comment_form_for(request.user), "article": article, "oob": True},
            request,
        )
    return HttpResponse(html)


@require_GET
def reply_form(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _visible_comment(request, pk)
    article = parent.article
    if refusal := rights.reply_refusal(parent, request.user, article):
        raise Http404(refusal.messages[0])
    form = comment_form_for(
        request.user, initial={"parent": parent.pk}, parent_id=parent.pk
    )
    context = {"form": form, "article": article, "parent": parent}
    if request.htmx:
        return render(request, "comments/_comment_form.html", context)
    return render(request, "comments/reply.html", context)


def _own_comment(request: HttpRequest, pk: int) -> Comment:
    comment = _visible_comment(request, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied("You can only change your own comments.")
    return comment


def _comment_fragment(request, comment: Comment, *, editing=None) -> HttpResponse:
    comment = selectors.comment_for_reader(pk=comment.pk, user=request.user)
    return render(
        request,
        "comments/_comment.html",
        {"c": comment, "article": comment.article, "edit_form": editing},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment(request, pk)
    form = EditForm(
        request.POST or None,
        initial={"body": comment.body},
        auto_id=f"id_edit{comment.pk}_%s",  # unique beside the page's other forms
    )
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_edit(
                comment=comment, user=request.user, body=form.cleaned_data["body"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            if request.htmx:
                return _comment_fragment(request, comment)
            messages.info(request, "Your edit is saved and is being checked again.")
            return redirect(comment.get_absolute_url())
    if request.htmx:
        return _comment_fragment(request, comment, editing=form)
    return render(
        request,
        "comments/edit.html",
        {"form": form, "comment": comment, "article": comment.article},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment(request, pk)
    error = None
    if request.method == "POST":
        try:
            comment = services.comment_delete(comment=comment, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            error = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        else:
            if request.htmx:
                return _comment_fragment(request, comment)
            messages.info(request, "Your comment is deleted.")
            return redirect(comment.get_absolute_url())
    return render(
        request,
        "comments/delete.html",
        {"comment": comment, "article": comment.article, "error": error},
        status=400 if error else 200,
    )


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.POST.get('next', '/')}")
    comment = _visible_comment(request, pk)
    value = request.POST.get("value", "")
    error = None
    try:
        services.comment_vote(
            comment=comment,
            user=request.user,
            value=int(value) if value.lstrip("-").isdigit() else 99,
        )
    except RateLimited as exc:
        error = str(exc)
    except (ValidationError, PermissionDenied) as exc:
        error = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
    if request.htmx:
        comment = selectors.comment_for_reader(pk=comment.pk, user=request.user)
        return render(
            request, "comments/_vote.html", {"c": comment, "vote_error": error}
        )
    if error:
        messages.error(request, error)
    return redirect(comment.get_absolute_url())


@require_GET
def replies(request: HttpRequest, pk: int) -> HttpResponse:
    root = _visible_comment(request, pk)
    if root.depth != 0:
        raise Http404("Replies are listed by thread.")
    thread = selectors.replies_after(
        root=root, user=request.user, after_path=request.GET.get("after", "")
    )
    context = {"thread": thread, "article": root.article}
    if request.htmx:
        return render(request, "comments/_replies.html", context)
    return render(request, "comments/replies.html", context)


@login_required
@require_GET
def my_comments(request: HttpRequest) -> HttpResponse:
    """The reader's own comments, newest first, with where each stands."""
    mine = (
        Comment.objects.filter(author=request.user, deleted_at__isnull=True)
        .select_related("article")
        .order_by("-id")
    )
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(request, "comments/mine.html", {"page": page})


@require_GET
def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _visible_comment(request, pk)
    if request.htmx:
        return _comment_fragment(request, comment)
    return redirect(comment.get_absolute_url())


@login_required
@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(request, slug)
    on = request.POST.get("follow") == "1"
    services.article_follow(article=article, user=request.user, follow=on)
    messages.info(
        request,
        "You will get an e-mail for each new comment here."
        if on
        else "You no longer follow this discussion.",
    )
    return redirect(f"{article.get_absolute_url()}#discussion")


@csrf_exempt  # mail clients post one-click unsubscribes without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, topic = notifications.read_unsubscribe_token(token)
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return render(
            request, "comments/unsubscribe.html", {"invalid": True}, status=400
        )
    user = get_object_or_404(User, pk=user_id)
    article = None
    if topic.startswith("article:"):
        article = Article.objects.filter(pk=int(topic.split(":", 1)[1])).first()
    if request.method == "POST":
        if topic == notifications.REPLIES:
            account_services.user_update_profile(
                user=user, display_name=user.display_name, reply_emails=False
            )
        elif article is not None:
            services.article_follow(article=article, user=user, follow=False)
        return render(
            request, "comments/unsubscribe.html", {"done": True, "article": article}
        )
    return render(
        request,
        "comments/unsubscribe.html",
        {"topic": topic, "article": article, "token": token},
    )


@require_http_methods(["GET", "POST"])
def guest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A guest confirms their address: the link shows a button, the button posts."""
    try:
        email = guests.read_confirmation_token(token)
    except signing.BadSignature:
        return render(request, "comments/guest_confirm.html", {"invalid": True},
                      status=400)  # fmt: skip
    if request.method == "POST":
        address = guests.guest_confirm(token=token)
        return render(request, "comments/guest_confirm.html",
                      {"done": True, "address": address})  # fmt: skip
    return render(request, "comments/guest_confirm.html", {"email": email})
