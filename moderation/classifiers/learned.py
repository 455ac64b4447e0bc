"""Toxicity: a linear model learned from the labelled corpus, explaining itself.

The corpus (moderation/corpus/toxicity.jsonl) is comments written for this
site, abusive and civil, in categories that separate a threat from a violent
metaphor about a bill and an insult from counter-speech that quotes one. The
model is a logistic regression over word 1-2-grams, character 2-5-grams and a
few dense features (the offline profanity model's probability, and whether the
text addresses someone, speaks of harm to come, quotes, or negates), with
Platt scaling fitted on out-of-fold scores, so the score reads as a
probability. `manage.py train_toxicity` fits it on the corpus's training split
and writes the artefact beside the corpus.

Every score names what moved it: each feature's weight times its value, the
character n-grams summed into the words they came from, largest first.
"""

import hashlib
import logging
import math
import re
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from core.text import normalise

from . import Score

logger = logging.getLogger(__name__)

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "toxicity.jsonl"
ARTEFACT = CORPUS.with_name("toxicity.joblib")
SIGNALS = 4


# Letters spelled out one by one ("f u c k", "i.d.i.o.t" once folded) are read
# as the word they spell.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SPELLED = re.compile(r"(?<!\w)(?:\w ){3,}\w(?!\w)")
_SECOND_PERSON = re.compile(r" (?:you|u|your|ur|youre|yourself|y all|ya) ")
_FUTURE_HARM = re.compile(
    r" (?:(?:you|u|your \w+)(?: will| ll| are going to| re going to| re gonna| won t"
    r"| will not)|(?:i|we)(?: ll| will| m going to| re going to| know| have| found)"
    r"(?: \w+){0,2} (?:you|u|your|where)) "
)
_QUOTE = re.compile(r"[\"“”‘]|(?:^|\W)'|'(?:\W|$)")
# Small word classes; a class near a word for a person (or a thing) is a
# feature, and the model learns what each pairing weighs.
_HARM = _words("""
    kill killed kills shoot shot bullet hurt hurts die dies dead hang hanged strung
    beat smash break burn stab regret accident accidents visit sorry suffer end
    cracked skull exterminated gas cleansed ground teeth legs face hunt
""")
_CONTEMPT = _words("""
    vermin rats rat cockroaches parasites parasite animals plague infestation lice
    disease filth subhuman cancer breed scum kind stain species
""")
_INSULT = _words("""
    idiot moron clown imbecile halfwit muppet fool dimwit cretin buffoon dunce numpty
    stupid brainless clueless pathetic ignorant dim witless thick gormless dense dumb
    dumbest loser troll shill coward liar garbage worthless traitor hack
""")
_PERSON = _words("""
    you u your ur yourself people person author writer journalist they them their
    he she his her kind family wife husband kids son daughter mother parents
""")
_THING = _words("""
    bill law act policy proposal amendment rules rule directive plan regulation
    clause merger scheme package levy ban tariffs legislation argument comment take
    idea report numbers sources
""")
_NEGATION = re.compile(r" (?:not|never|no|nobody|none|isn t|aren t|don t|won t) ")


def fold(text: str) -> str:
    """normalise()d text with spelled-out words joined up."""
    folded = normalise(text)
    return _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), folded)


@dataclass(frozen=True)
class Dense:
    """A feature computed from the text, with the phrase that set it."""

    name: str
    value: float
    phrase: str | None


def dense_features(text: str, folded: str, profanity: float) -> list[Dense]:
    """The hand-made features, in a fixed order (the model's last columns)."""

    def found(pattern: re.Pattern, where: str) -> Dense:
        match = pattern.search(where)
        return (match and match.group(0).strip()) or None

    second, harm = found(_SECOND_PERSON, folded), found(_FUTURE_HARM, folded)
    quote, negation = found(_QUOTE, text), found(_NEGATION, folded)
    tokens = folded.split()
    return [
        Dense("profanity model", profanity, None),
        Dense("addresses someone", float(bool(second)), second),
        Dense("harm to come", float(bool(harm)), harm),
        Dense("quotes", float(bool(quote)), quote and "quotation marks"),
        Dense("negation", float(bool(negation)), negation),
        _near("harm near a person", _HARM, _PERSON, tokens),
        _near("harm near a thing", _HARM, _THING, tokens),
        _near("contempt near people", _CONTEMPT, _PERSON, tokens),
        _near("insult near a person", _INSULT, _PERSON, tokens),
        _near("insult near a thing", _INSULT, _THING, tokens),
    ]


