"""A discussion page built once for everyone, and each reader's own state over it.

The shared page is what an anonymous reader sees: approved comments only, and
nothing of anybody's. A signed-in reader gets it with their own laid over it:
their comments nobody else sees (pending, held, rejected, spam, shadowed) put in
their places, their votes, and the buttons `rights` allows them. That costs one
statement (`reader_state`) asking, by index, their comments on the article,
their votes on the page and whether they follow it; and one more for the
replies (and one for the reader's votes on them) only when a top-level comment
of theirs that nobody else sees opens a thread on the page.

`personal` names the comments whose rendering is the reader's alone; every
other comment renders as it does for any reader who may vote, or as for an
anonymous one.
"""

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.db.models.sql import Query

from articles.models import Article
from core import db

from . import selectors
from .models import ArticleSubscription, Comment, Vote
from .selectors import DiscussionPage, Thread

ANONYMOUS = AnonymousUser()


@dataclass
class ReaderPage:
    page: DiscussionPage
    # Comments whose rendering differs from the shared one beyond the vote buttons.
    personal: set[int] = field(default_factory=set)


def shared_page(
    *, article: Article, sort: str, cursor: str | None, thread_id: int | None
) -> DiscussionPage:
    """The page as anonymous readers see it: the copy every reader starts from."""
    return selectors.discussion_page(
        article=article, user=ANONYMOUS, sort=sort, cursor=cursor, thread_id=thread_id
    )


def reader_page(
    shared: DiscussionPage,
    *,
    article: Article,
    user,
    cursor: str | None = None,
    thread_id: int | None = None,
    limit: int | None = None,
    replies_limit: int | None = None,
    state: "ReaderState | None" = None,
) -> ReaderPage:
    """`shared` (from `shared_page`, with the same arguments) as `user` sees it.

    The same comments and votes `selectors.discussion_page` gives `user`, at
    the cost of the reader's own rows only; what each comment's buttons offer
    is the caller's to mark (`selectors.mark_for_reader`), for what it shows.
    `shared` is changed in place. `state` is the reader's, when already read
    (`reader_state`, with their votes on `shared`'s comments); else it is read.
    """
    if user is None or not user.is_authenticated:
        return ReaderPage(page=shared)
    user = unwrapped(user)
    limit = limit or settings.COMMENTS_PER_PAGE
    replies_limit = replies_limit or settings.REPLIES_PER_THREAD
    if state is None:
        state = reader_state(article, user, on_page=[], voted=page_ids(shared))
    hidden = hidden_among(state.own)
    changed: set[int] = set()
    page = shared
    if hidden:
        page, changed = _merge(
            shared, hidden, user=user, cursor=cursor, thread_id=thread_id,
            limit=limit, replies_limit=replies_limit,
        )  # fmt: skip
    shown = [c for t in page.threads for c in (t.comment, *t.replies)]
    _fold_votes(shown, user, state)
    personal = {
        c.pk
        for t in page.threads
        for c in (t.comment, *t.replies)
        if c.author_id == user.pk or t.comment.pk in changed
    }
    return ReaderPage(page=page, personal=personal)


def page_ids(page: DiscussionPage) -> list[int]:
    """The ids of the comments on `page`."""
    return [c.pk for t in page.threads for c in (t.comment, *t.replies)]


def unwrapped(user):
    """The account behind request.user's lazy wrapper: every attribute read
    through the wrapper costs a call, and rights read a few per comment."""
    return getattr(user, "_wrapped", user)


def hidden_among(own: list[Comment]) -> list[Comment]:
    """Those of the reader's comments that nobody else sees."""
    return [c for c in own if c.status != Comment.Status.APPROVED]


