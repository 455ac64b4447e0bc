"""Comments to JSON-ready dicts by plain functions, for the hot reads.

The answer is exactly what `api.CommentSerializer` describes in the OpenAPI
schema (a test holds the two together); DRF's field-by-field walk is kept for
single comments, this path for pages of them.
"""

from dataclasses import dataclass, field
from datetime import datetime

import orjson
from django.utils import timezone

from .models import Comment
from .selectors import DiscussionPage, Thread

# A thread as ids: a comment's id and the trees of the replies hung under it.
Tree = tuple[int, tuple["Tree", ...]]


def _when(value: datetime | None) -> str | None:
    """A date as DRF's DateTimeField writes it: ISO 8601, in the current zone."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def comment_dict(c: Comment, *, slug: str) -> dict:
    """A comment as anybody may see it: nothing private, no vote, no replies."""
    deleted = c.deleted_at is not None
    return {
        "id": c.pk,
        "article": slug,
        "parent": c.parent_id,
        "depth": c.depth,
        "author": {"id": c.author_id, "display_name": c.author_name},
        "body_html": "" if deleted else c.body_html,
        "body": None,
        "status": None,
        "created_at": _when(c.created_at),
        "edited_at": _when(c.edited_at),
        "score": c.score,
        "my_vote": 0,
        "reply_count": c.reply_count,
        "is_deleted": deleted,
        "decision": None,
    }


def for_viewer(shared: dict, c: Comment, *, viewer_id: int | None, moderator: bool):
    """`shared` (from `comment_dict`) as this viewer sees it: a copy when it differs."""
    mine = viewer_id is not None and c.author_id == viewer_id
    vote = getattr(c, "my_vote", 0)
    if not (mine or moderator or vote):
        return shared
    out = {**shared, "my_vote": vote}
    if mine:
        out["body"] = None if c.deleted_at is not None else c.body
        out["status"] = c.status_for_author
        out["decision"] = c.decision_for_author
    elif moderator:
        out["status"] = c.status
        out["decision"] = c.decision
    return out


def tree(thread: Thread) -> Tree:
    """A thread's shape: each reply hung under its tree parent, or under the top
    comment when the parent is not on the page."""
    children: dict[int, list[int]] = {thread.comment.pk: []}
    by_path = {thread.comment.path: thread.comment.pk}
    for reply in thread.replies:
        children[reply.pk] = []
        children[by_path.get(reply.tree_parent_path, thread.comment.pk)].append(
            reply.pk
        )
        by_path[reply.path] = reply.pk

    def grown(pk: int) -> Tree:
        return pk, tuple(grown(child) for child in children[pk])

    return grown(thread.comment.pk)


def nest(shape: Tree, dicts: dict[int, dict]) -> dict:
    """A thread as the API gives it: each comment's dict with its replies under it."""
    pk, replies = shape
    return {**dicts[pk], "replies": [nest(reply, dicts) for reply in replies]}


# How every comment's vote reads in an encoded thread. A string's quotes are
# escaped in JSON, so these bytes occur only as the key and its value.
_NO_VOTE = b'"my_vote":0'


@dataclass(frozen=True)
class SharedPage:
    """A page anybody may see, as the API gives it, kept to lay each reader's
    votes and own comments over: every comment's shared dict, the threads'
    shapes, each thread already encoded, and where in those bytes each
    comment's vote is written."""

    dicts: dict[int, dict]
    trees: list[Tree]
    next_cursor: str | None
    encoded: tuple[bytes, ...] = ()
    thread_of: dict[int, int] = field(default_factory=dict)
    vote_at: dict[int, int] = field(default_factory=dict)  # offset in its thread
    by_author: dict[int, list[int]] = field(default_factory=dict)  # comment ids

    def results(
        self, votes: dict[int, int] | None = None, shown: dict[int, dict] | None = None
    ) -> list:
        """The page's threads, nested, with the reader's `votes` (by comment
        id) and the dicts of `shown` in place of the shared ones. The threads
        `shown` touches are nested afresh; the votes in the others are written
        into the bytes encoded once."""
        shown = dict(shown or {})
        renested = {self.thread_of[pk] for pk in shown}
        spliced: dict[int, list[tuple[int, int]]] = {}
        for pk, vote in (votes or {}).items():
            i = self.thread_of[pk]
            if i in renested:
                shown[pk] = {**shown.get(pk, self.dicts[pk]), "my_vote": vote}
            elif vote:
                spliced.setdefault(i, []).append((self.vote_at[pk], vote))
        dicts = {**self.dicts, **shown} if shown else self.dicts
        results = []
        for i, shape in enumerate(self.trees):
            if i in renested:
                results.append(nest(shape, dicts))
            elif i in spliced:
                results.append(orjson.Fragment(_splice(self.encoded[i], spliced[i])))
            else:
                results.append(orjson.Fragment(self.encoded[i]))
        return results


def _splice(encoded: bytes, votes: list[tuple[int, int]]) -> bytes:
    """`encoded` with each vote written over the no-vote at its offset."""
    pieces = []
    start = 0
    for at, vote in sorted(votes):
        pieces.append(encoded[start:at])
        pieces.append(b'"my_vote":%d' % vote)
        start = at + len(_NO_VOTE)
    pieces.append(encoded[start:])
    return b"".join(pieces)


def _preorder(shape: Tree) -> list[int]:
    """The comment ids of a thread in the order its encoding writes them."""
    pk, replies = shape
    return [pk, *(child for reply in replies for child in _preorder(reply))]


def _vote_offsets(encoded: bytes, shape: Tree) -> dict[int, int]:
    """Where each comment's no-vote starts in its thread's encoding."""
    offsets = {}
    at = -1
    for pk in _preorder(shape):
        at = encoded.index(_NO_VOTE, at + 1)
        offsets[pk] = at
    return offsets


def shared_page(page: DiscussionPage, *, slug: str) -> SharedPage:
    dicts = {
        c.pk: comment_dict(c, slug=slug)
        for t in page.threads
        for c in (t.comment, *t.replies)
    }
    trees = [tree(t) for t in page.threads]
    encoded = tuple(orjson.dumps(nest(shape, dicts)) for shape in trees)
    vote_at = {}
    for data, shape in zip(encoded, trees, strict=True):
        vote_at.update(_vote_offsets(data, shape))
    by_author: dict[int, list[int]] = {}
    for pk, d in dicts.items():
        by_author.setdefault(d["author"]["id"], []).append(pk)
    return SharedPage(
        dicts=dicts,
        trees=trees,
        next_cursor=page.next_cursor,
        encoded=encoded,
        thread_of={
            c.pk: i for i, t in enumerate(page.threads) for c in (t.comment, *t.replies)
        },
        vote_at=vote_at,
        by_author=by_author,
    )
