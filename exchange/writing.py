"""Turning imported discussions into comment rows: planned one by one, written
together.

`plan_discussion` does everything that can refuse a discussion (its bodies
checked, its replies sorted into generations) and reads only what it must, so
a discussion refused there has written nothing. `write_plans` then writes any
number of planned discussions with a few statements in all: their ids from the
table's sequence in one query (a comment's path holds its own id), their
places worked out in memory by comments.services.place_in_thread (deep replies
sit at the last display level beside the comment they answer), their rows and
import records copied in (exchange.bulk), and the totals of their articles and
of the earlier comments they answer moved with one statement each. Each comment
is checked and rendered as a posted one is (comments.services.normalise_body,
then the comment renderer, or exchange.render's same HTML for plain
paragraphs). Imported comments are old news: nobody is e-mailed about them,
now or when a held one is approved later, and no live moderation runs on them.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.models import Case, F, Value, When
from django.utils import timezone

from articles.models import Article
from comments.cache import discussion_changed
from comments.markdown import render_comment
from comments.models import MAX_BODY, Comment
from comments.services import is_counted, normalise_body, place_in_thread

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
class Plan:
    """A discussion's new comments, checked and sorted, ready to be written."""

    source: str
    discussion: Discussion
    article: Article
    # Parents before replies, each generation oldest first.
    levels: list[list[Entry]] = field(default_factory=list)
    # Each new comment's parent as it will be written: a source id, or None
    # for the top level (an orphan's parent is not in the file).
    parents: dict[str, str | None] = field(default_factory=dict)
    outside: dict[str, Comment] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    # Approved direct replies among the new comments, by parent source id.
    replies: Counter = field(default_factory=Counter)

    @property
    def new(self) -> list[Entry]:
        return [e for level in self.levels for e in level]

    @property
    def oldest_first(self) -> list[Entry]:
        return sorted(self.new, key=lambda e: e.created_at)


def plan_discussion(
    source: str,
    discussion: Discussion,
    article: Article,
    *,
    known: dict[str, int],
    authors,
    tally: Tally,
) -> Plan:
    """Check a discussion's comments that `known` (source id → comment) lacks;
    raise ImportProblem or ValidationError for one that cannot be written."""
    if source == own_source():
        known = {**known, **_still_here(discussion.entries, article)}
    new = [e for e in discussion.entries if e.source_id not in known]
    tally.skipped += len(discussion.entries) - len(new)
    plan = Plan(source, discussion, article)
    if not new:
        return plan
    plan.texts = {e.source_id: _text(e, discussion, tally) for e in new}
    plan.users = authors.lookup(e.email for e in new if e.registered)
    plan.outside = _existing_parents(new, known, article)
    plan.levels, plan.parents, orphans = _levels(new, plan.outside)
    plan.replies = Counter(plan.parents[e.source_id] for e in new if is_counted(e))
    tally.orphans += orphans
    return plan


def write_plans(plans: list[Plan], tally: Tally) -> list[tuple[str, bool]]:
    """Write the planned discussions' pings, comments and import records, move
    their totals; return the source's spam verdicts on them, to be learned."""
    for plan in plans:
        tally.pings += _write_pings(plan.source, plan.discussion, plan.article)
    plans = [p for p in plans if p.levels]
    placed = _place(plans, reserve_ids(Comment, sum(len(p.new) for p in plans)))
    now = timezone.now()
    # Rows are made as they are copied: a batch's rendered bodies are never
    # all held at once.
    insert_rows(
        Comment,
        (_row(e, plan, places[e.source_id], now)
         for plan, places in placed for e in plan.oldest_first),
    )  # fmt: skip
    insert_rows(
        ImportedComment,
        ({"source": plan.source, "source_id": e.source_id,
          "comment_id": places[e.source_id].pk}
         for plan, places in placed for e in plan.oldest_first),
    )  # fmt: skip
    _count(plans, tally)
    # The source's spam filter's verdicts teach the spam model as a moderator's
    # approve or spam mark does, with the comments (a failed or dry run teaches
    # nothing; a second run has no new comments to teach).
    return [
        (plan.texts[e.source_id], e.spam_verdict)
        for plan in plans
        for e in plan.discussion.entries
        if e.source_id in plan.parents
        and e.spam_verdict is not None
        and plan.texts[e.source_id]
    ]


class _Place:
    """Where a new comment sits in its thread, worked out before it is written
    (comments.services.place_in_thread reads and sets these)."""

    __slots__ = ("depth", "parent_id", "path", "pk", "root_id")

    def __init__(self, pk: int, parent) -> None:
        self.pk, self.parent_id = pk, parent.pk if parent is not None else None
        self.root_id, self.depth, self.path = None, 0, ""

    tree_parent_path = Comment.tree_parent_path


