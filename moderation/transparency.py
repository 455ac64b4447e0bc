"""A month of moderation in figures, for the public transparency report.

Every figure is counted from the records of what happened (the audit log,
verdicts, flags and appeals), never from counters that can drift: a decision
is an audit entry, automated when no person is its actor.
"""

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import F

from .models import Action, Appeal, AuditEntry, Flag, Verdict

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
HUMAN = "moderator"  # the reason counted for a person's decision
NO_RULE = "no_rule"  # a machine decision no rule fired for (approved)
FLAGS = "reader_flags"  # held because readers' flags weighed enough


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """A month written YYYY-MM; ValueError for anything else."""
        match = MONTH.match(text or "")
        if not match:
            raise ValueError("Give the month as YYYY-MM, for example 2026-11.")
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        year, month = divmod(self.year * 12 + self.month, 12)
        return datetime(year, month + 1, 1, tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _seconds(values) -> dict:
    """Median and 90th percentile of durations, in whole seconds (None if none)."""
    seconds = sorted(v.total_seconds() for v in values)
    if not seconds:
        return {"median": None, "p90": None}
    p90 = seconds[min(len(seconds) - 1, int(0.9 * len(seconds)))]
    return {"median": round(statistics.median(seconds)), "p90": round(p90)}


def month_figures(month: Month) -> dict:
    """What was decided, flagged and appealed in `month` (UTC), and how fast."""
    within = {"created_at__gte": month.start, "created_at__lt": month.end}
    decisions = list(
        AuditEntry.objects.filter(action__in=Action.values, **within)
        .exclude(comment=None)
        .annotate(posted_at=F("comment__created_at"))
        .values("action", "actor_id", "comment_id", "revision", "created_at",
                "posted_at")
    )  # fmt: skip
    by_action = Counter(d["action"] for d in decisions)
    automated = sum(d["actor_id"] is None for d in decisions)
    # The machine's decisions by the rules that fired (each verdict is one);
    # its others are holds for readers' flags; a person's are a moderator's.
    by_reason = Counter()
    verdicts = list(
        Verdict.objects.filter(**within).values_list("rule_names", flat=True)
    )
    for names in verdicts:
        by_reason.update(names.split() or [NO_RULE])
    by_reason[FLAGS] = automated - len(verdicts)
    by_reason[HUMAN] = len(decisions) - automated
    # Time to decision: from posting to the first decision on each comment.
    first = {}
    for d in sorted(decisions, key=lambda d: d["created_at"]):
        first.setdefault(d["comment_id"], d["created_at"] - d["posted_at"])
    flags = Flag.objects.filter(**within)
    acted = Flag.objects.filter(
        resolved_at__gte=month.start, resolved_at__lt=month.end, upheld=True
    )
    decided = Appeal.objects.filter(
        resolved_at__gte=month.start, resolved_at__lt=month.end
    )
    outcomes = Counter(decided.values_list("outcome", flat=True))
    appeal_waits = [a.resolved_at - a.created_at for a in decided.only(
        "created_at", "resolved_at")]  # fmt: skip
    return {
        "month": str(month),
        "decisions": {
            "total": len(decisions),
            "by_action": {a: by_action.get(a, 0) for a in Action.values},
            "automated": automated,
            "human": len(decisions) - automated,
            "by_reason": dict(sorted(by_reason.items())),
        },
        "time_to_decision_seconds": _seconds(first.values()),
        "flags": {"received": flags.count(), "acted_on": acted.count()},
        "appeals": {
            "received": Appeal.objects.filter(**within).count(),
            "upheld": outcomes.get(Appeal.Outcome.UPHOLD, 0),
            "reversed": outcomes.get(Appeal.Outcome.REVERSE, 0),
            "time_to_decide_seconds": _seconds(appeal_waits)["median"],
        },
    }


def as_rows(figures: dict) -> list[tuple[str, object]]:
    """The figures flattened to (name, value) pairs, for a CSV file."""
    rows = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        else:
            rows.append((prefix, value))

    walk("", figures)
    return rows
