"""The site through gunicorn under wrk: the first page of a 1,000- and a
10,000-comment discussion, from the API and as the rendered article page,
anonymously and signed in side by side; posting a comment with moderation in a
real Celery worker; and /healthz as the ceiling."""

import itertools
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.discussions import SEED, _bodies, _discussion, _readers, _voter

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 10_000)
SIZE = SIZES[-1]  # the discussion posted to
WORKERS = 2
WORKER_NICE = 10
CONNECTIONS = 8
WRK_ARGS = ("-t2", f"-c{CONNECTIONS}", "--latency", "--timeout", "10s")
# The reads run in rounds, each load in turn, so that a machine busy for a few
# seconds weighs on every load alike and the ratios stay comparable.
READ_ROUNDS = 4
READ_SECONDS = 3
POST_SECONDS = 8
WARM_ROUNDS = 2
STARTUP_SECONDS = 30
DRAIN_SECONDS = 120
CEILING = "GET /healthz (ceiling)"
WHO = ("anonymous", "signed in")
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_warm_posts = itertools.count()

# Bodies are unique per run (its tag), wrk thread and request: the duplicate
# rule never refuses one.
POST_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  tag = args[1] or ""
  n = 0
end
function request()
  n = n + 1
  local body = string.format(
    '{"body": "Comment %s-%d-%d from the API bench, on the figures."}', tag, tid, n)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token %TOKEN%",
  }, body)
end
"""


@dataclass(frozen=True)
class Pair:
    """A first page read anonymously and signed in: what `Load` labels name."""

    what: str  # "API" or "page"
    size: int
    sort: str

    def label(self, who: str) -> str:
        return f"GET {self.what} {self.size:,}, {who}, {self.sort}"


# The API's first page in every sort at the larger size, and the API and the
# rendered page at both sizes in the default sort.
PAIRS = (
    *(Pair("API", SIZE, sort) for sort in ("oldest", "newest", "top")),
    *(Pair(what, size, "oldest") for what in ("API", "page") for size in SIZES
      if (what, size) != ("API", SIZE)),
)  # fmt: skip


@dataclass
class Load:
    """One request kind that wrk repeats."""

    label: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    post: bool = False


def run() -> None:
    """Serve the scratch database with gunicorn; load each endpoint with wrk."""
    wrk = shutil.which("wrk")
    print("\nThe API through gunicorn, under wrk")  # noqa: T201
    if wrk is None:
        print("  skipped: wrk is not installed (apt-get install wrk)")  # noqa: T201
        return
    from django.db import connection

    if connection.vendor == "sqlite":
        # The scratch SQLite database lives in this process's memory only.
        print("  skipped: gunicorn needs a shared database (set DATABASE_URL)")  # noqa: T201
        return
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        print("  skipped: posting needs a broker (set CELERY_BROKER_URL)")  # noqa: T201
        return
    articles, reader = _discussions()
    article = articles[SIZE]
    token = _token(reader)
    _describe_setup(articles, broker)
    with (
        tempfile.TemporaryDirectory(prefix="agora-bench-api-") as tmp,
        _worker(Path(tmp) / "worker.log"),
        _gunicorn(Path(tmp) / "gunicorn.log") as base,
    ):
        script = Path(tmp) / "post.lua"
        script.write_text(POST_LUA.replace("%TOKEN%", token))
        loads = _loads(base, articles, token, _session_cookie(reader))
        figures = _measure_all(wrk, loads, script)
        _print_drain(article)
    _print_ratio(figures)


def _discussions():
    """bench.discussions' articles by size and their voting reader; each built
    here when that bench has not run first."""
    from accounts.models import User
    from articles.models import Article

    rng = random.Random(SEED)  # noqa: S311 - benchmark data, not a secret
    readers = (
        list(User.objects.filter(username__startswith="bench-reader-").order_by("pk"))
        or _readers()
    )
    articles = {}
    for size in SIZES:
        articles[size] = Article.objects.filter(slug=f"discussion-{size}").first()
        if articles[size] is None:
            articles[size], _ = _discussion(size, readers, _bodies(rng), rng)
            _voter(articles[size], readers[1])
    return articles, readers[1]


def _token(user) -> str:
    from knox.models import AuthToken

    return AuthToken.objects.create(user)[1]


def _session_cookie(user) -> str:
    """A Cookie header value for `user`'s new session, as a browser sends it."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def _describe_setup(articles: dict, broker: str) -> None:
    """Say what serves the run: the data, the cache and where moderation runs."""
    from comments.models import Comment

    counts = ", ".join(
        f"{article.slug} with {Comment.objects.filter(article=article).count():,}"
        for article in articles.values()
    )
    redis = os.environ.get("REDIS_URL")
    cache = (
        f"Redis at {redis}, shared by the workers"
        if redis
        else "per-process memory (REDIS_URL unset): each worker caches alone"
    )
    lines = [
        f"discussions: {counts} comments; posting to the larger",
        f"gunicorn: {WORKERS} sync workers, DEBUG=0; wrk {' '.join(WRK_ARGS)}; "
        f"reads in {READ_ROUNDS} interleaved rounds of {READ_SECONDS} s each "
        f"(medians), posting {POST_SECONDS} s; "
        "latency includes waiting for a free worker",
        f"cache: {cache}",
        f"moderation: one Celery worker (solo pool, nice {WORKER_NICE}) on "
        f"{broker}; a post only queues its comment",
    ]
    for line in lines:
        print(f"  ({line})")  # noqa: T201