# Raw SQL for what every signed-in read asks: here compiling an ORM query
# costs several times what running it does. `_STATE_SQL` asks it all in one
# statement (one round trip): the reader's comments on the article that nobody
# else sees or that are on the page, their votes on the page, and whether they
# follow the discussion, each row marked by its first column.
_OWN, _VOTE, _FOLLOW = 0, 1, 2
_OWN_SQL = (
    "SELECT {own}, {columns}, NULL FROM {comments} WHERE article_id = %s "
    "AND author_id = %s AND (status <> %s OR {on_page})"
)
_VOTES_SQL = "SELECT comment_id, value FROM {table} WHERE user_id = %s AND {among}"
_STATE_VOTES_SQL = (
    "SELECT {vote}, comment_id, {nulls}, value FROM {votes} "
    "WHERE user_id = %s AND {among}"
)
_STATE_FOLLOWS_SQL = (
    "SELECT {follow}, NULL, {nulls}, NULL FROM {subscriptions} "
    "WHERE article_id = %s AND user_id = %s"
)


@dataclass
class ReaderState:
    """What is the reader's own around a page, read in one query."""

    own: list[Comment]  # theirs nobody else sees, and theirs on the page
    votes: dict[int, int]  # their votes on the comments asked, by comment id
    follows: bool | None  # None: not asked
    asked: frozenset[int] = frozenset()  # the comments whose votes were asked


