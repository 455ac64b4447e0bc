"""Writing one imported discussion into the comment tree, all or nothing.

A discussion's new comments go in with a few statements whatever their number
(ids reserved at once, places worked out before writing, the rows copied in:
exchange.bulk), so a large import runs in seconds rather than hours. Each
comment is checked and rendered as a posted one is (comments.services.
normalise_body, then the comment renderer, or exchange.render's same HTML for
plain paragraphs), placed in its thread by comments.services.place_in_thread
(deep replies sit at the last display level beside the comment they answer),
and counted in the article's and the parent's totals in the same transaction.
Imported comments are old news: nobody is e-mailed about them, now or when a
held one is approved later, and no live moderation runs on them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from articles.selectors import articles_by_slug
from comments.cache import discussion_changed
from comments.markdown import render_comment
from comments.models import MAX_BODY, Comment
from comments.services import is_counted, normalise_body, place_in_thread
from moderation.classifiers import spam

from .bulk import insert_rows, reserve_ids
from .models import ImportedComment, ImportedPing
from .records import Discussion, Entry, Tally
from .render import fast_html

LOOKUP_CHUNK = 5000
NAME_LENGTH = Comment._meta.get_field("guest_name").max_length
SHORTENED_MARK = "\n\n\\[…\\]"


class ImportProblem(Exception):
    """One discussion cannot go in as it is; the message says which comment and why."""


@dataclass
class Target:
    """Where an import writes: the source's name and how to find articles."""

    source: str
    create_articles: bool = False
    editor: object = None


def discussion_import(
    *,
    target: Target,
    discussion: Discussion,
    tally: Tally,
    authors: "Authors",
    examples: list[tuple[str, bool]] | None = None,
) -> None:
    """Write a discussion's new comments and pings in one transaction, or none.

    A discussion with no article to go under, or with a comment that cannot be
    written, is recorded in `tally.failures` and leaves nothing behind. The
    spam filter's verdicts are learned in the same transaction, or, given
    `examples`, added to it once the discussion is written, for the caller
    to learn in the transaction around it (spam.learn_many).
    """
    if discussion.problem:
        tally.failures.append(f"{discussion.label}: {discussion.problem}")
        return
    own, verdicts = Tally(), []
    try:
        with transaction.atomic():
            article = article_for(discussion, target)
            if article is None:
                raise ImportProblem(
                    "no article with the slug "
                    f"{' or '.join(map(repr, discussion.slugs)) or '(none given)'}; "
                    "pass --create-articles to make drafts for it"
                )
            _write(target.source, discussion, article, own, authors, verdicts)
            if examples is None:
                spam.learn_many(verdicts)
    except (ImportProblem, ValidationError, DatabaseError) as problem:
        tally.failures.append(f"{discussion.label}: {say(problem)}")
        return
    if examples is not None:
        examples.extend(verdicts)
    tally.add(own)


def say(problem: Exception) -> str:
    """What went wrong, in one line."""
    if isinstance(problem, ValidationError):
        return "; ".join(problem.messages)
    # A database error's text runs to several lines; its first says what.
    return (
        str(problem).strip().splitlines()[0] if str(problem).strip() else repr(problem)
    )


def _write(source: str, discussion: Discussion, article: Article, tally: Tally,
           authors: "Authors", verdicts: list[tuple[str, bool]]) -> None:  # fmt: skip
    tally.pings += _write_pings(source, discussion, article)
    known = _mapped(source, [e.source_id for e in discussion.entries])
    if source == own_source():
        known.update(_still_here(discussion.entries, article))
    new = [e for e in discussion.entries if e.source_id not in known]
    tally.skipped += len(discussion.entries) - len(new)
    if not new:
        return
    texts = {e.source_id: _text(e, discussion, tally) for e in new}
    users = authors.lookup(e.email for e in new if e.registered)
    outside = _existing_parents(new, known, article)
    levels, orphans = _levels(new, outside)
    tally.orphans += len(orphans)
    counted = Counter(e.parent_id for e in new if is_counted(e))
    # Ids in the order the comments were written, so that replies to one comment
    # sort oldest first, as on the site; places are worked out parents first.
    oldest_first = sorted(new, key=lambda e: e.created_at)
    ids = dict(
        zip((e.source_id for e in oldest_first), reserve_ids(Comment, len(new)),
            strict=True)
    )  # fmt: skip
    places: dict[str, _Place] = {}
    for entry in (e for level in levels for e in level):
        parent = places.get(entry.parent_id) or outside.get(entry.parent_id)
        place = _Place(ids[entry.source_id], parent)
        place_in_thread(place, parent)
        places[entry.source_id] = place
    now = timezone.now()
    insert_rows(
        Comment,
        [_row(e, article, places[e.source_id], users, texts[e.source_id],
              counted[e.source_id], now) for e in oldest_first],
    )  # fmt: skip
    insert_rows(
        ImportedComment,
        [{"source": source, "source_id": e.source_id, "comment_id": ids[e.source_id]}
         for e in oldest_first],
    )  # fmt: skip
    _count(article, new, outside, tally)
    # The source's spam filter's verdicts teach the spam model as a moderator's
    # approve or spam mark does, with the comments (a failed or dry run teaches
    # nothing; a second run has no new comments to teach).
    verdicts.extend(
        (texts[entry.source_id], entry.spam_verdict)
        for entry in new
        if entry.spam_verdict is not None and texts[entry.source_id]
    )