def _loads(base: str, articles: dict, token: str, cookie: str) -> list[Load]:
    """The ceiling first, then each first page anonymous and signed in side by
    side (the API with the reader's token, the page with their session), then
    posting to the larger discussion."""
    signed_in = {"API": {"Authorization": f"Token {token}"}, "page": {"Cookie": cookie}}

    def url(what: str, size: int) -> str:
        slug = articles[size].slug
        if what == "API":
            return f"{base}/api/v1/articles/{slug}/comments/"
        return f"{base}{articles[size].get_absolute_url()}"

    pages = [
        Load(pair.label(who), f"{url(pair.what, pair.size)}?sort={pair.sort}",
             signed_in[pair.what] if who == "signed in" else {})
        for pair in PAIRS
        for who in WHO
    ]  # fmt: skip
    post = Load("POST a comment, signed in", url("API", SIZE), signed_in["API"], True)
    return [Load(CEILING, f"{base}/healthz"), *pages, post]


def _database_url() -> str:
    """The scratch database as a URL, for the gunicorn processes."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _server_env() -> dict[str, str]:
    """The bench's environment, on the scratch database."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COMMENT_THROTTLE_RATE": "1000000/minute",
        "MODERATION_HOLD_NEW_ACCOUNTS": "0",
        "EMAIL_URL": "dummymail://",  # no mail leaves the bench
        "LOG_LEVEL": "WARNING",
    }
    if not os.environ.get("REDIS_URL"):
        env.pop("REDIS_URL", None)
    return env


