"""Real Celery worker processes on Redis, reading the test database on PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _needs_real_services() -> None:
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip(
            "CELERY_BROKER_URL is unset: no broker for a real worker (CI sets it)"
        )
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share the in-memory SQLite test database")


def worker_database_url() -> str:
    """The test database as a URL, for processes outside this one."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    """A `celery worker` process (solo pool: the main process runs the tasks)."""

    name: str
    process: subprocess.Popen
    log_path: Path

    def stats(self) -> dict:
        """The worker's own `inspect stats` answer."""
        from config.celery import app

        replies = app.control.inspect(destination=[self.name], timeout=5).stats()
        if not replies or self.name not in replies:
            pytest.fail(f"{self.name} did not answer:\n{self.log_path.read_text()}")
        return replies[self.name]

    def runs_of(self, task_name: str) -> int:
        """How many `task_name` tasks this worker has started since it started."""
        return self.stats()["total"].get(task_name, 0)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Take no tasks from the queue meanwhile; remote control still answers."""
        from config.celery import app

        queue = app.conf.task_default_queue
        replies = app.control.cancel_consumer(
            queue, destination=[self.name], reply=True, timeout=5
        )
        if not replies:
            pytest.fail(f"{self.name} did not stop consuming from {queue}")
        try:
            yield
        finally:
            app.control.add_consumer(
                queue, destination=[self.name], reply=True, timeout=5
            )

    def settle(self, *, timeout: float = 30) -> None:
        """Wait until the queue is empty and this worker runs no task.

        A test ends when it has seen what it checks, often while the worker
        still runs the tasks that follow (a notice, a count); the database is
        then emptied under it, and PostgreSQL may end either transaction as a
        deadlock. A worker that has stopped has nothing to finish.
        """
        from config.celery import app

        queue = app.conf.task_default_queue
        deadline = time.monotonic() + timeout
        with app.connection_for_read() as conn:
            channel = conn.default_channel
            while self.process.poll() is None and time.monotonic() < deadline:
                try:
                    waiting = channel.queue_declare(queue, passive=True).message_count
                except conn.channel_errors:  # Redis drops an empty queue's key
                    waiting = 0
                inspect = app.control.inspect(destination=[self.name], timeout=2)
                running = (inspect.active() or {}).get(self.name)
                if not waiting and running == []:
                    return
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, as the OOM killer does: no shutdown, no acknowledgement."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown (the current task finishes); SIGKILL if it hangs."""
        stop_process(self.process, timeout=20)


def stop_process(process: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM (a graceful stop); SIGKILL if it has not ended within `timeout`."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_worker(
    *,
    log_dir: Path,
    mail_dir: Path,
    pool: str = "solo",
    concurrency: int = 1,
    broker_url: str | None = None,
    **extra_env: str,
) -> Worker:
    """Start `celery worker` with the test database and `extra_env`; wait for it.

    `pool="prefork"` runs tasks in child processes, as production does, so the
    main process keeps watching the broker while a task runs. `broker_url`
    points the worker at a broker other than the suite's.
    """
    from config.celery import app

    name = f"itest-{uuid.uuid4().hex[:8]}@localhost"
    log_path = log_dir / f"{name}.log"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        # The URL's path is read relative unless it starts with two slashes.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "LOG_LEVEL": "INFO",
        **({"CELERY_BROKER_URL": broker_url} if broker_url else {}),
        **extra_env,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker",
             "--pool", pool, "--concurrency", str(concurrency), "--hostname", name,
             "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    worker = Worker(name=name, process=process, log_path=log_path)
    control = client_app(broker_url) if broker_url else app
    try:
        deadline = time.monotonic() + 60
        while not control.control.ping(destination=[name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log_path.read_text()}")
    except BaseException:
        worker.stop()
        raise
    finally:
        if control is not app:
            control.close()
    return worker


def client_app(broker_url: str) -> Celery:
    """A bare Celery app on `broker_url`, to send tasks and ping workers there.

    The site's app publishes through a pool on the suite's broker whatever
    connection it is handed, so another broker needs an app of its own; and
    CELERY_BROKER_URL in the environment outranks `broker_url`, so the read
    and write URLs (which outrank it) name this one.
    """
    client = Celery("itest-client", set_as_current=False)
    client.conf.broker_read_url = client.conf.broker_write_url = broker_url
    return client


@pytest.fixture(scope="session")
def worker_mail_dir(tmp_path_factory) -> Path:
    """Where the worker's outgoing e-mail lands, one file per connection."""
    return tmp_path_factory.mktemp("worker-mail")


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup, tmp_path_factory, worker_mail_dir
) -> Iterator[Worker]:
    """Start `celery worker` as its own process for the session; yield it."""
    _needs_real_services()
    from config.celery import app

    app.control.purge()  # nothing left over from an earlier run
    worker = start_worker(
        log_dir=tmp_path_factory.mktemp("worker"), mail_dir=worker_mail_dir
    )
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture(autouse=True)
def _worker_idle_at_teardown(request) -> Iterator[None]:
    """After a test with the session's worker, let it finish before the flush.

    Set up after the database (pytest-django's fixtures come first), so torn
    down before it is emptied.
    """
    yield
    if "celery_worker" in request.fixturenames:
        request.getfixturevalue("celery_worker").settle()


@pytest.fixture
def spawn_worker(django_db_setup, tmp_path):
    """Start extra workers for one test (`spawn_worker(mail_dir=..., **env)`)."""
    _needs_real_services()
    started: list[Worker] = []

    def spawn(*, mail_dir: Path, **options) -> Worker:
        worker = start_worker(log_dir=tmp_path, mail_dir=mail_dir, **options)
        started.append(worker)
        return worker

    try:
        yield spawn
    finally:
        for worker in started:
            worker.stop()


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    pytest.fail(f"nothing came within {timeout} s")