def _place(plans: list[Plan], ids: list[int]) -> list[tuple[Plan, dict[str, _Place]]]:
    """Each plan's comments' places. Ids go in the order the comments were
    written, so that replies to one comment sort oldest first, as on the site;
    places are worked out parents first."""
    given: Iterator[int] = iter(ids)
    placed = []
    for plan in plans:
        own = {e.source_id: next(given) for e in plan.oldest_first}
        places: dict[str, _Place] = {}
        for entry in plan.new:
            up = plan.parents[entry.source_id]
            parent = places.get(up) or plan.outside.get(up)
            places[entry.source_id] = place = _Place(own[entry.source_id], parent)
            place_in_thread(place, parent)
        placed.append((plan, places))
    return placed


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


def known_ids(wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Of (source, source id) pairs, those already imported, with the comment
    each became: one query per source and few thousand ids."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, ident in wanted:
        by_source[source].append(ident)
    found: dict[tuple[str, str], int] = {}
    for source, ids in by_source.items():
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            found.update(((source, i), pk) for i, pk in _imported(source, chunk))
    return found


def _imported(source: str, ids: list[str]) -> list[tuple[str, int]]:
    if connection.vendor != "postgresql":
        return list(
            ImportedComment.objects.filter(
                source=source, source_id__in=ids
            ).values_list("source_id", "comment_id")
        )
    # One probe of the (source, source_id) index per id, whatever the table
    # holds: with its statistics not yet gathered (a first import), PostgreSQL
    # would otherwise read every row of the source for each batch.
    table = connection.ops.quote_name(ImportedComment._meta.db_table)
    query = (
        "SELECT wanted.id, found.comment_id FROM unnest(%s::text[]) AS wanted(id) "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT comment_id FROM {table} "
        "WHERE source = %s AND source_id = wanted.id LIMIT 1) AS found"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [ids, source])
        return cursor.fetchall()


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
) -> tuple[list[list[Entry]], dict[str, str | None], int]:
    """The new entries by generation (parents before replies, each generation
    oldest first), each one's parent as written, and how many are orphans:
    replies to a comment the file does not hold, placed at the top level."""
    ids = {e.source_id for e in new}
    replies: dict[str, list[Entry]] = defaultdict(list)
    parents: dict[str, str | None] = {}
    first, orphans = [], 0
    for entry in new:
        parent = entry.parent_id
        if parent in ids and parent != entry.source_id:
            replies[parent].append(entry)
            continue
        if parent is not None and parent not in outside:
            parent, orphans = None, orphans + 1
        parents[entry.source_id] = parent
        first.append(entry)
    levels = []
    current = first
    while current:
        current.sort(key=lambda e: e.created_at)
        levels.append(current)
        for entry in current:
            parents.setdefault(entry.source_id, entry.parent_id)
        current = [r for e in current for r in replies.pop(e.source_id, ())]
    # What is left answers itself in a circle: break it at the top level.
    if circle := [e for e in new if e.source_id not in parents]:
        orphans += len(circle)
        parents.update((e.source_id, None) for e in circle)
        circle.sort(key=lambda e: e.created_at)
        if levels:
            levels[0].extend(circle)
        else:
            levels.append(circle)
    return levels, parents, orphans


def _row(entry: Entry, plan: Plan, place: _Place, now) -> dict:
    text = plan.texts[entry.source_id]
    user = plan.users.get(entry.email.lower()) if entry.registered else None
    return {
        "id": place.pk,
        "article_id": plan.article.pk,
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
        "reply_count": plan.replies[entry.source_id],
    }


@lru_cache(maxsize=4096)  # readers come back: check each address once
def _email(address: str) -> str:
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _count(plans: list[Plan], tally: Tally) -> None:
    """Move the public totals, one statement for the articles and one for the
    earlier comments answered, and retire the cached discussions."""
    shown, earlier = Counter(), Counter()
    for plan in plans:
        new = plan.new
        tally.imported += len(new)
        tally.held += sum(e.status == Comment.Status.HELD for e in new)
        tally.spam += sum(e.status == Comment.Status.SPAM for e in new)
        shown[plan.article.pk] += sum(map(is_counted, new))
        for entry in new:
            up = plan.parents[entry.source_id]
            if up in plan.outside and is_counted(entry):
                earlier[plan.outside[up].pk] += 1
    _add(Article, "comment_count", +shown)
    _add(Comment, "reply_count", +earlier)
    for pk in dict.fromkeys(p.article.pk for p in plans):
        discussion_changed(pk)


def _add(model, column: str, amounts: Counter) -> None:
    """Add each row's amount to its `column` in one UPDATE."""
    if not amounts:
        return
    model.objects.filter(pk__in=amounts).update(
        **{column: F(column) + Case(*(When(pk=pk, then=Value(n))
                                      for pk, n in amounts.items()))}
    )  # fmt: skip
