"""How long holds usually last here, for the statement a held comment's author
reads.

A hold's wait runs from the machine's `hold` audit entry to the first decision
a person made on the comment after it (approve, reject or spam, an appeal's
reversal included). Only a person ends a hold: an edit keeps a held comment
held, with a new revision, so the decision need not be on the revision held.

The usual wait is the median wait of the holds the machine made in the last
WINDOW that a person has since decided; holds still waiting are left out, since
their wait is not known yet. With fewer than MIN_HOLDS such holds there is too
little to say, and the answer is None.

One aggregate query works it out, cached for CACHE_SECONDS; a cache that is
down only means no caching.
"""

import logging
import statistics
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from .models import Action, AuditEntry

logger = logging.getLogger(__name__)

WINDOW = timedelta(days=30)
MIN_HOLDS = 5
CACHE_KEY = "moderation:usual-wait"
CACHE_SECONDS = 300
PEOPLE_DECIDE = (Action.APPROVE, Action.REJECT, Action.SPAM)


class Median(Aggregate):
    """PostgreSQL's continuous median of a duration."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def decided_holds(*, since) -> QuerySet:
    """The machine's holds made since `since` that a person has decided, each
    annotated with `wait`: the time until that person's decision."""
    decision = (
        AuditEntry.objects.filter(
            comment_id=OuterRef("comment_id"),
            actor__isnull=False,
            action__in=PEOPLE_DECIDE,
            created_at__gte=OuterRef("created_at"),
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    return (
        AuditEntry.objects.filter(
            action=Action.HOLD,
            actor__isnull=True,
            comment__isnull=False,
            created_at__gte=since,
        )
        .annotate(decided_at=Subquery(decision))
        .filter(decided_at__isnull=False)
        .annotate(
            wait=ExpressionWrapper(
                F("decided_at") - F("created_at"), output_field=DurationField()
            )
        )
    )


def median_wait() -> timedelta | None:
    """The median wait of the last WINDOW's decided holds (one query), or None
    when there are fewer than MIN_HOLDS of them."""
    holds = decided_holds(since=timezone.now() - WINDOW)
    if connection.vendor == "postgresql":
        figures = holds.aggregate(median=Median("wait"), n=Count("pk"))
        return figures["median"] if figures["n"] >= MIN_HOLDS else None
    # Elsewhere (SQLite under `make run`) the same query hands back the waits.
    waits = list(holds.values_list("wait", flat=True))
    return statistics.median(sorted(waits)) if len(waits) >= MIN_HOLDS else None


def in_words(minutes: int) -> str:
    """A wait as a person says it: "about 3 hours"."""
    if minutes < 2:
        return "about a minute"
    if minutes < 55:
        return f"about {minutes} minutes"
    hours = minutes / 60
    if hours < 1.5:
        return "about an hour"
    if hours < 36:
        return f"about {int(hours + 0.5)} hours"
    days = hours / 24
    return f"about {int(days + 0.5)} days"


def usual_wait() -> dict:
    """{"usual_wait": "about 3 hours", "usual_wait_minutes": 180}, or both None
    when too few holds were decided lately; cached for CACHE_SECONDS."""
    now = timezone.now().timestamp()
    try:
        cached = cache.get(CACHE_KEY)
    except Exception:
        logger.warning("cache unreachable; working out the usual wait afresh")
        cached = None
    # The entry says when it was worked out, so that it is never older than
    # CACHE_SECONDS by this process's clock, whatever the cache's own.
    if cached is not None and 0 <= now - cached["at"] < CACHE_SECONDS:
        return cached["wait"]
    median = median_wait()
    minutes = None if median is None else max(1, round(median.total_seconds() / 60))
    found = {
        "usual_wait": None if minutes is None else in_words(minutes),
        "usual_wait_minutes": minutes,
    }
    try:
        cache.set(CACHE_KEY, {"at": now, "wait": found}, timeout=CACHE_SECONDS)
    except Exception:
        logger.warning("cache unreachable; the usual wait is not kept")
    return found