class _Place:
    """Where a new comment sits in its thread, worked out before it is written
    (comments.services.place_in_thread reads and sets these)."""

    __slots__ = ("depth", "parent_id", "path", "pk", "root_id")

    def __init__(self, pk: int, parent) -> None:
        self.pk, self.parent_id = pk, parent.pk if parent is not None else None
        self.root_id, self.depth, self.path = None, 0, ""

    tree_parent_path = Comment.tree_parent_path


def _write_pings(source: str, discussion: Discussion, article: Article) -> int:
    """Keep the discussion's pingbacks and trackbacks apart; count the new ones."""
    if not discussion.pings:
        return 0
    ids = [p.source_id for p in discussion.pings]
    have = set(
        ImportedPing.objects.filter(source=source, source_id__in=ids).values_list(
            "source_id", flat=True
        )
    )
    created = ImportedPing.objects.bulk_create(
        ImportedPing(source=source, source_id=p.source_id, article=article,
                     kind=p.kind, title=p.title[:300], url=p.url[:500],
                     excerpt=p.excerpt, created_at=p.created_at)
        for p in discussion.pings
        if p.source_id not in have
    )  # fmt: skip
    return len(created)


def _mapped(source: str, ids: list[str]) -> dict[str, int]:
    """The source ids already imported, with the comment each became."""
    found: dict[str, int] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        found.update(
            ImportedComment.objects.filter(
                source=source, source_id__in=chunk
            ).values_list("source_id", "comment_id")
        )
    return found


def own_source() -> str:
    """The source name of this site's own WXR export (see exchange.export)."""
    return f"wordpress:{settings.SITE_URL.rstrip('/')}"


def _still_here(entries: list[Entry], article: Article) -> dict[str, int]:
    """In this site's own export, the comments that are still on the article."""
    ids = [int(e.source_id) for e in entries if e.source_id.isdigit()]
    found = Comment.objects.filter(article=article, pk__in=ids)
    return {str(pk): pk for pk in found.values_list("pk", flat=True)}


def _text(entry: Entry, discussion: Discussion, tally: Tally) -> str:
    """The stored Markdown, checked as a posted body is; too long is shortened."""
    if entry.deleted_at is not None:
        return ""
    body = entry.body
    if len(body) > MAX_BODY:
        cut = body[: MAX_BODY - len(SHORTENED_MARK)]
        if (end := cut.rfind("\n\n")) > MAX_BODY // 2:
            cut = cut[:end]
        tally.notes.append(
            f"{discussion.label}: comment {entry.source_id} shortened from "
            f"{len(body):,} to {len(cut):,} characters (the site keeps {MAX_BODY:,})"
        )
        body = cut.rstrip() + SHORTENED_MARK
    try:
        return normalise_body(body)
    except ValidationError as error:
        raise ImportProblem(
            f"comment {entry.source_id}: {'; '.join(error.messages)}"
        ) from None


def _existing_parents(
    new: list[Entry], known: dict[str, int], article: Article
) -> dict[str, Comment]:
    """Comments imported by an earlier run that new ones answer."""
    wanted = {known[e.parent_id]: e.parent_id for e in new if e.parent_id in known}
    if not wanted:
        return {}
    rows = Comment.objects.filter(pk__in=wanted, article=article).only(
        "id", "article_id", "root_id", "depth", "path"
    )
    return {wanted[row.pk]: row for row in rows}


