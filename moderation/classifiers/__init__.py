"""Classifiers score a comment's text; rules turn scores into decisions.

Each classifier has `name` and `score(text) -> Score`. Which ones run is the
MODERATION_CLASSIFIERS setting (dotted paths); none calls the network.
"""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


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


class Classifier(Protocol):
    name: str

    def score(self, text: str) -> Score: ...


@cache
def _loaded(path: str) -> Classifier:
    return import_string(path)()


_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="classifier")


def score_all(text: str) -> dict[str, Score]:
    """Every configured classifier's score; ClassifierUnavailable if any fails."""
    scores = {}
    for path in settings.MODERATION_CLASSIFIERS:
        classifier = _loaded(path)
        future = _pool.submit(classifier.score, text)
        try:
            scores[classifier.name] = future.result(
                timeout=settings.MODERATION_CLASSIFIER_TIMEOUT
            )
        except FutureTimeout as exc:
            raise ClassifierUnavailable(f"{classifier.name} took too long") from exc
        except Exception as exc:
            raise ClassifierUnavailable(f"{classifier.name} failed: {exc}") from exc
    return scores