def _near(name: str, words, targets, tokens: list[str], window: int = 4) -> Dense:
    """Set when a word of one class has a word of the other within `window`."""
    for i, token in enumerate(tokens):
        if token in words:
            around = tokens[max(0, i - window) : i + window + 1]
            if target := next((t for t in around if t in targets), None):
                return Dense(name, 1.0, f"{token} … {target}")
    return Dense(name, 0.0, None)


DENSE_NAMES = [d.name for d in dense_features("", " ", 0.0)]


class _OneText:
    """A fitted TfidfVectorizer's transform of one text, without scikit-learn's
    per-call checks: (column indices, values), the same numbers as transform()."""

    def __init__(self, vectorizer, offset: int = 0) -> None:
        self.analyse = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = vectorizer.idf_
        self.sublinear = vectorizer.sublinear_tf
        self.offset = offset

    def __call__(self, text: str):
        import numpy as np

        counts: dict[int, int] = {}
        for term in self.analyse(text):
            if (column := self.vocabulary.get(term)) is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
        if self.sublinear:
            tf = 1 + np.log(tf)
        values = tf * self.idf[columns]
        norm = math.sqrt(values @ values) or 1.0
        return columns + self.offset, values / norm


class _Profanity:
    """alt-profanity-check's probability, computed with its own weights.

    Its CalibratedClassifierCV averages five sigmoid-scaled linear SVMs; asking
    scikit-learn for one text costs ~12 ms, the same arithmetic in numpy ~1 ms.
    """

    def __init__(self) -> None:
        import numpy as np
        from profanity_check import profanity_check

        model = profanity_check.model
        self.vectorizer = profanity_check.vectorizer
        pairs = [(c.estimator, c.calibrators[0]) for c in model.calibrated_classifiers_]
        self.coef = np.vstack([svm.coef_[0] for svm, _ in pairs]).T
        self.intercept = np.array([svm.intercept_[0] for svm, _ in pairs])
        self.a = np.array([cal.a_ for _, cal in pairs])
        self.b = np.array([cal.b_ for _, cal in pairs])
        self._one = _OneText(self.vectorizer)

    def one(self, text: str) -> float:
        import numpy as np

        columns, values = self._one(text)
        margins = values @ self.coef[columns] + self.intercept
        return float((1 / (1 + np.exp(self.a * margins + self.b))).mean())

    def __call__(self, texts: list[str]):
        import numpy as np

        margins = self.vectorizer.transform(texts) @ self.coef + self.intercept
        return (1 / (1 + np.exp(self.a * margins + self.b))).mean(axis=1)


