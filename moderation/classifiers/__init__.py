"""Classifiers score a comment's text; rules turn scores into decisions.

Each classifier has `name` and `score(text) -> Score`. Which ones run is the
MODERATION_CLASSIFIERS setting (dotted paths); none calls the network.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ClassifierUnavailable(Exception):
    """A classifier failed or ran out of time; the comment must wait."""


@dataclass(frozen=True)
class Score:
    score: float
    model: str
    version: str
    signals: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"score": round(self.score, 4), "model": self.model,
                "version": self.version, "signals": self.signals}  # fmt: skip


def score_lines(scores: dict, *, signals: bool = False) -> list[str]:
    """Each stored score (Score.as_json) in words: "toxicity 0.93 — model (version)"."""
    lines = []
    for name, entry in scores.items():
        line = f"{name.replace('_', ' ')} {entry['score']:.2f}"
        if entry.get("model"):
            line += f" — {entry['model']}"
            line += f" ({entry['version']})" if entry.get("version") else ""
        if signals and entry.get("signals"):
            line += f": {'; '.join(entry['signals'])}"
        lines.append(line)
    return lines


class Classifier(Protocol):
    name: str

    def score(self, text: str) -> Score: ...


@cache
def _loaded(path: str) -> Classifier:
    return import_string(path)()


def warm_up() -> None:
    """Load every configured classifier's model now rather than at the first comment."""
    started = time.perf_counter()
    for path in settings.MODERATION_CLASSIFIERS:
        classifier = _loaded(path)
        if hasattr(classifier, "warm_up"):
            classifier.warm_up()
    logger.info(
        "moderation classifiers loaded in %.1f s", time.perf_counter() - started
    )


_warming: threading.Thread | None = None
_warming_lock = threading.Lock()


def warm_up_in_background() -> threading.Thread:
    """Start warm_up() in a thread, once per process; return that thread.

    The process goes on starting meanwhile; a comment scored before the thread
    is done waits for the same load (Python imports a module once).
    """
    global _warming
    with _warming_lock:
        if _warming is None:
            _warming = threading.Thread(
                target=warm_up, name="warm-up-classifiers", daemon=True
            )
            _warming.start()
        return _warming


def score_all(text: str) -> dict[str, Score]:
    """Every configured classifier's score; ClassifierUnavailable if any fails.

    A classifier that hangs is cut short by the task's soft time limit, which
    moderation.tasks treats like a failure.
    """
    scores = {}
    for path in settings.MODERATION_CLASSIFIERS:
        classifier = _loaded(path)
        try:
            scores[classifier.name] = classifier.score(text)
        except Exception as exc:
            raise ClassifierUnavailable(f"{classifier.name} failed: {exc}") from exc
    return scores
