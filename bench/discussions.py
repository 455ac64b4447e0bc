"""Long discussions: the article page, its sorts and a deep reply, at 1k and 10k."""

import itertools
import logging
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from bench.harness import measure, ok, plain_static_storage, print_row
from bench.pages import cold

SIZES = (1_000, 10_000)
AUTHORS = 300
TOP_LEVEL_SHARE = 0.25
DEPTH_DECAY = 0.6  # each level of replies holds this share of the level above
THREAD_PULL = 1.5  # Pareto shape: a few threads draw most of the replies
END_THREADS = 20  # a first page's threads
TOP_SCORE = 30  # the best score of a comment off the first pages
MEAN_REPLIES = (1 - TOP_LEVEL_SHARE) / TOP_LEVEL_SHARE  # replies per thread
BODIES = 12  # distinct bodies, rendered once and reused
POSTS = 20
SEED = 7
WORDS = (
    "the", "council", "budget", "vote", "said", "would", "could", "never", "really",
    "think", "point", "evidence", "article", "figures", "housing", "transport",
    "schools", "people", "local", "plan", "years", "cost", "because", "however",
    "which", "agree", "disagree", "source", "data", "report", "last", "week", "city",
    "rent", "tax", "question", "answer", "fair", "reading", "mistake", "example",
)  # fmt: skip


def run() -> None:
    rng = random.Random(SEED)  # noqa: S311 - benchmark data, not a secret
    with plain_static_storage():
        readers, bodies = _readers(), _bodies(rng)
        for size in SIZES:
            _measure_discussion(size, readers, bodies, rng)
    _print_growth()
    print("\nThe whole benchmark run")  # noqa: T201
    _print_figure("peak resident memory of the process", _max_rss_mib(), "MiB")


def _measure_discussion(size: int, readers, bodies, rng: random.Random) -> None:
    start = time.perf_counter()
    article, levels = _discussion(size, readers, bodies, rng)
    built = time.perf_counter() - start
    print(f"\nA discussion of {size:,} comments, built in {built:.1f} s")  # noqa: T201
    _measure_pages(article, _voter(article, readers[1]), size)
    _measure_selector(article)
    _measure_memory(article)
    parent = _deep_comment(levels)
    author = next(r for r in readers[2:] if r.pk != parent.author_id)
    _measure_reply(article, parent, author)


