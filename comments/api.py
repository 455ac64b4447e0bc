"""Discussions over the API: thin views over the same selectors and services the
pages use."""

import hashlib

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import Article
from core.exceptions import InvalidCursor
from core.net import client_ip
from core.pagination import decode_cursor, encode_cursor
from core.renderers import Encoded, EncodedJSONRenderer, dumps

from . import cache as discussion_cache
from . import overlay, selectors, serialise, services
from .models import Comment


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    display_name = serializers.CharField()


class AppealStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[("open", "Open"), ("decided", "Decided")])
    outcome = serializers.ChoiceField(choices=["uphold", "reverse"], allow_null=True)
    created_at = serializers.DateTimeField()


class DecisionSerializer(serializers.Serializer):
    """Why a comment stands where it does, in the words a person reads."""

    action = serializers.ChoiceField(choices=["approve", "hold", "reject", "spam"])
    automated = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    policy = serializers.CharField()
    decided_at = serializers.DateTimeField()
    appealable_until = serializers.DateTimeField(allow_null=True)
    appeal = AppealStateSerializer(allow_null=True)
    usual_wait = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="On a hold: how long holds usually last here, in words.",
    )
    usual_wait_minutes = serializers.IntegerField(allow_null=True, required=False)


class CommentSerializer(serializers.Serializer):
    """A comment as the reader asking may see it."""

    id = serializers.IntegerField()
    article = serializers.CharField(source="article.slug")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    score = serializers.IntegerField()
    my_vote = serializers.IntegerField()
    reply_count = serializers.IntegerField()
    is_deleted = serializers.BooleanField()
    decision = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    def _viewer(self):
        return self.context["request"].user

    def _is_author(self, c: Comment) -> bool:
        user = self._viewer()
        return user.is_authenticated and c.author_id == user.pk

    @extend_schema_field(AuthorSerializer)
    def get_author(self, c: Comment) -> dict:
        return {"id": c.author_id, "display_name": c.author_name}

    def get_body_html(self, c: Comment) -> str:
        return "" if c.is_deleted else c.body_html

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, c: Comment) -> str | None:
        """The Markdown source, to its author only."""
        return c.body if self._is_author(c) and not c.is_deleted else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_status(self, c: Comment) -> str | None:
        """To its author (a shadowed comment looks approved) and to moderators."""
        if self._is_author(c):
            return c.status_for_author
        return c.status if self._viewer_moderates() else None

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, c: Comment) -> dict | None:
        """The statement of reasons: to its author (never for a shadowed comment,
        which looks published to them) and to moderators; null while pending."""
        if self._is_author(c):
            return c.decision_for_author
        return c.decision if self._viewer_moderates() else None

    def _viewer_moderates(self) -> bool:
        # Once per response: nested serializers share this context.
        if "is_moderator" not in self.context:
            user = self._viewer()
            self.context["is_moderator"] = getattr(user, "is_moderator", False)
        return self.context["is_moderator"]

    # Replies are comments in the same shape, nested to the display depth.
    @extend_schema_field(
        {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}}
    )
    def get_replies(self, c: Comment) -> list:
        children = getattr(c, "children", [])
        return CommentSerializer(children, many=True, context=self.context).data


def _thread_page(request, items: list[Comment], next_url: str | None) -> dict:
    data = CommentSerializer(items, many=True, context={"request": request}).data
    return {"next": next_url, "previous": None, "results": data}


class PostCommentSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000, trim_whitespace=False)
    parent = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class EditCommentSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000, trim_whitespace=False)


class VoteSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=[1, -1, 0])


CommentPage = inline_serializer(
    "CommentPage",
    {"next": serializers.URLField(allow_null=True),
     "previous": serializers.URLField(allow_null=True),
     "results": CommentSerializer(many=True)},
)  # fmt: skip
VoteAnswer = inline_serializer(
    "VoteResult",
    {"score": serializers.IntegerField(), "my_vote": serializers.IntegerField()},
)


def _published_frame(slug: str, *, counters: bool = True) -> tuple[Article, int | None]:
    """The published article at `slug` from the cached frame (as the article
    page reads it), and its discussion version; 404 when there is none."""
    article, version = discussion_cache.article_frame(slug, counters=counters)
    if article is None or not article.is_live:
        raise Http404("No article at this address.")
    return article, version


def _shared_page(article: Article, sort: str, cursor: str) -> serialise.SharedPage:
    """The page anybody may see, as the API gives it."""
    page = overlay.shared_page(article=article, sort=sort, cursor=cursor or None,
                               thread_id=None)  # fmt: skip
    return serialise.shared_page(page, slug=article.slug)


