"""The rendered discussion: each comment's HTML made once per discussion version
and shared by every reader, with only the reader's own comments rendered for them.

A comment nobody owns on the page renders one of two ways for anybody: as an
anonymous reader sees it, or as a reader who may vote sees it, with their CSRF
token in the vote form and the buttons showing their vote (none, up or down:
the vote form is rendered three ways and spliced in). All are rendered when the
shared page is built; a reader's page takes one of them, and renders afresh
only what is theirs (their comments, a thread their hidden comments changed).
"""

import secrets
from dataclasses import dataclass

from django.db.models.base import ModelState
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from articles.models import Article

from . import overlay, selectors
from .models import Comment
from .selectors import DiscussionPage, Thread

COMMENT = "comments/_comment.html"
VOTE = "comments/_vote.html"
VOTES = (0, 1, -1)
_ARTICLE = Comment._meta.get_field("article")


@dataclass
class SharedFragments:
    page: DiscussionPage
    anonymous: dict[int, str]
    # The voter's rendering around its vote form, and the vote form for each
    # vote, split around the CSRF token, which is the reader's own.
    voter: dict[int, tuple[str, dict[int, tuple[str, str]], str]]
    can_reply: dict[int, bool]


def shared_fragments(
    *, article: Article, sort: str, cursor: str | None, thread_id: int | None
) -> SharedFragments:
    """The shared page with each comment rendered for anybody (see module doc)."""
    page = overlay.shared_page(
        article=article, sort=sort, cursor=cursor, thread_id=thread_id
    )
    template, vote_form = get_template(COMMENT), get_template(VOTE)
    # Unguessable, so no comment's text can hold it and be split on it.
    mark = f"csrf-{secrets.token_hex(16)}"
    anonymous, voter, can_reply = {}, {}, {}
    for c in (c for t in page.threads for c in (t.comment, *t.replies)):
        anonymous[c.pk] = template.render({"c": c})
        can_reply[c.pk] = c.can_reply
        if c.status == c.Status.APPROVED and not c.is_deleted and article.is_live:
            c.can_vote = c.can_flag = True
            if split := _voter(c, template, vote_form, mark):
                voter[c.pk] = split
            c.can_vote = c.can_flag = False
    return SharedFragments(page, anonymous, voter, can_reply)


def _voter(c, template, vote_form, mark: str):
    """The voter's rendering of `c` split around its vote form, and that form
    for each vote split around the CSRF token; None if the form is not found."""
    c.my_vote = 0
    whole = template.render({"c": c, "csrf_token": mark})
    forms = {}
    for vote in VOTES:
        c.my_vote = vote
        before, _, after = vote_form.render({"c": c, "csrf_token": mark}).partition(
            mark
        )
        forms[vote] = (before, after)
    c.my_vote = 0
    head, found, tail = whole.partition(mark.join(forms[0]))
    return (head, forms, tail) if found else None


def threads_html(
    shared: SharedFragments,
    *,
    article: Article,
    user,
    csrf_token: str,
    cursor: str | None,
    thread_id: int | None,
    state: overlay.ReaderState | None = None,
) -> str:
    """The threads of the page as `user` sees them (`csrf_token` is theirs;
    `state` theirs too, when already read: `overlay.reader_page`).

    `shared` is left as it was: each process keeps it for every reader.
    """
    user = overlay.unwrapped(user)
    reader = overlay.reader_page(
        _private(shared.page, article),
        article=article, user=user, cursor=cursor, thread_id=thread_id, state=state,
    )  # fmt: skip
    template = get_template(COMMENT)
    # What picks a comment's shared rendering; all else only for those rendered.
    selectors.mark_reactions(
        [c for t in reader.page.threads for c in (t.comment, *t.replies)],
        user, article,
    )  # fmt: skip

    def one(c) -> str:
        shareable = c.pk not in reader.personal and c.can_reply == shared.can_reply.get(
            c.pk
        )
        if shareable and not c.can_vote and not c.my_vote:
            return shared.anonymous[c.pk]
        if shareable and c.can_vote and c.pk in shared.voter:
            head, forms, tail = shared.voter[c.pk]
            before, after = forms[c.my_vote]
            return f"{head}{before}{csrf_token}{after}{tail}"
        selectors.mark_for_reader([c], user, article)
        return template.render({"c": c, "csrf_token": csrf_token})

    for thread in reader.page.threads:
        thread.html = mark_safe(  # noqa: S308 - rendered by our own templates
            "".join(one(c) for c in (thread.comment, *thread.replies))
        )
    return get_template("comments/_threads.html").render({"page": reader.page})


def _private(page: DiscussionPage, article: Article) -> DiscussionPage:
    """A copy of `page` that one request may change: new threads and comments
    (each comment's article `article`), holding what the originals hold."""

    def copy(c: Comment) -> Comment:
        new = Comment.__new__(Comment)
        new.__dict__.update(c.__dict__)
        state = new._state = ModelState.__new__(ModelState)
        state.__dict__.update(c._state.__dict__)
        state.fields_cache = dict(c._state.fields_cache)
        _ARTICLE.set_cached_value(new, article)
        return new

    threads = [
        Thread(
            comment=copy(t.comment),
            replies=[copy(r) for r in t.replies],
            more_after=t.more_after,
        )
        for t in page.threads
    ]
    return DiscussionPage(threads=threads, sort=page.sort, next_cursor=page.next_cursor)