def _free_port() -> int:
    """A port nothing listens on now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _gunicorn(log_path: Path) -> Iterator[str]:
    """Run gunicorn on a free port until the block ends; yield its base URL."""
    port = _free_port()
    # The pages name their static files as collected, as `make serve` does.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=_server_env(), check=True,
    )  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own arguments
            [sys.executable, "-m", "gunicorn", "config.wsgi",
             "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
             "--worker-class", "sync",
             # Leave ~/.gunicorn/gunicorn.ctl to a `make serve` that may be running.
             "--no-control-socket"],
            cwd=ROOT, env=_server_env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_ready(process, base, log_path)
        yield base
    except BaseException:
        tail = "".join(log_path.read_text().splitlines(keepends=True)[-20:])
        sys.stderr.write(f"bench: the end of gunicorn's log:\n{tail}")
        raise
    finally:
        _stop(process)


@contextmanager
def _worker(log_path: Path) -> Iterator[None]:
    """Run one Celery worker on the scratch database until the block ends."""
    from config.celery import app

    name = f"bench-{os.getpid()}@localhost"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own arguments
            [sys.executable, "-m", "celery", "-A", "config", "worker",
             "--pool", "solo", "--hostname", name, "--without-gossip",
             "--without-mingle", "--loglevel", "WARNING"],
            cwd=ROOT, env=_server_env(), stdout=log, stderr=subprocess.STDOUT,
            # The priority the production unit gives it (deploy/agora-worker.service).
            preexec_fn=lambda: os.nice(WORKER_NICE),
        )  # fmt: skip
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not app.control.ping(destination=[name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"bench: the worker did not start:\n{log_path.read_text()}"
                )
        yield
    finally:
        _stop(process)


def _print_drain(article) -> None:
    """Wait for the worker to decide every posted comment; say how long it took."""
    from comments.models import Comment

    pending = Comment.objects.filter(article=article, status=Comment.Status.PENDING)
    left, start = pending.count(), time.monotonic()
    while pending.exists() and time.monotonic() - start < DRAIN_SECONDS:
        time.sleep(0.2)
    print(  # noqa: T201
        f"  {'the worker, after the posting run':<40} {left:,} comments were "
        f"still pending; {left - pending.count():,} decided in "
        f"{time.monotonic() - start:.1f} s more"
    )


def _wait_until_ready(process: subprocess.Popen, base: str, log_path: Path) -> None:
    """Poll /healthz until it answers 200; exit with gunicorn's log if it never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310
                return
        except OSError:  # not listening yet, or 503 while it connects
            time.sleep(0.1)
    raise SystemExit(f"bench: gunicorn did not start:\n{log_path.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful stop); SIGKILL if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _measure_all(wrk: str, loads: list[Load], script: Path) -> dict[str, dict]:
    """Every load's figures by label: the reads warmed, then run in interleaved
    rounds (each figure the median of its rounds); then posting, at length."""
    reads = [load for load in loads if not load.post]
    for load in reads:
        _warm(load)
    rounds: dict[str, list[dict]] = {load.label: [] for load in reads}
    for _ in range(READ_ROUNDS):
        for load in reads:
            rounds[load.label].append(_run(wrk, load, script, READ_SECONDS))
    figures = {}
    for load in reads:
        figures[load.label] = _median_of(rounds[load.label])
        _print_load(load.label, figures[load.label])
    for load in loads:
        if load.post:
            _warm(load)
            figures[load.label] = _run(wrk, load, script, POST_SECONDS)
            _print_load(load.label, figures[load.label])
    return figures


def _run(wrk: str, load: Load, script: Path, seconds: int) -> dict:
    """One wrk run of `load` for `seconds`; its checked figures."""
    args = [*WRK_ARGS, f"-d{seconds}s", *_wrk_args(load, script)]
    figures = _parse(_wrk(wrk, args))
    _check(load.label, figures)
    return figures


def _median_of(runs: list[dict]) -> dict:
    """The median rate and latencies of several runs, and their summed counts."""
    return {
        **{k: statistics.median(run[k] for run in runs) for k in ("rps", "p50", "p99")},
        **{k: sum(run[k] for run in runs)
           for k in ("requests", "non_2xx", "socket_errors")},
    }  # fmt: skip


def _print_load(label: str, figures: dict) -> None:
    print(  # noqa: T201
        f"  {label:<40} {figures['rps']:8.1f} req/s  "
        f"p50 {figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms  "
        f"({figures['requests']:,} requests, {figures['non_2xx']:,} non-2xx, "
        f"{figures['socket_errors']:,} socket errors)"
    )


def _wrk_args(load: Load, script: Path) -> list[str]:
    """wrk's arguments for `load`: headers, or the posting script and its run tag."""
    if load.post:
        return ["-s", str(script), load.url, "--", str(time.time_ns())]
    headers = [arg for k, v in load.headers.items() for arg in ("-H", f"{k}: {v}")]
    return [*headers, load.url]


def _warm(load: Load) -> None:
    """Await rounds of concurrent requests: every worker pays its first-use costs."""
    # A first post loads the toxicity model: seconds, which would land in the p99.
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        for _ in range(WARM_ROUNDS):
            list(pool.map(lambda _: _fetch(load), range(CONNECTIONS)))


def _fetch(load: Load) -> None:
    """One request of `load` by urllib; exit when it fails."""
    data = None
    headers = dict(load.headers)
    if load.post:
        body = f"Warm-up comment {next(_warm_posts)} from the API bench."
        data = json.dumps({"body": body}).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(load.url, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
    except OSError as exc:
        raise SystemExit(f"bench: warming up {load.label}: {exc}") from exc


def _wrk(wrk: str, args: list[str]) -> str:
    """wrk's report; exit when wrk itself fails."""
    done = subprocess.run(  # noqa: S603 - our own arguments
        [wrk, *args], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: wrk failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _parse(report: str) -> dict:
    """Requests/sec, p50 and p99 in ms, and the error counts from wrk's report."""
    sockets = re.search(r"Socket errors: (.*)", report)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    return {
        "rps": float(_find(r"^Requests/sec:\s+([\d.]+)", report)[0]),
        "requests": int(_find(r"^\s*(\d+) requests in", report)[0]),
        "p50": _latency_ms(report, 50),
        "p99": _latency_ms(report, 99),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, re.findall(r"\d+", sockets.group(1))))
        if sockets
        else 0,
    }


def _find(pattern: str, report: str) -> tuple[str, ...]:
    """The groups of `pattern` in wrk's report; exit when it is missing."""
    match = re.search(pattern, report, re.MULTILINE)
    if match is None:
        raise SystemExit(f"bench: no {pattern!r} in wrk's report:\n{report}")
    return match.groups()


def _latency_ms(report: str, percent: int) -> float:
    """A line of wrk's latency distribution ("99%   12.34ms"), in ms."""
    value, unit = _find(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", report)
    return float(value) * _UNITS_MS[unit]


def _check(label: str, figures: dict) -> None:
    """A run whose answers are mostly errors measured error pages: stop the bench."""
    errors = figures["non_2xx"] + figures["socket_errors"]
    if figures["requests"] == 0 or errors * 2 > figures["requests"]:
        raise SystemExit(
            f"bench: {label}: {errors:,} of {figures['requests']:,} requests failed"
        )


def _print_ratio(figures: dict) -> None:
    """Each first page's throughput signed in against anonymous, and against the
    bare endpoint's."""
    ceiling = figures[CEILING]["rps"]
    for pair in PAIRS:
        anonymous, signed_in = (figures[pair.label(who)]["rps"] for who in WHO)
        name = f"{pair.what} {pair.size:,}, {pair.sort}"
        print(  # noqa: T201
            f"  {name:<20} signed in / anonymous: {signed_in / anonymous:6.1%}   "
            f"anonymous / ceiling: {anonymous / ceiling:6.1%}   "
            f"signed in / ceiling: {signed_in / ceiling:6.1%}"
        )
    print(  # noqa: T201
        "  (the ceiling, /healthz, runs SELECT 1, one aggregate and a cache round trip)"
    )