class ArticleComments(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    # Pages of comments are encoded by `serialise`, not field by field.
    renderer_classes = [EncodedJSONRenderer]

    @extend_schema(
        summary="A page of top-level comments, each with its replies nested",
        parameters=[
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(selectors.SORTS),
                             description="Order of the top-level comments: oldest "
                                         "first (the default), newest first, or "
                                         "top (highest score first)."),
            OpenApiParameter("cursor", OpenApiTypes.STR,
                             description="The next page: the cursor in `next`, as "
                                         "given, with the same sort. One the site "
                                         "did not hand out, or one for another "
                                         "sort, is a 400 with attr `cursor`."),
            OpenApiParameter("If-None-Match", OpenApiTypes.STR,
                             OpenApiParameter.HEADER,
                             description="The ETag of a copy of this page you "
                                         "hold: unchanged, the answer is a 304."),
        ],
        responses={
            200: CommentPage,
            304: OpenApiResponse(description="Not modified: the copy whose ETag "
                                             "you sent is still this page."),
        },
    )  # fmt: skip
    def get(self, request, slug: str):
        article, version = _published_frame(slug)
        sort = request.query_params.get("sort", "oldest")
        if sort not in selectors.SORTS:
            raise ValidationError({"sort": "Sort by oldest, newest or top."})
        cursor = request.query_params.get("cursor", "")
        etag = self._etag(request, article, version, sort, cursor)
        if etag and etag in request.headers.get("If-None-Match", ""):
            return self._private(
                Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
            )
        headers = {"ETag": etag} if etag else {}
        if request.user.is_authenticated:
            body = self._page(request, article, version, sort, cursor)
        else:
            # Anonymous readers share the very bytes, per discussion version.
            key = discussion_cache.key_at(
                article.pk, version, "api", request.get_host(), sort, cursor
            )
            body = discussion_cache.cached_or_built(
                key, lambda: self._page(request, article, version, sort, cursor)
            )
        return self._private(Response(body, headers=headers))

    @staticmethod
    def _page(request, article: Article, version, sort: str, cursor: str) -> Encoded:
        """The first or a later page as this reader sees it: the shared page (built
        once per version) with the reader's own state laid over it."""
        # ":4": the shape with each thread encoded, its votes' places and its
        # authors' comments, not an older one's pickle.
        key = discussion_cache.key_at(article.pk, version, "api-shared:4", sort, cursor)
        # Never changed once built: each process keeps its own copy too.
        shared = discussion_cache.kept_or_built(
            key, lambda: _shared_page(article, sort, cursor)
        )
        user = request.user
        if not user.is_authenticated:
            return _encoded_page(request, sort, shared.results(), shared.next_cursor)
        on_page = shared.by_author.get(user.pk, [])
        moderator = user.is_moderator
        # Their comments and their votes on the page in one query.
        state = overlay.reader_state(
            article, user, on_page=on_page, voted=list(shared.dicts)
        )
        hidden = overlay.hidden_among(state.own)
        if moderator or hidden:
            # Comments of theirs to put in place, or every status to show:
            # the page's rows, with the reader's own merged in.
            rows_key = discussion_cache.key_at(
                article.pk, version, "api-rows", sort, cursor
            )
            return _reader_page(
                request, article, sort, cursor, rows_key, state, moderator
            )
        # Votes are written into the shared bytes; only the threads holding
        # the reader's own comments (their body and standing) are encoded afresh.
        shown = {}
        for c in state.own:  # theirs, on the page, published
            c.my_vote = 0  # nobody votes on their own comment
            shown[c.pk] = serialise.for_viewer(
                shared.dicts[c.pk], c, viewer_id=user.pk, moderator=False
            )
        results = shared.results(votes=state.votes, shown=shown)
        return _encoded_page(request, sort, results, shared.next_cursor)

    @staticmethod
    def _etag(request, article: Article, version, *parts: str) -> str | None:
        """Names this page as this viewer sees it; None when the cache is down."""
        key = discussion_cache.key_at(article.pk, version, *parts)
        if key is None:
            return None
        viewer = request.user.pk if request.user.is_authenticated else 0
        digest = hashlib.blake2b(f"{key}:{viewer}".encode(), digest_size=12)
        return f'W/"{digest.hexdigest()}"'

    @staticmethod
    def _private(response: Response) -> Response:
        # The page differs by viewer (their own pending comments, their votes):
        # no shared cache may serve one reader's copy to another.
        patch_vary_headers(response, ["Authorization", "Cookie"])
        patch_cache_control(response, private=True, no_cache=True)
        return response

    @extend_schema(
        summary="Post a comment or a reply (saved as pending)",
        request=PostCommentSerializer,
        responses={201: CommentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR,
                                     OpenApiParameter.HEADER,
                                     description="Up to 200 characters: a retry "
                                                 "with the same key by the same "
                                                 "author answers the first "
                                                 "comment.")],
    )  # fmt: skip
    def post(self, request, slug: str):
        # Posting reads only what an edit of the article moves: a frame kept
        # since the discussion last moved still holds (no query).
        article, _ = _published_frame(slug, counters=False)
        data = PostCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_post(
            article=article,
            author=request.user,
            body=data.validated_data["body"],
            parent_id=data.validated_data.get("parent"),
            ip_address=client_ip(request),
            idempotency_key=(request.headers.get("Idempotency-Key") or "")[:200]
            or None,
        )
        shown = selectors.comment_as_posted(comment=comment, user=request.user)
        return Response(
            CommentSerializer(shown, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _reader_page(
    request,
    article: Article,
    sort: str,
    cursor: str,
    rows_key: str | None,
    state: overlay.ReaderState,
    moderator: bool,
) -> Encoded:
    """The page for a reader with comments nobody else sees, or for a moderator:
    the shared page's rows (kept per version) with the reader's own merged in."""
    page = discussion_cache.cached_or_built(
        rows_key,
        lambda: overlay.shared_page(
            article=article, sort=sort, cursor=cursor or None, thread_id=None
        ),
    )
    user = request.user
    reader = overlay.reader_page(
        page,
        article=article,
        user=user,
        cursor=cursor or None,
        state=state,
    )
    shown = {
        c.pk: serialise.for_viewer(
            serialise.comment_dict(c, slug=article.slug), c,
            viewer_id=user.pk, moderator=moderator,
        )
        for thread in reader.page.threads
        for c in (thread.comment, *thread.replies)
    }  # fmt: skip
    results = [serialise.nest(serialise.tree(t), shown) for t in reader.page.threads]
    return _encoded_page(request, sort, results, reader.page.next_cursor)


def _encoded_page(
    request, sort: str, results: list, next_cursor: str | None
) -> Encoded:
    next_url = None
    if next_cursor:
        next_url = request.build_absolute_uri(
            f"{request.path}?sort={sort}&cursor={next_cursor}"
        )
    return dumps({"next": next_url, "previous": None, "results": results})


def _visible(request, pk: int) -> Comment:
    """The comment as this reader sees it; 404 alike for missing and hidden."""
    try:
        return selectors.comment_for_reader(pk=pk, user=request.user)
    except Comment.DoesNotExist as exc:
        raise Http404("No such comment.") from exc


class CommentDetail(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(summary="One comment", responses={200: CommentSerializer})
    def get(self, request, pk: int):
        return Response(
            CommentSerializer(_visible(request, pk), context={"request": request}).data
        )

    @extend_schema(
        summary="Edit your comment within the edit window",
        request=EditCommentSerializer,
        responses={200: CommentSerializer},
    )
    def patch(self, request, pk: int):
        comment = _visible(request, pk)
        data = EditCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.comment_edit(
            comment=comment, user=request.user, body=data.validated_data["body"]
        )
        return self.get(request, pk)

    @extend_schema(
        summary="Delete your comment (its replies stay)", responses={204: None}
    )
    def delete(self, request, pk: int):
        services.comment_delete(comment=_visible(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _encode_after(path: str) -> str:
    return encode_cursor({"after": path})


def _decode_after(cursor: str) -> str:
    path = decode_cursor(cursor, keys={"after"})["after"]
    if not isinstance(path, str) or not path.isdigit():
        raise InvalidCursor("That page cursor is not valid.")
    return path


class CommentReplies(APIView):
    @extend_schema(summary="More replies under one comment, in thread order",
                   parameters=[OpenApiParameter(
                       "cursor", OpenApiTypes.STR,
                       description="The next replies: the cursor in `next`, as "
                                   "given. One the site did not hand out is a "
                                   "400 with attr `cursor`.")],
                   responses={200: CommentPage})  # fmt: skip
    def get(self, request, pk: int):
        comment = _visible(request, pk)
        cursor = request.query_params.get("cursor")
        after = _decode_after(cursor) if cursor else ""
        thread = selectors.replies_after(root=comment, user=request.user,
                                         after_path=after)  # fmt: skip
        next_url = None
        if thread.more_after:
            next_url = request.build_absolute_uri(
                f"{request.path}?cursor={_encode_after(thread.more_after)}"
            )
        return Response(_thread_page(request, thread.replies, next_url))


class CommentVote(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Vote 1 or -1, or 0 to withdraw",
        request=VoteSerializer,
        responses={200: VoteAnswer},
    )
    def post(self, request, pk: int):
        comment = _visible(request, pk)
        data = VoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        score, mine = services.comment_vote(
            comment=comment, user=request.user, value=data.validated_data["value"]
        )
        return Response({"score": score, "my_vote": mine})
