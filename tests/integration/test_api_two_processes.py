"""Throttling answers 429 with Retry-After across two processes sharing Redis."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from knox.models import AuthToken

from comments.models import Comment
from tests.factories import ArticleFactory, UserFactory
from tests.integration.conftest import ROOT, stop_process, worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RATE = 3
WINDOW = 60  # seconds: COMMENT_THROTTLE_RATE is per minute
STARTUP_SECONDS = 30


def _needs_shared_cache() -> None:
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is unset: no cache the two processes share (CI sets it)")
    if connection.vendor != "postgresql":
        pytest.skip("a server process cannot share the in-memory SQLite test database")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, method: str, path: str, body=None, token: str = ""):
    """One request; return the status, the headers and the decoded body."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, response.headers, data
    finally:
        conn.close()


def _start_server(log_path: Path) -> tuple[subprocess.Popen, int]:
    """`gunicorn` with one worker on a free port, on the test database and Redis."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "HTTPS": "0",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COMMENT_THROTTLE_RATE": f"{RATE}/minute",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi",
             "--bind", f"127.0.0.1:{port}", "--workers", "1",
             # Not ~/.gunicorn/gunicorn.ctl: both processes (and any other
             # gunicorn on the machine) would take the same socket.
             "--no-control-socket"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, port


def _wait_until_ready(process: subprocess.Popen, port: int, log_path: Path) -> None:
    """Poll /healthz until it answers 200; fail with the log if it never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not become ready:\n{log_path.read_text()}")


@contextmanager
def _servers(log_dir: Path, count: int) -> Iterator[list[int]]:
    """Start `count` gunicorn processes; yield their ports; stop them afterwards."""
    started: list[tuple[subprocess.Popen, int, Path]] = []
    try:
        for n in range(count):
            log_path = log_dir / f"gunicorn-{n}.log"
            started.append((*_start_server(log_path), log_path))
        for process, port, log_path in started:
            _wait_until_ready(process, port, log_path)
        yield [port for _, port, _ in started]
    finally:
        for process, _, _ in started:
            stop_process(process)


def _wait_for_fresh_window() -> None:
    """Sleep into the next fixed window if the posts might not end in this one."""
    # Without a broker each process moderates in-process, and its first post
    # loads the toxicity model: seconds, not milliseconds.
    needed = 3 if os.environ.get("CELERY_BROKER_URL") else 10
    left = WINDOW - time.time() % WINDOW
    if left < needed:
        time.sleep(left + 0.1)


def test_throttle_is_shared_by_two_processes_and_answers_429(tmp_path):
    _needs_shared_cache()
    reader = UserFactory(username="throttled", email="throttled@example.org")
    _, token = AuthToken.objects.create(reader)
    article = ArticleFactory()
    path = f"/api/v1/articles/{article.slug}/comments/"

    with _servers(tmp_path, 2) as ports:
        _wait_for_fresh_window()
        # Alternately: the refused post is only the second the second process sees.
        answers = [
            _request(ports[n % 2], "POST", path, {"body": f"Comment {n}."}, token)
            for n in range(RATE + 1)
        ]

    for status, _, data in answers[:RATE]:
        assert status == 201, data
    status, headers, data = answers[RATE]
    assert status == 429, data
    retry_after = int(headers["Retry-After"])
    assert 0 < retry_after <= WINDOW + 1
    assert headers.get_content_type() == "application/json"
    [error] = json.loads(data)["errors"]
    assert error["code"] == "throttled"
    assert re.search(rf"\b{retry_after} seconds?\b", error["detail"])
    assert Comment.objects.filter(article=article).count() == RATE
