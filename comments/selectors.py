"""Reads of the comment tree that shape a whole page of discussion.

A page costs two queries however large the discussion: one for the page of
top-level comments in the chosen order, one for their replies in thread order
(each with the reader's own vote folded in). Deeper pages of replies come from
`replies_after`, one query each.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from core import pagination
from core.exceptions import InvalidCursor

from . import rights
from .models import PATH_STEP, Comment, CommentQuerySet, Vote

SORTS = ("oldest", "newest", "top")


@dataclass
class Thread:
    """A top-level comment and the replies shown under it, in display order."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)
    more_after: str | None = None  # path of the last reply shown, when more exist


@dataclass
class DiscussionPage:
    threads: list[Thread]
    sort: str
    next_cursor: str | None


def encode_cursor(sort: str, comment: Comment) -> str:
    data = {"s": sort, "id": comment.pk}
    if sort == "top":
        data["score"] = comment.score
    return pagination.encode_cursor(data)


def decode_cursor(cursor: str, sort: str) -> dict:
    """The position a cursor names; InvalidCursor for anything else."""
    keys = {"s", "id", "score"} if sort == "top" else {"s", "id"}
    data = pagination.decode_cursor(cursor, keys=keys)
    ok = (
        data["s"] == sort
        and isinstance(data["id"], int)
        and (sort != "top" or isinstance(data["score"], int))
    )
    if not ok:
        raise InvalidCursor("That page cursor is not valid for this sort.")
    return data


def _with_my_vote(queryset: CommentQuerySet, user) -> CommentQuerySet:
    if user is None or not user.is_authenticated:
        return queryset.annotate(my_vote=Value(0, output_field=IntegerField()))
    mine = Vote.objects.filter(comment=OuterRef("pk"), user=user).values("value")[:1]
    return queryset.annotate(my_vote=Coalesce(Subquery(mine), 0))


def _ordered(queryset: CommentQuerySet, sort: str, cursor: str | None):
    if sort == "top":
        queryset = queryset.order_by("-score", "id")
    else:
        queryset = queryset.order_by("id" if sort == "oldest" else "-id")
    if cursor:
        at = decode_cursor(cursor, sort)
        if sort == "oldest":
            queryset = queryset.filter(id__gt=at["id"])
        elif sort == "newest":
            queryset = queryset.filter(id__lt=at["id"])
        else:
            queryset = queryset.filter(
                Q(score__lt=at["score"]) | Q(score=at["score"], id__gt=at["id"])
            )
    return queryset


def mark_for_reader(comments: list[Comment], user, article: Article) -> None:
    """Work out once, in Python, what the template asks of each comment.

    What the reader may do with it (the rights in `rights`, the same the
    services enforce), what its author is told of its standing, and its links:
    the comment routes all live under one prefix, so no URL is reversed per
    comment.
    """
    now = timezone.now()
    prefix = reverse("comments:permalink", args=[0]).removesuffix("0/")
    article_url = article.get_absolute_url()
    for c in comments:
        c.article = article  # no query per comment for links
    mark_reactions(comments, user, article)
    for c in comments:
        c.is_mine = rights.is_author(c, user)
        c.can_delete = rights.change_refusal(c, user, "delete", now=now) is None
        # Editing asks all that deleting does, and more.
        c.can_edit = (
            c.can_delete and rights.change_refusal(c, user, "edit", now=now) is None
        )
        c.standing = c.standing_for_author if c.is_mine else None
        # The statement of reasons, to the author alone.
        decision = c.decision_for_author if c.is_mine and c.standing else None
        c.reasons = decision["reasons"] if decision else None
        c.can_appeal = c.is_mine and rights.appeal_refusal(c, user, now=now) is None
        c.actions_url = f"{prefix}{c.pk}/"
        c.link = f"{article_url}?thread={c.root_id}#comment-{c.pk}"


def mark_reactions(comments: list[Comment], user, article: Article) -> None:
    """What of `mark_for_reader` a comment's shared rendering depends on: whether
    the reader may reply to it, vote on it and flag it. Each comment's article
    is `article`, in hand."""
    for c in comments:
        c.can_reply = rights.reply_refusal(c, user, article) is None
        # Flagging and voting are one right; only the words of a refusal differ.
        c.can_vote = c.can_flag = rights.react_refusal(c, user, "vote") is None


def reply_rows(user, *, roots: list[int], limit: int) -> list[Comment]:
    numbered = (
        Comment.objects.visible_to(user)
        .filter(root_id__in=roots, depth__gt=0)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("root_id")], order_by=F("path").asc()
            )
        )
        .filter(position__lte=limit + 1)
    )
    return list(displayed(_with_my_vote(numbered, user)).order_by("root_id", "path"))


def displayed(queryset: CommentQuerySet) -> CommentQuerySet:
    """Only what a page shows: no Markdown source, no account secrets."""
    return queryset.select_related("author").only(*_DISPLAY_FIELDS)


# The comment's own columns a page shows, and its author's name.
ROW_FIELDS = (
    "id", "article_id", "parent_id", "root_id", "depth", "path", "author_id",
    "guest_name", "body", "body_html", "status", "created_at", "edited_at",
    "deleted_at", "score", "reply_count", "shadowed", "decision",
)  # fmt: skip
_DISPLAY_FIELDS = (*ROW_FIELDS, "author__username", "author__display_name")