def _readers() -> list:
    """A few hundred readers who write the comments, bulk-inserted."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from accounts.usernames import username_skeleton

    password = make_password(None)
    names = [f"bench-reader-{i}" for i in range(AUTHORS)]
    return User.objects.bulk_create(
        User(
            username=name,
            username_skeleton=username_skeleton(name),
            email=f"{name}@example.org",
            display_name=f"Reader {i}" if i % 3 else "",
            password=password,
        )
        for i, name in enumerate(names)
    )


def _bodies(rng: random.Random) -> list[tuple[str, str]]:
    """Distinct Markdown bodies of 200 to 800 characters, with their HTML."""
    from comments.markdown import render_comment

    texts = [_prose(rng, rng.randint(215, 800)) for _ in range(BODIES)]
    return [(text, render_comment(text)) for text in texts]


def _prose(rng: random.Random, length: int) -> str:
    """Paragraphs of sentences, some emphasis, a link or a quote, about `length`."""
    parts = ["> " + _sentence(rng) + "\n\n"] if rng.random() < 0.3 else []
    while sum(map(len, parts)) < length:
        sentence = _sentence(rng)
        if rng.random() < 0.15:
            sentence += " See [the source](https://example.org/report)."
        parts.append(sentence + ("\n\n" if rng.random() < 0.3 else " "))
    text = "".join(parts)[:length]
    return text[: text.rfind(" ")].rstrip() + "."


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 16))
    words[rng.randrange(len(words))] = f"*{rng.choice(WORDS)}*"
    return " ".join(words).capitalize() + "."


def _discussion(size: int, readers, bodies, rng: random.Random):
    """A published article with `size` approved comments; return it and its levels."""
    from articles.models import Article

    shape = _shape(size, rng)
    article = _article(size)
    levels = []
    for depth, parents in enumerate(shape):
        above = levels[-1] if levels else None
        replies = Counter(shape[depth + 1]) if depth + 1 < len(shape) else Counter()
        rows = [
            _comment(article, depth, above[p] if above else None, rng, readers, bodies)
            for p in parents
        ]
        for i, row in enumerate(rows):
            row.reply_count = replies[i]
        if depth == 0:  # above every score _comment draws
            for rank, i in enumerate(_first_pages(len(rows))[2]):
                rows[i].score = TOP_SCORE + END_THREADS - rank
        levels.append(_insert_level(rows, depth))
    Article.objects.filter(pk=article.pk).update(comment_count=size)
    return article, levels


def _shape(size: int, rng: random.Random) -> list[list[int]]:
    """For each depth, the index of each comment's parent in the depth above.

    The threads on the first page of each sort (the oldest, the newest, and
    the best scored, `_first_pages`) are drawn alike at every size, so that
    the pages compared across sizes show the same comments and the comparison
    measures the discussion's size alone.
    """
    from comments.models import MAX_DEPTH

    top = round(size * TOP_LEVEL_SHARE)
    ends = [i for page in _first_pages(top) for i in page]
    alike = random.Random(SEED)  # noqa: S311 - benchmark data, not a secret
    subtrees = [_subtree(alike, MAX_DEPTH) for _ in ends]
    rest = size - top - sum(map(len, subtrees))
    shares = [DEPTH_DECAY**d for d in range(MAX_DEPTH - 1)]
    counts = [round(rest * s / sum(shares)) for s in shares]
    counts[0] += rest - sum(counts)
    pull = [rng.paretovariate(THREAD_PULL) for _ in range(top)]
    for i in ends:
        pull[i] = 0.0
    # Direct replies go to popular threads; deeper ones follow the thread's size.
    levels = [[-1] * top, rng.choices(range(top), weights=pull, k=counts[0])]
    for count in counts[1:]:
        levels.append([rng.randrange(len(levels[-1])) for _ in range(count)])
    for thread, subtree in zip(ends, subtrees, strict=True):
        placed: list[int] = []  # each reply's index in its depth's list
        for depth, parent in subtree:
            levels[depth].append(thread if parent < 0 else placed[parent])
            placed.append(len(levels[depth]) - 1)
    return levels


def _first_pages(top: int) -> tuple[range, range, range]:
    """The indices of the top-level comments on the first page of each sort:
    the oldest, the newest, and those `_discussion` scores best."""
    middle = (top - END_THREADS) // 2
    return (
        range(END_THREADS),
        range(top - END_THREADS, top),
        range(middle, middle + END_THREADS),
    )


def _subtree(rng: random.Random, max_depth: int) -> list[tuple[int, int]]:
    """One thread's replies as (depth, index of the reply answered or -1 for
    the thread's top), about as many as the other threads draw."""
    replies: list[tuple[int, int]] = []
    count = int(MEAN_REPLIES * (rng.paretovariate(THREAD_PULL) - 1))
    for _ in range(count):
        open_ = [-1] + [i for i, (d, _) in enumerate(replies) if d < max_depth - 1]
        parent = rng.choice(open_)
        replies.append((1 if parent < 0 else replies[parent][0] + 1, parent))
    return replies


def _article(size: int):
    from django.utils import timezone

    from accounts.models import User
    from articles.models import Article

    editor, _ = User.objects.get_or_create(
        username="bench-editor", defaults={"email": "bench@example.org"}
    )
    return Article.objects.create(
        title=f"A story with {size:,} comments",
        slug=f"discussion-{size}",
        standfirst="What happened, in two sentences.",
        body="\n\n".join(["A paragraph of *analysis*."] * 12),
        author=editor,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
        discussion_policy=Article.DiscussionPolicy.OPEN,
    )