def reader_state(
    article: Article,
    user,
    *,
    on_page: list[int],
    voted: list[int],
    follows: bool = False,
) -> ReaderState:
    """In one indexed query: the reader's comments on `article` that nobody
    else sees and those of `on_page` (ids) that are theirs, as a page shows
    them; their votes on the comments `voted` (ids); and, with `follows`,
    whether they follow the article's discussion."""
    alias = db.read_alias()
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = _row_fields()
    nulls = ", ".join(["NULL"] * (len(fields) - 1))
    on_page_sql, on_page_params = db.among("id", on_page, alias=alias)
    parts = [_OWN_SQL.format(
        own=_OWN, columns=", ".join(quote(f.column) for f in fields),
        comments=quote(Comment._meta.db_table), on_page=on_page_sql,
    )]  # fmt: skip
    params = [article.pk, user.pk, Comment.Status.APPROVED, *on_page_params]
    if voted:
        among, among_params = db.among("comment_id", voted, alias=alias)
        parts.append(_STATE_VOTES_SQL.format(
            vote=_VOTE, nulls=nulls, votes=quote(Vote._meta.db_table), among=among
        ))  # fmt: skip
        params += [user.pk, *among_params]
    if follows:
        parts.append(_STATE_FOLLOWS_SQL.format(
            follow=_FOLLOW, nulls=nulls,
            subscriptions=quote(ArticleSubscription._meta.db_table),
        ))  # fmt: skip
        params += [article.pk, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    own_rows = [row[1:-1] for row in rows if row[0] == _OWN]
    state = ReaderState(
        own=_comments(own_rows, fields, alias, user),
        votes={row[1]: row[-1] for row in rows if row[0] == _VOTE},
        follows=any(row[0] == _FOLLOW for row in rows) if follows else None,
        asked=frozenset(voted),
    )
    return state


@functools.cache
def _row_fields() -> list:
    """The fields of `selectors.ROW_FIELDS` in the model's order, the order
    `Model.from_db` takes values in."""
    wanted = {Comment._meta.get_field(name) for name in selectors.ROW_FIELDS}
    return [f for f in Comment._meta.concrete_fields if f in wanted]


def _comments(rows: list[tuple], fields, alias: str, author) -> list[Comment]:
    """Comment instances from rows of `fields`' columns, as the ORM makes them
    (the database's values converted), each with `author` set."""
    connection = connections[alias]
    compiler = connection.ops.compiler("SQLCompiler")(Query(Comment), connection, alias)
    table = Comment._meta.db_table
    converters = compiler.get_converters([f.get_col(table) for f in fields])
    if converters:
        rows = compiler.apply_converters(rows, converters)
    names = [f.attname for f in fields]
    comments = []
    for row in rows:
        c = Comment.from_db(alias, names, row)
        c.author = author  # theirs: no query for the author's name
        comments.append(c)
    return comments


def votes_on(comment_ids, user) -> dict[int, int]:
    """The reader's votes on these comments, by comment id, in one query."""
    ids = list(comment_ids)
    if not ids:
        return {}
    alias = db.read_alias()
    where, params = db.among("comment_id", ids, alias=alias)
    connection = connections[alias]
    table = connection.ops.quote_name(Vote._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            _VOTES_SQL.format(table=table, among=where),
            [user.pk, *params],
        )
        return dict(cursor.fetchall())


def _fold_votes(comments: list[Comment], user, state: ReaderState) -> None:
    """Each comment's `my_vote`: the reader's votes on the page, those on
    comments `state` did not ask about (replies merged in) read now."""
    votes = state.votes
    if missing := [c.pk for c in comments if c.pk not in state.asked]:
        votes = {**votes, **votes_on(missing, user)}
    for c in comments:
        c.my_vote = votes.get(c.pk, 0)


def _top_key(sort: str):
    if sort == "top":
        return lambda c: (-c.score, c.pk)
    if sort == "newest":
        return lambda c: -c.pk
    return lambda c: c.pk


def _after_cursor(c: Comment, sort: str, at: dict | None) -> bool:
    if at is None:
        return True
    if sort == "oldest":
        return c.pk > at["id"]
    if sort == "newest":
        return c.pk < at["id"]
    return c.score < at["score"] or (c.score == at["score"] and c.pk > at["id"])


def _merge(
    shared: DiscussionPage,
    hidden: list[Comment],
    *,
    user,
    cursor: str | None,
    thread_id: int | None,
    limit: int,
    replies_limit: int,
) -> tuple[DiscussionPage, set[int]]:
    """Put the reader's hidden comments in their places; name the threads changed."""
    sort = shared.sort
    at = selectors.decode_cursor(cursor, sort) if cursor else None
    tops = [
        c
        for c in hidden
        if c.depth == 0
        and (thread_id is None or c.pk == thread_id)
        and _after_cursor(c, sort, at)
    ]
    threads = sorted(
        [*shared.threads, *(Thread(comment=c) for c in tops)],
        key=lambda t: _top_key(sort)(t.comment),
    )
    next_cursor = shared.next_cursor
    if len(threads) > limit or (tops and next_cursor):
        threads = threads[:limit]
        next_cursor = selectors.encode_cursor(sort, threads[-1].comment)
    shown_tops = {t.comment.pk for t in threads}
    new_roots = [c.pk for c in tops if c.pk in shown_tops]
    changed = set(new_roots)
    if new_roots:
        # Their replies (approved ones and the reader's) were on no shared page.
        replies = selectors.reply_rows(user, roots=new_roots, limit=replies_limit)
        selectors.attach(
            [t for t in threads if t.comment.pk in changed], replies, replies_limit
        )
    by_root: dict[int, list[Comment]] = {}
    for c in hidden:
        if c.depth > 0 and c.root_id in shown_tops and c.root_id not in changed:
            by_root.setdefault(c.root_id, []).append(c)
    for thread in threads:
        if mine := by_root.get(thread.comment.pk):
            _merge_replies(thread, mine, replies_limit)
            changed.add(thread.comment.pk)
    return DiscussionPage(threads=threads, sort=sort, next_cursor=next_cursor), changed


def _merge_replies(thread: Thread, mine: list[Comment], limit: int) -> None:
    """Add the reader's hidden replies to a shared thread, in thread order."""
    rows = sorted([*thread.replies, *mine], key=lambda c: c.path)
    more = thread.more_after is not None or len(rows) > limit
    thread.replies = []
    thread.more_after = None
    selectors.attach([thread], rows[:limit], limit)
    if more:
        thread.more_after = thread.replies[-1].path