def attach(threads: list[Thread], replies: list[Comment], limit: int) -> None:
    by_root = {t.comment.pk: t for t in threads}
    shown = {t.comment.pk: t.comment for t in threads}
    shown_paths = {t.comment.path for t in threads}
    for reply in replies:
        thread = by_root[reply.root_id]
        if len(thread.replies) == limit:
            thread.more_after = thread.replies[-1].path
            continue
        _describe_place(reply, shown.get(reply.parent_id), shown_paths)
        thread.replies.append(reply)
        shown[reply.pk] = reply
        shown_paths.add(reply.path)


def _describe_place(
    reply: Comment, parent: Comment | None, shown_paths: set[str]
) -> None:
    """Say whom a reply answers when its place in the tree does not show it.

    `parent` is the comment it answers when that is on the page, else None.
    """
    in_place = parent is not None and parent.path == reply.tree_parent_path
    reply.answers = (
        None if in_place and reply.tree_parent_path in shown_paths else parent
    )
    reply.parent_hidden = parent is None


def discussion_page(
    *,
    article: Article,
    user,
    sort: str = "oldest",
    cursor: str | None = None,
    thread_id: int | None = None,
    limit: int | None = None,
    replies_limit: int | None = None,
) -> DiscussionPage:
    """One page of an article's discussion as `user` may see it.

    `thread_id` narrows the page to one thread (a permalink). Raises InvalidCursor.
    """
    if sort not in SORTS:
        sort = "oldest"
    limit = limit or settings.COMMENTS_PER_PAGE
    replies_limit = replies_limit or settings.REPLIES_PER_THREAD
    tops = Comment.objects.visible_to(user).filter(article=article, depth=0)
    if thread_id is not None:
        tops = tops.filter(pk=thread_id)
    rows = list(
        displayed(_with_my_vote(_ordered(tops, sort, cursor), user))[: limit + 1]
    )
    threads = [Thread(comment=c) for c in rows[:limit]]
    next_cursor = encode_cursor(sort, rows[limit - 1]) if len(rows) > limit else None
    if threads:
        replies = reply_rows(
            user, roots=[t.comment.pk for t in threads], limit=replies_limit
        )
        attach(threads, replies, replies_limit)
    mark_for_reader(
        [c for t in threads for c in (t.comment, *t.replies)], user, article
    )
    return DiscussionPage(threads=threads, sort=sort, next_cursor=next_cursor)


def replies_after(
    *, root: Comment, user, after_path: str, limit: int | None = None
) -> Thread:
    """The next replies under `root` after `after_path`, in thread order.

    `root` is a top-level comment (its whole thread) or any comment (its subtree).
    """
    limit = limit or settings.REPLIES_PER_THREAD
    rows = list(
        _with_my_vote(
            Comment.objects.visible_to(user).filter(
                root_id=root.root_id,
                path__startswith=root.path,
                path__gt=max(after_path, root.path),
            ),
            user,
        )
        .select_related("author", "parent__author")
        .order_by("path")[: limit + 1]
    )
    thread = Thread(comment=root)
    # Everything before `after_path` is on the page already.
    shown = {r.path for r in rows} | {
        p for r in rows for p in _ancestors(r, after_path)
    }
    for reply in rows[:limit]:
        parent = reply.parent if reply.parent.path in shown else None
        _describe_place(reply, parent, shown)
        thread.replies.append(reply)
    if len(rows) > limit:
        thread.more_after = thread.replies[-1].path
    mark_for_reader(thread.replies, user, root.article)
    return thread


def _ancestors(reply: Comment, after_path: str) -> list[str]:
    paths = [reply.path[:i] for i in range(PATH_STEP, len(reply.path), PATH_STEP)]
    return [p for p in paths if p <= after_path]


def comment_for_reader(*, pk: int, user) -> Comment:
    """One comment as `user` sees it, with their vote; DoesNotExist if hidden."""
    return _one(Comment.objects.readable_by(user), pk=pk, user=user)


def comment_as_posted(*, comment: Comment, user) -> Comment:
    """A comment just saved, as its author sees it: the row in hand. Its
    standing is read afresh when moderation ran in this process (no broker) and
    may have decided it already; a worker's decision comes later, and the
    answer says what was true at commit: pending.

    A guest has no identity a later read would know them by: this is the one
    time they are shown their own comment, in the answer to their post.
    """
    if current_app.conf.task_always_eager:
        comment.refresh_from_db(fields=["status", "shadowed", "decision"])
    comment.my_vote = 0  # nobody votes on their own comment
    comment.answers = comment.parent if comment.parent_id else None
    comment.parent_hidden = False
    mark_for_reader([comment], user, comment.article)
    comment.standing = comment.standing_for_author
    return comment


def _one(queryset: CommentQuerySet, *, pk: int, user) -> Comment:
    comment = (
        _with_my_vote(queryset, user)
        .select_related("article", "author", "parent__author")
        .get(pk=pk)
    )
    comment.answers = comment.parent if comment.parent_id else None
    comment.parent_hidden = False
    mark_for_reader([comment], user, comment.article)
    return comment


def unnotified_approved(*, older_than: timedelta) -> list[int]:
    """Approved comments whose e-mails never left (the broker was down then)."""
    now = timezone.now()
    return list(
        Comment.objects.filter(
            status=Comment.Status.APPROVED,
            notified_at__isnull=True,
            deleted_at__isnull=True,
            # Older ones are stale news: nobody wants that e-mail any more.
            created_at__range=(now - timedelta(days=2), now - older_than),
        ).values_list("id", flat=True)[:1000]
    )
