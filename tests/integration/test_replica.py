"""A real streaming replica: a reader who posts sees their comment at once (they
read the primary), while anonymous readers are served from the replica.

The test makes its own pair of PostgreSQL clusters on free ports: a primary
(initdb), and a replica of it made with `pg_basebackup -R` and started in hot
standby. Its own primary, not the suite's server, because the suite's server
need not accept replication connections (that takes a `replication` line in
pg_hba.conf). The site runs under gunicorn on the pair, with Redis for its
cache, and the test proves where reads go by pausing the replica's replay:
a comment approved on the primary is then visible to its author only.
"""

import glob
import http.client
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.factories import PASSWORD
from tests.integration.conftest import ROOT, stop_process, wait_for

pytestmark = pytest.mark.integration

DATABASE = "agora_replica_test"
STARTUP_SECONDS = 30


def _server_binaries() -> Path:
    """The directory holding initdb, pg_ctl, pg_basebackup and postgres."""
    wanted = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
    found = [
        Path(d)
        for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
        if all((Path(d) / name).exists() for name in wanted)
    ]
    if not found and (initdb := shutil.which("initdb")):
        found = [Path(initdb).parent]
    if not found:
        pytest.skip("the PostgreSQL server binaries (initdb, pg_ctl) are absent")
    return found[0]


