"""Spam: a naive Bayes model this site learns from its own moderators.

Every human approve counts a comment's words as not spam, every "mark as spam"
as spam (`learn`, run by moderation.tasks.learn_spam); `retrain` rebuilds the
counts from the audit log. Until it has seen a few of each it
abstains with a score of 0: it never calls a comment spam on no evidence.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from core.text import normalise

from ..models import Action, AuditEntry, SpamToken
from . import Score

DOCS = "__docs__"  # the row that counts documents rather than a word
MIN_EACH = 5
# Rows per insert-or-add statement: three parameters each, under SQLite's
# oldest limit of 999.
UPSERT_ROWS = 300
PIECES_KEPT = 1 << 15
_LINK = re.compile(r"https?://([^/\s)\]]+)", re.IGNORECASE)


def tokens(text: str) -> set[str]:
    """The distinct words of a text, plus the hosts it links to."""
    # normalise() never joins or splits across white space (a space folds to
    # a space), so the text's words are its space-separated pieces' words; a
    # piece is folded once however often it comes, in any comment. The set
    # operations run in C, one call each, not once a piece.
    pieces = set(text.split())
    if len(_PIECES) + len(pieces) > PIECES_KEPT:
        _PIECES.clear()  # the pieces folded lately: memory stays bounded
    for piece in pieces.difference(_PIECES):
        _PIECES[piece] = tuple(w for w in normalise(piece).split() if 2 <= len(w) <= 30)
    words = set().union(*map(_PIECES.__getitem__, pieces))
    if "://" in text:
        words.update(f"host:{h.lower()}"[:40] for h in _LINK.findall(text))
    return words


# Piece → its words, for the pieces folded lately.
_PIECES: dict[str, tuple[str, ...]] = {}


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


def learn(*, text: str, is_spam: bool) -> None:
    """Count a moderator-labelled comment's words into the spam model."""
    learn_many([(text, is_spam)])


@transaction.atomic
def learn_many(examples: Iterable[tuple[str, bool]]) -> None:
    """Count many labelled comments' words into the model in one statement per
    few hundred words, however many comments there are."""
    spam, ham = Counter(), Counter()
    for text, is_spam in examples:
        (spam if is_spam else ham).update([*tokens(text), DOCS])
    # Sorted, so that two learners lock the rows they share in the same order.
    rows = [(word, spam[word], ham[word]) for word in sorted(spam.keys() | ham.keys())]
    table = connection.ops.quote_name(SpamToken._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {table} (token, spam, ham) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (token) DO UPDATE SET "
                f"spam = {table}.spam + excluded.spam, "
                f"ham = {table}.ham + excluded.ham",
                [value for row in chunk for value in row],
            )


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
    examples = [
        (entry.comment.body, entry.action == Action.SPAM)
        for entry in latest.values()
        if entry.comment.body
    ]
    learn_many(examples)
    spam = sum(is_spam for _, is_spam in examples)
    return spam, len(examples) - spam
