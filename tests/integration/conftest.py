"""A real Celery worker process on Redis, reading the test database on PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _needs_real_services() -> None:
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip(
            "CELERY_BROKER_URL is unset: no broker for a real worker (CI sets it)"
        )
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share the in-memory SQLite test database")


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def worker_mail_dir(tmp_path_factory) -> Path:
    """Where the worker's outgoing e-mail lands, one file per connection."""
    return tmp_path_factory.mktemp("worker-mail")


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory, worker_mail_dir):
    """Start `celery worker` as its own process for the session; yield its name."""
    _needs_real_services()
    from config.celery import app

    app.control.purge()  # nothing left over from an earlier run
    name = f"itest-{uuid.uuid4().hex[:8]}@localhost"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        # The URL's path is read relative unless it starts with two slashes.
        "EMAIL_URL": f"filemail:///{worker_mail_dir}",
        "LOG_LEVEL": "INFO",
    }
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker",
             "--pool", "solo", "--concurrency", "1", "--hostname", name,
             "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name], timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log_path.read_text()}")
        yield name
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    pytest.fail(f"nothing came within {timeout} s")
