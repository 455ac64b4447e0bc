"""Spam: a naive Bayes model this site learns from its own moderators.

Every human approve counts a comment's words as not spam, every "mark as spam"
as spam (`learn`, run by moderation.tasks.learn_spam); `retrain` rebuilds the
counts from the audit log. Until it has seen a few of each it
abstains with a score of 0: it never calls a comment spam on no evidence.
"""

import math
import re

from django.db import transaction
from django.db.models import F

from core.text import normalise

from ..models import Action, AuditEntry, SpamToken
from . import Score

DOCS = "__docs__"  # the row that counts documents rather than a word
MIN_EACH = 5
_LINK = re.compile(r"https?://([^/\s)\]]+)", re.IGNORECASE)


def tokens(text: str) -> set[str]:
    """The distinct words of a text, plus the hosts it links to."""
    words = {w for w in normalise(text).split() if 2 <= len(w) <= 30}
    hosts = {f"host:{h.lower()}"[:40] for h in _LINK.findall(text)}
    return words | hosts


class SpamClassifier:
    name = "spam"
    model = "naive-bayes"

    def score(self, text: str) -> Score:
        words = tokens(text)
        counts = {
            t.token: t for t in SpamToken.objects.filter(token__in=[*words, DOCS])
        }
        docs = counts.pop(DOCS, None)
        spam_docs, ham_docs = (docs.spam, docs.ham) if docs else (0, 0)
        version = f"{spam_docs} spam / {ham_docs} not"
        if spam_docs < MIN_EACH or ham_docs < MIN_EACH:
            return Score(0.0, self.model, version, ["too few examples to judge yet"])
        log_odds = math.log(spam_docs / ham_docs)
        for word in words:
            seen = counts.get(word)
            spam, ham = (seen.spam, seen.ham) if seen else (0, 0)
            log_odds += math.log((spam + 1) / (spam_docs + 2))
            log_odds -= math.log((ham + 1) / (ham_docs + 2))
        probability = 1 / (1 + math.exp(-max(min(log_odds, 50), -50)))
        return Score(probability, self.model, version)


@transaction.atomic
def learn(*, text: str, is_spam: bool) -> None:
    """Count a moderator-labelled comment's words into the spam model."""
    words = [*sorted(tokens(text)), DOCS]
    SpamToken.objects.bulk_create(
        [SpamToken(token=w) for w in words], ignore_conflicts=True
    )
    column = "spam" if is_spam else "ham"
    SpamToken.objects.filter(token__in=words).update(**{column: F(column) + 1})


@transaction.atomic
def retrain() -> tuple[int, int]:
    """Rebuild the model from every moderator decision still on record.

    Returns how many spam and how many approved comments it learnt from.
    """
    SpamToken.objects.all().delete()
    decided = (
        AuditEntry.objects.filter(
            actor__isnull=False, action__in=[Action.APPROVE, Action.SPAM]
        )
        .exclude(comment=None)
        .select_related("comment")
        .order_by("comment_id", "-created_at")
    )
    latest = {}
    for entry in decided:
        latest.setdefault(entry.comment_id, entry)
    counts = [0, 0]
    for entry in latest.values():
        if entry.comment.body:
            learn(text=entry.comment.body, is_spam=entry.action == Action.SPAM)
            counts[entry.action == Action.APPROVE] += 1
    return counts[0], counts[1]
