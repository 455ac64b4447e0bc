"""Backtest: what a proposed configuration would have decided about the stored
comments, before anyone changes it. Nothing is written.

Each comment's newest machine verdict is replayed: its text is scored again by
the toxicity model serving now, the toxicity and link rules are run with the
proposed limits (or each article's own where none is proposed), and every
other finding stays as recorded. A decision that would differ is counted for
each rule whose finding changed and each topic of its article.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator

from articles.models import Article

from .bundles import policy_for
from .classifiers import _loaded
from .models import Action, RuleName, Verdict
from .rules import SEVERITY, link_count

_SINCE = re.compile(r"(\d{1,5})([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
REPLAYED = {RuleName.TOXICITY.value, RuleName.LINKS.value}
NO_TOPIC = "(no topic)"


class BacktestForm(forms.Form):
    """The proposed configuration: the command's options and the admin's form."""

    toxicity_threshold = forms.FloatField(
        required=False, min_value=0, max_value=1,
        help_text="Hold at or above this score; empty: each article's own.",
    )  # fmt: skip
    link_limit = forms.IntegerField(
        required=False, min_value=0, max_value=1000,
        help_text="Hold a comment with more links; empty: each article's own.",
    )  # fmt: skip
    since = forms.CharField(
        required=False, initial="30d", max_length=8,
        help_text="Comments of the last 12h, 30d or 4w; empty: every one.",
    )  # fmt: skip
    article = forms.CharField(
        required=False, max_length=200, help_text="An article's slug; empty: all."
    )

    def clean_since(self) -> timedelta | None:
        since = self.cleaned_data["since"].strip()
        if not since:
            return None
        if not (match := _SINCE.fullmatch(since)):
            raise ValidationError(f"Write --since as 12h, 30d or 4w, not {since!r}.")
        return timedelta(**{_UNITS[match[2]]: int(match[1])})

    def clean_article(self) -> Article | None:
        slug = self.cleaned_data["article"].strip()
        if not slug:
            return None
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            raise ValidationError(f"No article has the slug {slug!r}.")
        return article


@dataclass(frozen=True)
class Example:
    comment_id: int
    excerpt: str
    why: str


@dataclass
class Result:
    replayed: int = 0
    changes: Counter = field(default_factory=Counter)  # "approve→hold": n
    by_rule: dict = field(default_factory=lambda: defaultdict(Counter))
    by_category: dict = field(default_factory=lambda: defaultdict(Counter))
    examples: dict = field(default_factory=lambda: defaultdict(list))  # (rule, change)

    @property
    def changed(self) -> int:
        return sum(self.changes.values())

    def change_rows(self) -> list[tuple[str, int]]:
        """("approve→hold", n) for each kind of change."""
        return sorted(self.changes.items())

    def rule_rows(self, per: int = 3) -> list[tuple[str, list, list[Example]]]:
        """(rule, its changes, a few examples) for every rule that changed one."""
        return [
            (
                rule,
                sorted(counts.items()),
                [e for c in sorted(counts) for e in self.examples[rule, c][:per]],
            )
            for rule, counts in sorted(self.by_rule.items())
        ]

    def topic_rows(self) -> list[tuple[str, list]]:
        """(topic, its changes) for every topic with a changed decision."""
        return [(t, sorted(c.items())) for t, c in sorted(self.by_category.items())]


def run(
    *,
    toxicity_threshold: float | None = None,
    link_limit: int | None = None,
    since: timedelta | None = None,
    article: Article | None = None,
    examples: int = 3,
) -> Result:
    """Replay stored comments through the proposed limits; write nothing."""
    rows = _newest_verdicts(since=since, article=article)
    scores = _toxicity_scores(rows)
    articles = _articles({row["comment__article_id"] for row in rows})
    result = Result(replayed=len(rows))
    for row, score in zip(rows, scores, strict=True):
        target = articles[row["comment__article_id"]]
        threshold = _pick(toxicity_threshold, target, "toxicity_threshold")
        limit = _pick(link_limit, target, "link_limit")
        links = link_count(row["comment__body"])
        fired = {
            RuleName.TOXICITY.value: score >= threshold,
            RuleName.LINKS.value: links > limit,
        }
        kept = [r for r in row["reasons"] if r.get("rule") not in REPLAYED]
        actions = [Action(r["action"]) for r in kept]
        actions += [Action.HOLD for fires in fired.values() if fires]
        after = max(actions, key=SEVERITY.get, default=Action.APPROVE)
        if after == row["action"]:
            continue
        change = f"{row['action']}→{after.value}"
        result.changes[change] += 1
        was = {r.get("rule") for r in row["reasons"]}
        rules = [name for name, fires in fired.items() if fires != (name in was)]
        why = {
            RuleName.TOXICITY.value: f"toxicity {score:.2f}, threshold {threshold:.2f}",
            RuleName.LINKS.value: f"{links} links, limit {limit}",
        }
        for rule in rules or ["other"]:
            result.by_rule[rule][change] += 1
            if len(result.examples[rule, change]) < examples:
                text = Truncator(row["comment__body"]).chars(90)
                result.examples[rule, change].append(
                    Example(row["comment_id"], text, why.get(rule, "other findings"))
                )
        for topic in target["topics"]:
            result.by_category[topic][change] += 1
    return result


def _newest_verdicts(*, since, article) -> list[dict]:
    """Each stored comment's newest machine verdict, oldest comment first."""
    verdicts = Verdict.objects.filter(comment__deleted_at__isnull=True)
    if since is not None:
        verdicts = verdicts.filter(comment__created_at__gte=timezone.now() - since)
    if article is not None:
        verdicts = verdicts.filter(comment__article=article)
    newest = verdicts.values("comment_id").annotate(newest=Max("pk")).values("newest")
    return list(
        Verdict.objects.filter(pk__in=newest)
        .order_by("comment_id")
        .values("comment_id", "action", "reasons", "scores", "comment__body",
                "comment__article_id")
    )  # fmt: skip


def _toxicity_scores(rows: list[dict]) -> list[float]:
    """The serving model's scores of the comments, or the stored ones without it."""
    for path in settings.MODERATION_CLASSIFIERS:
        classifier = _loaded(path)
        if classifier.name == "toxicity" and hasattr(classifier, "probabilities"):
            return classifier.probabilities([row["comment__body"] for row in rows])
    return [row["scores"].get("toxicity", {}).get("score", 0.0) for row in rows]


def _articles(ids: set[int]) -> dict[int, dict]:
    """Each article's own limits (policy_for) and its topics' names."""
    found = {}
    for article in Article.objects.filter(pk__in=ids).prefetch_related("topics"):
        policy = policy_for(article)
        found[article.pk] = {
            "toxicity_threshold": policy.toxicity_threshold,
            "link_limit": policy.link_limit,
            "topics": [t.name for t in article.topics.all()] or [NO_TOPIC],
        }
    return found


def _pick(proposed, article: dict, name: str):
    return article[name] if proposed is None else proposed