def _levels(
    new: list[Entry], outside: dict[str, Comment]
) -> tuple[list[list[Entry]], list[Entry]]:
    """The new entries by generation (parents before replies, each generation
    oldest first) and the orphans: replies to a comment the file does not hold,
    placed at the top level."""
    ids = {e.source_id for e in new}
    replies: dict[str, list[Entry]] = defaultdict(list)
    first, orphans = [], []
    for entry in new:
        parent = entry.parent_id
        if parent in ids and parent != entry.source_id:
            replies[parent].append(entry)
            continue
        if parent is not None and parent not in outside:
            entry.parent_id = None
            orphans.append(entry)
        first.append(entry)
    levels, seen = [], set()
    current = first
    while current:
        current.sort(key=lambda e: e.created_at)
        levels.append(current)
        seen.update(e.source_id for e in current)
        current = [r for e in current for r in replies.pop(e.source_id, ())]
    # What is left answers itself in a circle: break it at the top level.
    if circle := [e for e in new if e.source_id not in seen]:
        for entry in circle:
            entry.parent_id = None
        orphans.extend(circle)
        more, _ = _levels(circle, {})
        for depth, level in enumerate(more):
            if depth < len(levels):
                levels[depth].extend(level)
            else:
                levels.append(level)
    return levels, orphans


def _row(entry: Entry, article: Article, place: _Place, users: dict, text: str,
         replies: int, now) -> dict:  # fmt: skip
    user = users.get(entry.email.lower()) if entry.registered else None
    return {
        "id": place.pk,
        "article_id": article.pk,
        "parent_id": place.parent_id,
        "root_id": place.root_id,
        "depth": place.depth,
        "path": place.path,
        "author_id": user.pk if user else None,
        "guest_name": "" if user else entry.name.strip()[:NAME_LENGTH],
        "guest_email": "" if user else _email(entry.email),
        "body": text,
        "body_html": (fast_html(text) or render_comment(text)) if text else "",
        "status": entry.status,
        "created_at": entry.created_at,
        "deleted_at": entry.deleted_at,
        "notified_at": now,
        "reply_count": replies,
    }


@lru_cache(maxsize=4096)  # readers come back: check each address once
def _email(address: str) -> str:
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _count(article: Article, new: list[Entry], outside: dict[str, Comment],
           tally: Tally) -> None:  # fmt: skip
    """Move the public totals and retire the cached discussion."""
    tally.imported += len(new)
    tally.held += sum(e.status == Comment.Status.HELD for e in new)
    tally.spam += sum(e.status == Comment.Status.SPAM for e in new)
    if shown := sum(map(is_counted, new)):
        Article.objects.filter(pk=article.pk).update(
            comment_count=F("comment_count") + shown
        )
    earlier = Counter(
        e.parent_id for e in new if e.parent_id in outside and is_counted(e)
    )
    for key, replies in earlier.items():
        Comment.objects.filter(pk=outside[key].pk).update(
            reply_count=F("reply_count") + replies
        )
    discussion_changed(article.pk)


class Authors:
    """Accounts on this site by e-mail address, looked up once each per run."""

    def __init__(self) -> None:
        self.known: dict[str, object] = {}

    def lookup(self, emails) -> dict[str, object]:
        wanted = {e.strip().lower() for e in emails if e.strip()}
        missing = wanted - self.known.keys()
        if missing:
            found = {
                user.email_key: user
                for user in get_user_model()
                .objects.annotate(email_key=Lower("email"))
                .filter(email_key__in=missing, is_active=True)
            }
            self.known.update({e: found.get(e) for e in missing})
        return {e: self.known[e] for e in wanted if self.known[e] is not None}


def article_for(discussion: Discussion, target: Target) -> Article | None:
    """The article a discussion belongs under: by slug (from its link or name,
    matching an article's current slug or one it had before), or a new draft
    when the run may create them."""
    slugs = [s for s in discussion.slugs if s]
    found = articles_by_slug(slugs)
    for slug in slugs:
        if slug in found:
            return found[slug]
    if not target.create_articles:
        return None
    return _article_create(discussion, slugs, target.editor)


def _article_create(discussion: Discussion, slugs: list[str], editor) -> Article:
    slug = next((s for s in map(slugify, slugs) if s), "") or slugify(
        f"imported-{discussion.key}"
    )
    title = (discussion.title or slug).strip()[:200]
    article = Article(
        title=title,
        slug=slug[:200],
        standfirst=title[:600],
        body=discussion.body or title,
        author=editor,
        status=Article.Status.DRAFT,
        published_at=discussion.published_at,
        discussion_policy=(
            Article.DiscussionPolicy.CLOSED
            if discussion.closed
            else Article.DiscussionPolicy.OPEN
        ),
    )
    article.full_clean()
    article.save()
    return article