def corpus_version() -> str:
    """A hash of the corpus and of this module: what a trained artefact was made of."""
    digest = hashlib.sha256(CORPUS.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


class Model:
    """The fitted vectorisers and weights, and the arithmetic of one score."""

    def __init__(self, *, words, chars, weights, intercept, scale, version):
        import numpy as np

        self.words, self.chars = words, chars
        self.weights, self.intercept = np.asarray(weights), float(intercept)
        self.scale, self.version = scale, version  # Platt's (a, b)
        self.names = [
            *words.get_feature_names_out(),
            *chars.get_feature_names_out(),
            *DENSE_NAMES,
        ]
        self._n_words = len(words.vocabulary_)
        self._n_text = self._n_words + len(chars.vocabulary_)
        self._profanity = _Profanity()
        self._one_word = _OneText(words)
        self._one_char = _OneText(chars, offset=self._n_words)

    def matrix(self, texts: list[str]):
        """The feature matrix of texts, and each text's dense features."""
        import scipy.sparse as sp

        folded = [fold(t) for t in texts]
        profanity = self._profanity(texts)
        dense = [
            dense_features(t, f, p)
            for t, f, p in zip(texts, folded, profanity, strict=True)
        ]
        values = [[d.value for d in row] for row in dense]
        x = sp.hstack(
            [self.words.transform(folded), self.chars.transform(folded), values]
        )
        return x.tocsr(), folded, dense

    def probability(self, logit: float) -> float:
        a, b = self.scale
        return 1 / (1 + math.exp(-(a * logit + b)))

    def score(self, text: str) -> tuple[float, list[str]]:
        """The probability that text is abusive, and what moved it most."""
        import numpy as np

        folded = fold(text)
        dense = dense_features(text, folded, self._profanity.one(text))
        word_columns, word_values = self._one_word(folded)
        char_columns, char_values = self._one_char(folded)
        columns = np.concatenate(
            [word_columns, char_columns, self._n_text + np.arange(len(dense))]
        )
        values = np.concatenate([word_values, char_values, [d.value for d in dense]])
        weighted = values * self.weights[columns]
        logit = float(weighted.sum()) + self.intercept
        return self.probability(logit), self._explain(
            folded, dense, columns, weighted * self.scale[0]
        )

    def _explain(self, folded, dense, indices, contributions) -> list[str]:
        """The features that moved the score most, in words with their phrase."""
        by_phrase: dict[str, float] = {}
        words = folded.split()
        for index, weight in zip(indices, contributions, strict=True):
            if index >= self._n_text:
                continue
            name = self.names[index]
            if index < self._n_words:
                phrases = [name]
            else:  # a character n-gram: the words it was cut from share it
                gram = name.strip()
                phrases = [w for w in words if gram in f" {w} "] or [gram]
            for phrase in phrases:
                by_phrase[phrase] = by_phrase.get(phrase, 0.0) + weight / len(phrases)
        items = [(f"“{p}”", c) for p, c in by_phrase.items()]
        for i, feature in enumerate(dense):
            weight = self.weights[self._n_text + i] * self.scale[0] * feature.value
            if weight:
                what = (
                    f"{feature.name} {feature.value:.2f}"
                    if feature.phrase is None
                    else f"{feature.name} “{feature.phrase}”"
                )
                items.append((what, weight))
        items.sort(key=lambda item: -abs(item[1]))
        top = items[:SIGNALS]
        if not any(what.startswith("“") for what, _ in top):
            top += [item for item in items if item[0].startswith("“")][:1]
        return [f"{what} {weight:+.2f}" for what, weight in top]


def train(rows: list[dict], *, C: float = 30.0) -> Model:
    """Fit the model on rows of the corpus (text, label); the same rows, same model."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    texts = [r["text"] for r in rows]
    y = np.array([r["label"] == "abusive" for r in rows], dtype=int)
    groups = [r["template"] for r in rows]
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"\w+",  # noqa: S106 - not a password
        sublinear_tf=True,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
    )
    folded = [fold(t) for t in texts]
    words.fit(folded)
    chars.fit(folded)
    model = Model(
        words=words, chars=chars, weights=[], intercept=0, scale=(1, 0), version=""
    )
    x = model.matrix(texts)[0]

    def fit(rows_x, rows_y):
        lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
        return lr.fit(rows_x, rows_y)

    # Platt scaling on scores for templates the fold did not see: how sure the
    # model should be about wording it has not met.
    out_of_fold = np.zeros(len(rows))
    for fit_rows, rest in GroupKFold(n_splits=5).split(x, y, groups):
        out_of_fold[rest] = fit(x[fit_rows], y[fit_rows]).decision_function(x[rest])
    platt = LogisticRegression(C=1e6).fit(out_of_fold.reshape(-1, 1), y)
    final = fit(x, y)
    return Model(
        words=words,
        chars=chars,
        weights=final.coef_[0],
        intercept=final.intercept_[0],
        scale=(float(platt.coef_[0][0]), float(platt.intercept_[0])),
        version=corpus_version(),
    )


def load_corpus(split: str | None = None) -> list[dict]:
    """The corpus's rows, or only those of one split ("train" or "held")."""
    import json

    with CORPUS.open() as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


_STATE = ("words", "chars", "weights", "intercept", "scale", "version")


def save(model: Model, path: Path = ARTEFACT) -> None:
    import joblib

    joblib.dump({k: getattr(model, k) for k in _STATE}, path, compress=3)


def load(path: Path = ARTEFACT) -> Model:
    """The trained artefact, or a model fitted now if it is missing or stale."""
    import joblib

    if path.exists():
        state = joblib.load(path)  # our own file, committed with the code
        if state["version"] == corpus_version():
            return Model(**{k: state[k] for k in _STATE})
        logger.warning("toxicity model %s is stale; fitting it now", path.name)
    return train(load_corpus("train"))


class LearnedToxicityClassifier:
    name = "toxicity"

    @cached_property
    def _model(self) -> Model:
        # Loading scikit-learn takes seconds: serving processes call warm_up()
        # as they start (see moderation.apps), anything else on first use.
        return load()

    @property
    def loaded(self) -> bool:
        return "_model" in self.__dict__

    def warm_up(self) -> None:
        """Load the model and score once, so the first comment pays nothing."""
        self._model.score("warm up")

    @cached_property
    def model(self) -> str:
        return f"alt-profanity-check {version('alt-profanity-check')} + agora-learned"

    def score(self, text: str) -> Score:
        probability, signals = self._model.score(text)
        return Score(
            score=probability,
            model=self.model,
            version=self._model.version,
            signals=signals,
        )
