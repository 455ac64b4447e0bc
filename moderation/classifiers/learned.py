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
from pathlib import Path

from .features import DENSE_NAMES, FUNCTION_WORDS, dense_features, fold

logger = logging.getLogger(__name__)

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "toxicity.jsonl"
ARTEFACT = CORPUS.with_name("toxicity.joblib")
SIGNALS = 4


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


def code_version() -> str:
    """A hash of the code that computes features and scores."""
    digest = hashlib.sha256()
    for module in (__file__, Path(__file__).with_name("features.py")):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:12]


def corpus_version(extra: list[dict] = ()) -> str:
    """A hash of the corpus, of any extra rows and of the code: what a model was
    made of, so the same inputs give the same version."""
    digest = hashlib.sha256(CORPUS.read_bytes())
    digest.update(code_version().encode())
    for row in extra:
        digest.update(f"{row['label']}\t{row['text']}\n".encode())
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

    def probabilities(self, texts: list[str]):
        """Each text's probability, for many texts at once (no explanations)."""
        import numpy as np

        logits = self.matrix(texts)[0] @ self.weights + self.intercept
        a, b = self.scale
        return 1 / (1 + np.exp(-(a * logits + b)))

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


def train(rows: list[dict], *, C: float = 10.0, version: str | None = None) -> Model:
    """Fit the model on rows (text, label, template: rows of one template stay in
    one fold); the same rows, the same model. `version` defaults to the corpus's."""
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
    # A function word alone says nothing of abuse; in a pair ("you are", "your
    # family") it may, so only the single words are dropped.
    kept = [t for t in words.vocabulary_ if t not in FUNCTION_WORDS]
    words.set_params(vocabulary=sorted(kept)).fit(folded)
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
        version=version or corpus_version(),
    )


def load_corpus(split: str | None = None) -> list[dict]:
    """The corpus's rows, or only those of one split ("train" or "held")."""
    import json

    with CORPUS.open() as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


_STATE = ("words", "chars", "weights", "intercept", "scale", "version")


def dumps(model: Model) -> bytes:
    """The model as bytes, for the file beside the corpus or the database."""
    import io

    import joblib

    buffer = io.BytesIO()
    joblib.dump({k: getattr(model, k) for k in _STATE}, buffer, compress=3)
    return buffer.getvalue()


def loads(data: bytes) -> Model:
    """A model from dumps()'s bytes: only ever our own artefacts, never uploads."""
    import io

    import joblib

    state = joblib.load(io.BytesIO(data))
    return Model(**{k: state[k] for k in _STATE})


def save(model: Model, path: Path = ARTEFACT) -> None:
    path.write_bytes(dumps(model))


def load(path: Path = ARTEFACT) -> Model:
    """The trained artefact, or a model fitted now if it is missing or stale."""
    if path.exists():
        model = loads(path.read_bytes())  # our own file, committed with the code
        if model.version == corpus_version():
            return model
        logger.warning("toxicity model %s is stale; fitting it now", path.name)
    return train(load_corpus("train"))
