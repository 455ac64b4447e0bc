"""Toxicity: the learned model, loaded once per process, explaining each score.

The model (moderation.classifiers.learned) is fitted on the repository's
labelled corpus and, once moderators have overridden the machine, on the site's
corpus too (moderation.classifiers.site_corpus). A process loads the newest
model fitted on both, or else the artefact committed beside the corpus, and
looks every minute, through the cache, for a newer one that another process
fitted.
"""

import logging
import time
from functools import cached_property
from importlib.metadata import version

from django.core.cache import cache

from . import Score, learned

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 60


class ToxicityClassifier:
    name = "toxicity"

    def __init__(self) -> None:
        self._checked_at = time.monotonic()
        self._seen: str | None = None

    @cached_property
    def _model(self) -> learned.Model:
        # Loading scikit-learn takes seconds: serving processes call warm_up()
        # as they start (see moderation.apps), anything else on first use.
        from .site_corpus import newest_model

        return newest_model() or learned.load()

    @property
    def loaded(self) -> bool:
        return "_model" in self.__dict__

    def warm_up(self) -> None:
        """Load the model and score once, so the first comment pays nothing."""
        self._model.score("warm up")

    def use_model(self, model: learned.Model) -> None:
        """Score with `model` from now on (a refit in this process)."""
        self.__dict__["_model"] = model
        self._seen = model.version

    @property
    def version(self) -> str:
        return self._model.version

    @cached_property
    def model(self) -> str:
        return f"alt-profanity-check {version('alt-profanity-check')} + agora-learned"

    def score(self, text: str) -> Score:
        self._reload_if_refitted()
        probability, signals = self._model.score(text)
        return Score(
            score=probability,
            model=self.model,
            version=self._model.version,
            signals=signals,
        )

    def probabilities(self, texts: list[str]) -> list[float]:
        """Many texts' scores at once, without explanations (for backtests)."""
        self._reload_if_refitted()
        return [float(p) for p in self._model.probabilities(texts)] if texts else []

    def _reload_if_refitted(self) -> None:
        """At most once a minute, load the model another process has fitted."""
        now = time.monotonic()
        if now - self._checked_at < RECHECK_SECONDS or not self.loaded:
            return
        self._checked_at = now
        from .site_corpus import PUBLISHED, newest_model

        try:
            published = cache.get(PUBLISHED)
        except Exception:  # the cache is down: keep the model we have
            logger.warning("cache unreachable; toxicity model not rechecked")
            return
        if published and published not in (self._seen, self._model.version):
            self._seen = published
            self._model = newest_model() or learned.load()
