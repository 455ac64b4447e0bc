"""Toxicity: the learned model on the corpus's held-out templates, per category,
its confusion table at the site's threshold, and comments scored per second."""

import time
from collections import Counter

REPEATS = 3


def run() -> None:
    from django.conf import settings

    from moderation.classifiers import learned
    from moderation.classifiers.toxicity import ToxicityClassifier

    threshold = settings.MODERATION_TOXICITY_THRESHOLD
    classifier = ToxicityClassifier()
    classifier.warm_up()
    rows = learned.load_corpus("held")
    print(  # noqa: T201
        f"\nToxicity (model {classifier.version}, held-out split of "
        f"{len(rows)}, held at >= {threshold})"
    )
    held = {id(r): classifier.score(r["text"]).score >= threshold for r in rows}
    _per_category(rows, held)
    _confusion(rows, held)
    _throughput(classifier, [r["text"] for r in rows])


def _per_category(rows, held) -> None:
    total, hits = Counter(), Counter()
    for row in rows:
        key = (row["label"], row["category"])
        total[key] += 1
        hits[key] += held[id(row)]
    print(f"  {'label':<8} {'category':<30} {'held':>9} {'share':>6}")  # noqa: T201
    for label, category in sorted(total):
        n, k = total[label, category], hits[label, category]
        print(f"  {label:<8} {category:<30} {k:>4}/{n:<4} {k / n:6.0%}")  # noqa: T201


def _confusion(rows, held) -> None:
    cells = Counter((row["label"], held[id(row)]) for row in rows)
    print(f"\n  {'':<16} {'held':>6} {'published':>10}")  # noqa: T201
    for label in ("abusive", "civil"):
        row = f"  {label + ' (truth)':<16} {cells[label, True]:>6}"
        print(f"{row} {cells[label, False]:>10}")  # noqa: T201


def _throughput(classifier, texts: list[str]) -> None:
    start = time.perf_counter()
    for _ in range(REPEATS):
        for text in texts:
            classifier.score(text)
    rate = REPEATS * len(texts) / (time.perf_counter() - start)
    print(f"\n  {'scored per second, one process':<44} {rate:7.1f} /s")  # noqa: T201