def _request(port: int, method: str, path: str, body=None, token: str = ""):
    """One request; the status, the headers and the body. Generous timeout: the
    web process moderates in-process, and its first comment loads the model."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    payload = None if body is None else json.dumps(body).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """One PostgreSQL cluster the test started on `port`."""

    data: Path
    port: int

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def query(self, sql: str, params: tuple = (), dbname: str = DATABASE):
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname,
            autocommit=True, connect_timeout=5,
        ) as conn:  # fmt: skip
            cursor = conn.execute(sql, params)
            return cursor.fetchone() if cursor.description else None


class Clusters:
    """Runs the server binaries as the `postgres` account when we are root
    (PostgreSQL refuses to run as root)."""

    def __init__(self, binaries: Path, base: Path):
        self.binaries, self.base, self.started = binaries, base, []
        self.as_postgres = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(base, account.pw_uid, account.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def run(self, name: str, *args: str) -> None:
        command = [*self.as_postgres, str(self.binaries / name), *args]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.base)
        if done.returncode:
            pytest.fail(f"{name} failed:\n{done.stdout}\n{done.stderr}")

    def start(self, cluster: Cluster, *settings: str) -> None:
        options = [f"-p {cluster.port}", "-c listen_addresses=127.0.0.1",
                   f"-c unix_socket_directories={self.base}", *settings]  # fmt: skip
        log = self.base / f"{cluster.data.name}.log"
        self.run("pg_ctl", "start", "-w", "-t", "30", "-D", str(cluster.data),
                 "-l", str(log), "-o", " ".join(options))  # fmt: skip
        self.started.append(cluster)

    def stop_all(self) -> None:
        for cluster in reversed(self.started):
            subprocess.run(
                [*self.as_postgres, str(self.binaries / "pg_ctl"), "stop", "-m",
                 "immediate", "-w", "-D", str(cluster.data)],
                capture_output=True, cwd=self.base,
            )  # fmt: skip


# Speed over durability: nothing here outlives the test.
FAST = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if done.returncode:
        pytest.fail(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


SEED = """
import json
from tests.factories import ArticleFactory, UserFactory
UserFactory(username="writer", email="writer@example.org")
print(json.dumps({"slug": ArticleFactory().slug, "warm_up": ArticleFactory().slug}))
"""


@dataclass
class Site:
    port: int
    primary: Cluster
    replica: Cluster
    slug: str
    warm_up: str  # another article, for the first comment (it loads the model)

    def caught_up(self) -> bool:
        """The replica has replayed everything the primary has written."""
        [lsn] = self.primary.query("SELECT pg_current_wal_lsn()::text")
        [done] = self.replica.query(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)
        )
        return bool(done)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """A primary, a streaming replica of it, and gunicorn reading from both."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is unset: the site's cache needs Redis (CI sets it)")
    binaries = _server_binaries()
    base = Path(tempfile.mkdtemp(prefix="agora-replica-"))
    clusters = Clusters(binaries, base)
    server = None
    try:
        primary = Cluster(base / "primary", _free_port())
        clusters.run("initdb", "-D", str(primary.data), "-U", "postgres",
                     "--auth=trust", "-E", "UTF8", "--locale=C",
                     "--no-sync")  # fmt: skip
        clusters.start(primary, *FAST, "-c wal_level=replica", "-c max_wal_senders=4")
        primary.query(f'CREATE DATABASE "{DATABASE}"', dbname="postgres")
        # No broker: the web process moderates each comment itself.
        env = {**os.environ, "DATABASE_URL": primary.url(), "CELERY_BROKER_URL": "",
               "HTTPS": "0", "DEBUG": "0",
               "ALLOWED_HOSTS": "127.0.0.1,localhost"}  # fmt: skip
        _manage(env, "migrate", "--noinput", "-v", "0")
        seeded = json.loads(_manage(env, "shell", "-c", SEED).splitlines()[-1])

        replica = Cluster(base / "replica", _free_port())
        clusters.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port),
                     "-U", "postgres", "-D", str(replica.data), "-R",
                     "-X", "stream", "--checkpoint=fast", "--no-sync")  # fmt: skip
        clusters.start(replica, *FAST, "-c hot_standby=on")
        wait_for(lambda: replica.query("SELECT pg_is_in_recovery()")[0], timeout=30)

        port = _free_port()
        log = base / "gunicorn.log"
        env |= {
            "DATABASE_REPLICA_URLS": replica.url(),
            # Long enough that the pin cannot run out while the test looks.
            "DATABASE_PIN_SECONDS": "60",
            "DATABASE_REPLICA_MAX_LAG_SECONDS": "1",
            "MODERATION_HOLD_NEW_ACCOUNTS": "0",
            "COMMENT_THROTTLE_RATE": "1000/minute",
        }
        with log.open("w") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind",
                 f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.1)
        site = Site(port=port, primary=primary, replica=replica,
                    slug=seeded["slug"], warm_up=seeded["warm_up"])  # fmt: skip
        wait_for(site.caught_up, timeout=30)
        yield site
    finally:
        if server is not None:
            stop_process(server)
        clusters.stop_all()
        shutil.rmtree(base, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        return _request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


def _get(site: Site, path: str, token: str = ""):
    status, _, data = _request(site.port, "GET", path, token=token)
    return status, json.loads(data)


def _ids(site: Site, token: str = "") -> list[int]:
    """The ids of the article's top-level comments, as this reader gets them."""
    status, page = _get(site, f"/api/v1/articles/{site.slug}/comments/", token)
    assert status == 200, page
    return [c["id"] for c in page["results"]]


@pytest.fixture(scope="module")
def token(site) -> str:
    credentials = {"username": "writer", "password": PASSWORD}
    status, _, data = _request(site.port, "POST", "/api/v1/auth/token/", credentials)
    assert status == 200, data
    token = json.loads(data)["token"]
    _post_approved(site, token, "Warming up.", slug=site.warm_up)
    wait_for(site.caught_up)
    return token


def _post_approved(site: Site, token: str, body: str, slug: str = "") -> int:
    """Post as the writer; wait until the web process's moderation approved it
    on the primary."""
    status, _, data = _request(
        site.port, "POST", f"/api/v1/articles/{slug or site.slug}/comments/",
        {"body": body}, token,
    )  # fmt: skip
    assert status == 201, data
    comment_id = json.loads(data)["id"]
    wait_for(
        lambda: (
            site.primary.query(
                "SELECT status FROM comments_comment WHERE id = %s", (comment_id,)
            )[0]
            == "approved"
        )
    )
    return comment_id


@contextmanager
def replay_paused(site: Site) -> Iterator[None]:
    site.replica.query("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        site.replica.query("SELECT pg_wal_replay_resume()")
    wait_for(site.caught_up)


def test_a_poster_sees_their_comment_at_once_while_anonymous_reads_use_the_replica(
    site, token
):
    assert _ids(site) == []
    health = _get(site, "/healthz")[1]
    assert health["replicas"]["replica1"]["state"] == "ok", health

    with replay_paused(site):
        comment_id = _post_approved(site, token, "Seen by me at once.")

        assert _ids(site, token) == [comment_id]
        assert _get(site, f"/api/v1/comments/{comment_id}/", token)[0] == 200
        # Approved on the primary, but anonymous reads go to the paused replica.
        assert _get(site, f"/api/v1/comments/{comment_id}/")[0] == 404
        time.sleep(1.5)  # past DATABASE_REPLICA_MAX_LAG_SECONDS
        lagging = _get(site, "/healthz")[1]
        assert lagging["degraded"] is True, lagging
        assert lagging["replicas"]["replica1"]["lag_seconds"] > 1, lagging

    assert _get(site, f"/api/v1/comments/{comment_id}/")[0] == 200
    assert comment_id in _ids(site)
    assert _get(site, "/healthz")[1]["degraded"] is False


def test_a_page_built_while_the_replica_lags_is_not_kept_once_it_catches_up(
    site, token
):
    with replay_paused(site):
        comment_id = _post_approved(site, token, "A second thought.")
        _ids(site)  # an anonymous reader is the first to read the new version

    assert comment_id in _ids(site, token), "the poster sees their comment"
    assert comment_id in _ids(site), "anonymous readers see it once replayed"
