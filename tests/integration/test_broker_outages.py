"""A Redis outage never ends the worker: it reconnects and takes tasks again.

The worker here talks to a Redis server of its own, which the test kills and
starts again; the suite's shared Redis is never touched.
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
from celery import Celery
from django.db import connection
from django.utils import timezone

from health.models import WorkerHeartbeat
from health.tasks import heartbeat
from tests.integration.conftest import (
    Worker,
    client_app,
    wait_for,
    worker_database_url,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OUTAGES = 3


class RedisServer:
    """A throwaway `redis-server` on a free port, without persistence."""

    def __init__(self, log_dir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_for(lambda: self._answers(client), timeout=10, interval=0.05)

    def kill(self) -> None:
        """SIGKILL, as a crash or a lost machine looks to the worker."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed: no Redis of the test's own")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@contextmanager
def heartbeat_row_locked(hostname: str) -> Iterator[int]:
    """Lock one heartbeat row from another session; yield that session's pid."""
    WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now()}
    )
    with psycopg.connect(worker_database_url()) as conn:
        conn.execute(
            "SELECT 1 FROM health_workerheartbeat WHERE hostname = %s FOR UPDATE",
            [hostname],
        )
        try:
            yield conn.info.backend_pid
        finally:
            conn.rollback()


def sessions_waiting_on(pid: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE %s = ANY(pg_blocking_pids(pid))",
            [pid],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def broker_client(own_redis) -> Iterator[Celery]:
    """Sends tasks to, and pings workers on, the test's own Redis."""
    app = client_app(own_redis.url)
    yield app
    app.close()


def send_heartbeat(client: Celery, hostname: str) -> None:
    client.send_task(heartbeat.name, kwargs={"hostname": hostname})


def answers(client: Celery, worker: Worker) -> bool:
    try:
        return bool(client.control.ping(destination=[worker.name], timeout=0.5))
    except (OSError, redis.RedisError):  # a pooled connection from before
        return False


def losses_logged(worker: Worker) -> int:
    return worker.log_path.read_text().count("Connection to broker lost")


def test_worker_outlives_redis_outages_with_a_task_in_flight(
    spawn_worker, own_redis, broker_client, tmp_path, client
):
    # As in production: prefork children, one busy with a late-acknowledged
    # task and one idle, so the main process is waiting on the queue too when
    # the broker goes.
    worker = spawn_worker(
        mail_dir=tmp_path, pool="prefork", concurrency=2, broker_url=own_redis.url
    )

    for outage in range(OUTAGES):
        with heartbeat_row_locked("in-flight") as holder:
            send_heartbeat(broker_client, "in-flight")
            wait_for(lambda h=holder: sessions_waiting_on(h))  # the task runs
            own_redis.kill()
            wait_for(lambda n=outage: losses_logged(worker) > n)
            time.sleep(1)
            own_redis.start()
        # The task finishes once the lock goes; the worker reconnects.
        wait_for(lambda: answers(broker_client, worker), timeout=30)
        assert worker.process.poll() is None, worker.log_path.read_text()

        batch = [f"after-outage-{outage}-{n}" for n in range(5)]
        for hostname in batch:
            send_heartbeat(broker_client, hostname)
        wait_for(
            lambda b=batch: (
                WorkerHeartbeat.objects.filter(hostname__in=b).count() == len(b)
            )
        )

    assert worker.process.poll() is None
    assert "Unrecoverable error" not in worker.log_path.read_text()
    assert client.get("/healthz").json()["worker"] == "ok"