def _comment(article, depth: int, parent, rng: random.Random, readers, bodies):
    from comments.models import Comment

    body, body_html = rng.choice(bodies)
    return Comment(
        article=article,
        parent=parent,
        root_id=parent.root_id if parent else None,
        depth=depth,
        author=rng.choice(readers),
        body=body,
        body_html=body_html,
        status=Comment.Status.APPROVED,
        score=rng.randint(-3, TOP_SCORE),
    )


def _insert_level(rows: list, depth: int) -> list:
    """Insert one depth, then give each row its path (and a top level its root)."""
    from comments.models import Comment, path_segment

    Comment.objects.bulk_create(rows, batch_size=1000)
    for row in rows:
        if depth == 0:
            row.root_id = row.pk
        row.path = (row.parent.path if row.parent else "") + path_segment(row.pk)
    fields = ["root", "path"] if depth == 0 else ["path"]
    Comment.objects.bulk_update(rows, fields, batch_size=500)
    return rows


def _voter(article, reader):
    """`reader`, having voted on every third comment of the first page."""
    from django.contrib.auth.models import AnonymousUser

    from comments.models import Vote
    from comments.selectors import discussion_page

    page = discussion_page(article=article, user=AnonymousUser(), sort="oldest")
    shown = [c for t in page.threads for c in (t.comment, *t.replies)]
    Vote.objects.bulk_create(
        Vote(comment=c, user=reader, value=1 if c.pk % 2 else -1)
        for c in shown[::3]
        if c.author_id != reader.pk
    )
    return reader


# (size, kind, sort) -> figures, for the 10,000 against 1,000 comparison.
FIGURES: dict[tuple[int, str, str], dict] = {}
# (size, sort) -> comments on the first page.
SHOWN: dict[tuple[int, str], int] = {}
KINDS = ("page, anonymous", "page, signed in", "API, anonymous", "API, signed in")


def _measure_pages(article, reader, size: int) -> None:
    """Anonymous and signed-in side by side: the rendered page and the API's first
    page, every sort, each from the shared copy of the discussion version."""
    from django.test import Client
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from comments.selectors import SORTS

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(reader)
    api_anonymous = APIClient()
    api_signed_in = APIClient(
        HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(reader)[1]}"
    )
    url = article.get_absolute_url()
    api_url = f"/api/v1/articles/{article.slug}/comments/"
    clients = dict(
        zip(KINDS, (anonymous, signed_in, api_anonymous, api_signed_in), strict=True)
    )
    print(  # noqa: T201
        f"  {'median ms (queries)':<20}"
        + "".join(f"{kind:>20}" for kind in KINDS)
        + f"{'page, rebuilt':>20}"
    )
    for sort in SORTS:
        SHOWN[size, sort] = _shown(article, sort)
        row = {}
        for kind, client in clients.items():
            path = api_url if kind.startswith("API") else url
            row[kind] = measure(
                lambda c=client, p=path, s=sort: ok(c.get(p, {"sort": s}))
            )
            FIGURES[size, kind, sort] = row[kind]
        # Anonymous, just after a change: the shared copy is built again.
        row["rebuilt"] = measure(
            lambda sort=sort: cold(anonymous, f"{url}?sort={sort}")
        )
        print(  # noqa: T201
            f"  {sort:<20}"
            + "".join(
                f"{f['median_ms']:>14.2f} ({f['queries']:>2})" for f in row.values()
            )
        )


def _shown(article, sort: str) -> int:
    """How many comments the first page in `sort` shows."""
    from django.contrib.auth.models import AnonymousUser

    from comments.selectors import discussion_page

    page = discussion_page(article=article, user=AnonymousUser(), sort=sort)
    return sum(1 + len(t.replies) for t in page.threads)


