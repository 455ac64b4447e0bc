"""The rendered discussion: each comment's HTML made once per discussion version
and shared by every reader, with only the reader's own comments rendered for them.

A comment nobody owns on the page renders one of two ways for anybody: as an
anonymous reader sees it, or as a reader who may vote (and has not) sees it,
with their CSRF token in the vote form. Both are rendered when the shared page
is built; a reader's page takes one or the other, and renders afresh only what
is theirs (their comments, the ones they voted on, a thread their hidden
comments changed).
"""

import secrets
from dataclasses import dataclass

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from articles.models import Article

from . import overlay
from .selectors import DiscussionPage

COMMENT = "comments/_comment.html"


@dataclass
class SharedFragments:
    page: DiscussionPage
    anonymous: dict[int, str]
    # Split around the CSRF token, which is the reader's own.
    voter: dict[int, tuple[str, str]]
    can_reply: dict[int, bool]


def shared_fragments(
    *, article: Article, sort: str, cursor: str | None, thread_id: int | None
) -> SharedFragments:
    """The shared page with each comment rendered for anybody (see module doc)."""
    page = overlay.shared_page(
        article=article, sort=sort, cursor=cursor, thread_id=thread_id
    )
    template = get_template(COMMENT)
    # Unguessable, so no comment's text can hold it and be split on it.
    mark = f"csrf-{secrets.token_hex(16)}"
    anonymous, voter, can_reply = {}, {}, {}
    for c in (c for t in page.threads for c in (t.comment, *t.replies)):
        anonymous[c.pk] = template.render({"c": c})
        can_reply[c.pk] = c.can_reply
        if c.status == c.Status.APPROVED and not c.is_deleted and article.is_live:
            c.can_vote = c.can_flag = True
            before, _, after = template.render({"c": c, "csrf_token": mark}).partition(
                mark
            )
            voter[c.pk] = (before, after)
            c.can_vote = c.can_flag = False
    return SharedFragments(page, anonymous, voter, can_reply)


def threads_html(
    shared: SharedFragments,
    *,
    article: Article,
    user,
    csrf_token: str,
    cursor: str | None,
    thread_id: int | None,
) -> str:
    """The threads of the page as `user` sees them (`csrf_token` is theirs)."""
    reader = overlay.reader_page(
        shared.page, article=article, user=user, cursor=cursor, thread_id=thread_id
    )
    template = get_template(COMMENT)

    def one(c) -> str:
        shareable = (
            c.pk not in reader.personal
            and not c.my_vote
            and c.can_reply == shared.can_reply.get(c.pk)
        )
        if shareable and not c.can_vote:
            return shared.anonymous[c.pk]
        if shareable and c.pk in shared.voter:
            before, after = shared.voter[c.pk]
            return f"{before}{csrf_token}{after}"
        return template.render({"c": c, "csrf_token": csrf_token})

    for thread in reader.page.threads:
        thread.html = mark_safe(  # noqa: S308 - rendered by our own templates
            "".join(one(c) for c in (thread.comment, *thread.replies))
        )
    return get_template("comments/_threads.html").render({"page": reader.page})
