"""Surge mode: a busy story's comments wait for a moderator until it calms down.

Beat runs `check_surges` every 30 seconds. An article is busy when, in the
last MODERATION_SURGE_WINDOW_MINUTES, it had at least MODERATION_SURGE_FACTOR
times its usual number of comments for such a window (its average over the
week before, or since it was published) and at least
MODERATION_SURGE_MIN_COMMENTS, or when MODERATION_SURGE_FLAGS readers' flags
made in the window are still open. A busy article goes into surge mode; one
the machine put there leaves it once its checks have found it calm for
MODERATION_SURGE_COOLDOWN_MINUTES. A moderator starts or ends surge mode by
hand; the machine never ends one a moderator started, and does not start one
again for the cool-down after a moderator ended it.

While an article is in surge mode, `Article.busy_since` is set (so the
discussion page, which cannot import moderation, shows readers why their
comment waits) and the rules hold every new comment (RuleName.SURGE).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from articles.models import Article
from comments.cache import discussion_changed
from comments.models import Comment

from .models import Flag, Surge
from .services import audit

BASELINE = timedelta(days=7)  # how far back an article's usual rate is taken


def _window() -> timedelta:
    return timedelta(minutes=settings.MODERATION_SURGE_WINDOW_MINUTES)


def _cooldown() -> timedelta:
    return timedelta(minutes=settings.MODERATION_SURGE_COOLDOWN_MINUTES)


def _check_moderator(moderator: User | None) -> None:
    if moderator is not None and not moderator.is_moderator:
        raise PermissionDenied("Only moderators start or end surge mode.")


def _mark(article_id: int, busy_since: datetime | None) -> None:
    Article.objects.filter(pk=article_id).update(busy_since=busy_since)
    # The banner shows, or goes, on the very next page anybody gets.
    discussion_changed(article_id)


@transaction.atomic
def surge_start(
    *, article: Article, moderator: User | None = None, reason: str
) -> Surge:
    """Put an article into surge mode (by the machine when `moderator` is None);
    an article in surge mode already keeps the surge it has."""
    _check_moderator(moderator)
    Article.objects.select_for_update().filter(pk=article.pk).first()
    if (current := Surge.objects.open().filter(article=article).first()) is not None:
        return current
    now = timezone.now()
    surge = Surge.objects.create(
        article=article, started_at=now, started_by=moderator, reason=reason.strip()
    )
    _mark(article.pk, now)
    article.busy_since = now
    audit(
        comment=None,
        actor=moderator,
        action="surge_start",
        reasons=[f"Surge mode on “{article.title}” (#{article.pk}): {surge.reason}"],
        before="normal",
        after="surge",
    )
    return surge


@transaction.atomic
def surge_end(
    *, article: Article, moderator: User | None = None, reason: str
) -> Surge | None:
    """Take an article out of surge mode; None when it was not in it."""
    _check_moderator(moderator)
    Article.objects.select_for_update().filter(pk=article.pk).first()
    surge = Surge.objects.open().filter(article=article).first()
    if surge is None:
        return None
    surge.ended_at, surge.ended_by = timezone.now(), moderator
    surge.end_reason = reason.strip()
    surge.save(update_fields=["ended_at", "ended_by", "end_reason"])
    _mark(article.pk, None)
    article.busy_since = None
    audit(
        comment=None,
        actor=moderator,
        action="surge_end",
        reasons=[
            f"Surge mode off on “{article.title}” (#{article.pk}): {surge.end_reason}"
        ],
        before="surge",
        after="normal",
    )
    return surge


def articles_in_surge() -> QuerySet[Article]:
    """Articles in surge mode, longest first, each with its surge's start, reason
    and starter (`surge_started_by` is empty when the machine started it)."""
    current = Surge.objects.open().filter(article=OuterRef("pk"))
    return (
        Article.objects.filter(Exists(current))
        .annotate(
            surge_started_at=Subquery(current.values("started_at")[:1]),
            surge_reason=Subquery(current.values("reason")[:1]),
            surge_started_by=Subquery(current.values("started_by__username")[:1]),
        )
        .order_by("surge_started_at", "pk")
    )


@dataclass(frozen=True)
class Checked:
    started: int = 0
    ended: int = 0


def _recent_comments(since: datetime) -> dict[int, int]:
    # Naming every status lets PostgreSQL use the (status, created_at) index.
    recent = Comment.objects.filter(
        status__in=Comment.Status.values, created_at__gte=since
    )
    rows = recent.values("article_id").annotate(n=Count("pk")).order_by()
    return {row["article_id"]: row["n"] for row in rows}


def _recent_flags(since: datetime) -> dict[int, int]:
    rows = (
        Flag.objects.open()
        .filter(created_at__gte=since)
        .values("comment__article_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["comment__article_id"]: row["n"] for row in rows}


def usual_per_window(article: Article, since: datetime) -> float:
    """How many comments the article usually had in a window before `since`:
    its average over BASELINE, or since it was published when that is shorter."""
    window = _window()
    start = max(since - BASELINE, article.published_at or article.created_at)
    span = since - start
    if span < window:
        return 0.0  # too young to have a usual rate: only the floor applies
    before = Comment.objects.filter(
        article=article, created_at__gte=start, created_at__lt=since
    ).count()
    return before * (window / span)


def busy_reason(article: Article, *, comments: int, flags: int, since: datetime) -> str:
    """Why the article counts as busy now, or "" when it does not."""
    minutes = settings.MODERATION_SURGE_WINDOW_MINUTES
    floor = settings.MODERATION_SURGE_MIN_COMMENTS
    if comments >= floor:
        usual = usual_per_window(article, since)
        factor = settings.MODERATION_SURGE_FACTOR
        if comments >= max(floor, factor * usual):
            return (
                f"{comments} comments in {minutes} minutes, at least {factor:g} "
                f"times its usual {usual:.1f} (and at least {floor})."
            )
    if flags >= settings.MODERATION_SURGE_FLAGS:
        return (
            f"{flags} readers' flags in {minutes} minutes still wait for a moderator."
        )
    return ""


def check_surges() -> Checked:
    """Start surge mode where an article just got busy, end the machine's where
    it has been calm for the cool-down."""
    now = timezone.now()
    since = now - _window()
    comments, flags = _recent_comments(since), _recent_flags(since)
    open_surges = {s.article_id: s for s in Surge.objects.open()}
    candidates = list(
        Article.objects.filter(pk__in={*comments, *flags, *open_surges}).only(
            "pk", "title", "published_at", "created_at"
        )
    )
    busy = {}
    for article in candidates:
        why = busy_reason(
            article,
            comments=comments.get(article.pk, 0),
            flags=flags.get(article.pk, 0),
            since=since,
        )
        if why:
            busy[article.pk] = (article, why)
    started = _start_busy(busy, open_surges, now)
    ended = _end_calm(
        [s for pk, s in open_surges.items() if pk not in busy], candidates, now
    )
    return Checked(started=started, ended=ended)


def _start_busy(busy: dict, open_surges: dict[int, Surge], now: datetime) -> int:
    # A moderator who ended surge mode by hand is not overruled for a while.
    overruled = set(
        Surge.objects.filter(
            article_id__in=busy,
            ended_by__isnull=False,
            ended_at__gte=now - _cooldown(),
        ).values_list("article_id", flat=True)
    )
    Surge.objects.filter(
        pk__in=[open_surges[pk].pk for pk in busy if pk in open_surges]
    ).update(calm_since=None)
    started = 0
    for pk, (article, why) in busy.items():
        if pk in open_surges or pk in overruled:
            continue
        surge_start(article=article, reason=why)
        started += 1
    return started


def _end_calm(calm: list[Surge], articles: list[Article], now: datetime) -> int:
    by_pk = {a.pk: a for a in articles}
    ended = 0
    for surge in calm:
        if surge.started_by_id is not None:
            continue  # a moderator's surge ends by a moderator's hand
        if surge.calm_since is None:
            Surge.objects.filter(pk=surge.pk).update(calm_since=now)
            continue
        if now - surge.calm_since >= _cooldown():
            minutes = settings.MODERATION_SURGE_COOLDOWN_MINUTES
            surge_end(
                article=by_pk[surge.article_id],
                reason=f"Calm again for {minutes} minutes.",
            )
            ended += 1
    return ended