def _print_growth() -> None:
    """Each figure at the largest size against the smallest: flat means ~1.0x."""
    from comments.selectors import SORTS

    small, large = SIZES[0], SIZES[-1]
    print(f"\n{large:,} comments against {small:,}, median time")  # noqa: T201
    for sort in SORTS:
        ratios = (
            FIGURES[large, kind, sort]["median_ms"]
            / FIGURES[small, kind, sort]["median_ms"]
            for kind in KINDS
        )
        print(  # noqa: T201
            f"  {sort:<20}"
            + "".join(f"{ratio:>19.2f}x" for ratio in ratios)
            + f"   ({SHOWN[large, sort]} and {SHOWN[small, sort]} comments shown)"
        )


def _measure_selector(article) -> None:
    from django.contrib.auth.models import AnonymousUser

    from comments.selectors import SORTS, discussion_page

    anonymous = AnonymousUser()
    for sort in SORTS:
        print_row(
            f"discussion_page(), anonymous, {sort}",
            measure(
                lambda sort=sort: discussion_page(
                    article=article, user=anonymous, sort=sort
                )
            ),
        )


def _measure_memory(article) -> None:
    """Peak Python allocation while rendering the first page, warm caches."""
    from django.test import Client

    client, url = Client(), article.get_absolute_url()
    ok(client.get(url))
    tracemalloc.start()
    try:
        response = ok(client.get(url))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    html = response.content.decode()
    threads, comments = html.count('class="thread"'), html.count('class="comment ')
    print(  # noqa: T201
        f"  (first page: {threads} threads, {comments} comments, "
        f"{len(html) / 1024:.0f} KiB of HTML)"
    )
    _print_figure("peak memory, GET article page (tracemalloc)", peak / 2**20, "MiB")


def _deep_comment(levels: list[list]):
    """The deepest comment of the largest thread, fresh from the database."""
    from comments.models import Comment

    sizes = Counter(c.root_id for level in levels for c in level)
    largest = sizes.most_common(1)[0][0]
    deepest = next(
        c for level in reversed(levels) for c in level if c.root_id == largest
    )
    print(  # noqa: T201
        f"  (largest thread: {sizes[largest]} comments; "
        f"replying to comment {deepest.pk} at depth {deepest.depth})"
    )
    return Comment.objects.get(pk=deepest.pk)


def _measure_reply(article, parent, author) -> None:
    from django.test import override_settings

    from comments.services import comment_post

    texts = (f"Reply {n} from the bench, deep in a thread." for n in itertools.count())

    def post():
        return comment_post(
            article=article, author=author, body=next(texts), parent_id=parent.pk
        )

    with override_settings(COMMENT_THROTTLE_RATE="100000/minute"), _quiet_tasks():
        print_row(
            f"comment_post, reply at depth {parent.depth} (whole call)",
            measure(post, repeat=POSTS),
        )
        _post_to_approval(post)


@contextmanager
def _quiet_tasks() -> Iterator[None]:
    """Run tasks in-process, and keep Celery's line per task out of the report.

    The posting figures are for the whole path in one process; the worker's
    share on Redis is measured by bench.moderation.
    """
    from config.celery import tasks_in_process

    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        with tasks_in_process():
            yield
    finally:
        trace.setLevel(level)


def _post_to_approval(post) -> None:
    """Count the queries of one post, split at the posting transaction's COMMIT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.models import Comment

    with CaptureQueriesContext(connection) as queries:
        comment = post()
    comment.refresh_from_db(fields=["status"])
    if comment.status != Comment.Status.APPROVED:
        raise SystemExit(f"bench: the reply ended {comment.status}, not approved")
    sql = [q["sql"] for q in queries.captured_queries]
    posting = sql.index("COMMIT") + 1 if "COMMIT" in sql else len(sql)
    print(  # noqa: T201
        f"  {'post-to-approval path':<44} {len(sql):>3} queries  "
        f"({posting} posting, {len(sql) - posting} moderating and notifying)"
    )


def _print_figure(label: str, value: float, unit: str) -> None:
    print(f"  {label:<44} {value:7.1f} {unit}")  # noqa: T201


def _max_rss_mib() -> float:
    """ru_maxrss is in kibibytes on Linux, in bytes on macOS."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (2**20 if sys.platform == "darwin" else 2**10)
