"""Toxicity: the learned model on the corpus's held-out templates, per category,
its confusion table at the site's threshold, comments scored per second, the
five hardest held-out cases, and a backtest of 10,000 stored comments."""

import time
from collections import Counter

REPEATS = 3
BACKTEST_COMMENTS = 10_000
TOXICITY = "moderation.classifiers.toxicity.ToxicityClassifier"


def run() -> None:
    from django.conf import settings

    from moderation import classifiers
    from moderation.classifiers import learned

    threshold = settings.MODERATION_TOXICITY_THRESHOLD
    # The serving instance, loaded once for the figures and the backtest alike.
    classifier = classifiers._loaded(TOXICITY)
    classifier.warm_up()
    rows = learned.load_corpus("held")
    print(  # noqa: T201
        f"\nToxicity (model {classifier.version}, held-out split of "
        f"{len(rows)}, held at >= {threshold})"
    )
    scores = {id(r): classifier.score(r["text"]).score for r in rows}
    held = {key: score >= threshold for key, score in scores.items()}
    _per_category(rows, held)
    _confusion(rows, held)
    _hardest(rows, scores, held, threshold)
    _throughput(classifier, [r["text"] for r in rows])
    _backtest(threshold)


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


def _hardest(rows, scores, held, threshold: float) -> None:
    """The five held-out comments nearest to (or past) the wrong side."""

    def wrongness(row) -> float:
        score = scores[id(row)]
        return score - threshold if row["label"] == "civil" else threshold - score

    hardest = sorted(rows, key=wrongness, reverse=True)[:5]
    print("\n  hardest held-out cases:")  # noqa: T201
    for row in hardest:
        right = "right" if held[id(row)] == (row["label"] == "abusive") else "WRONG"
        score = scores[id(row)]
        print(  # noqa: T201
            f"    {right:<5} {score:.2f} {row['label']:<7} {row['category']}: "
            f"{row['text']}"
        )


def _backtest(threshold: float) -> None:
    """Replay BACKTEST_COMMENTS stored comments through a lower threshold."""
    from moderation import backtest

    _stored_comments(BACKTEST_COMMENTS, threshold)
    start = time.perf_counter()
    result = backtest.run(toxicity_threshold=0.6, link_limit=1)  # site: 0.8, 2
    took = time.perf_counter() - start
    print(  # noqa: T201
        f"  {'backtest of ' + str(result.replayed) + ' comments':<44} {took:7.1f} s"
        f" ({result.changed} would change)"
    )


def _stored_comments(n: int, threshold: float) -> None:
    """n decided comments with their verdicts, written in bulk."""
    from django.utils import timezone

    from comments.models import Comment
    from moderation import classifiers
    from moderation.classifiers import learned
    from moderation.models import Verdict
    from tests.factories import ArticleFactory, UserFactory

    texts = [r["text"] for r in learned.load_corpus()]
    texts += ["See https://example.org/a and https://example.org/b for the data."]
    articles, author = ArticleFactory.create_batch(20), UserFactory()
    comments = Comment.objects.bulk_create(
        Comment(article=articles[i % 20], author=author,
                body=f"{texts[i % len(texts)]} #{i}",
                body_html="<p>bench</p>", status=Comment.Status.APPROVED,
                notified_at=timezone.now())
        for i in range(n)
    )  # fmt: skip
    # Each decided as the serving model decides it at the site's threshold.
    model = classifiers._loaded(TOXICITY)
    probabilities = model.probabilities([c.body for c in comments])
    verdicts = []
    for comment, score in zip(comments, probabilities, strict=True):
        held = score >= threshold
        reasons = [{"rule": "toxicity", "action": "hold", "reason": "bench"}]
        verdicts.append(
            Verdict(comment=comment, revision=1, policy="open",
                    action="hold" if held else "approve",
                    reasons=reasons if held else [],
                    scores={"toxicity": {"score": score}})
        )  # fmt: skip
    Verdict.objects.bulk_create(verdicts, batch_size=2000)
