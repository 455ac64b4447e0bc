"""Operators can ask whether the parts answer and when a worker last ran."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from health.models import WorkerHeartbeat
from health.tasks import heartbeat


@pytest.fixture
def with_broker(settings):
    """As in production: tasks go to a broker and a worker runs them."""
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.mark.django_db
def test_healthz_reports_database_and_cache_ok(client, with_broker):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "worker_last_seen": None,
        "worker": "unseen",
        "ok": True,
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_heartbeat_task_records_each_run_of_a_worker(client):
    heartbeat.apply(kwargs={"hostname": "worker-a"})
    heartbeat.apply(kwargs={"hostname": "worker-a"})

    beat = WorkerHeartbeat.objects.get(hostname="worker-a")
    assert beat.beats == 2
    assert client.get("/healthz").json()["worker_last_seen"] == beat.seen_at.isoformat()


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_is_down(client):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["cache"].startswith("error")
    assert response.json()["database"] == "ok"


def beat_seconds_ago(seconds: int) -> None:
    WorkerHeartbeat.objects.create(
        hostname="worker-a", seen_at=timezone.now() - timedelta(seconds=seconds)
    )


@pytest.mark.django_db
def test_a_heartbeat_within_two_beat_intervals_is_a_healthy_worker(client, with_broker):
    beat_seconds_ago(110)  # beat sends one a minute: one missed

    assert client.get("/healthz").json()["worker"] == "ok"


@pytest.mark.django_db
def test_a_heartbeat_older_than_two_beat_intervals_is_a_stale_worker(
    client, with_broker
):
    beat_seconds_ago(125)

    response = client.get("/healthz")

    assert response.json()["worker"] == "stale"
    # The web process still serves: a load balancer must not drop it.
    assert response.status_code == 200
    assert response.json()["ok"] is True


@pytest.mark.django_db
def test_the_stale_limit_follows_the_heartbeat_schedule(client, with_broker, settings):
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "worker-heartbeat": {
            "task": "health.tasks.heartbeat",
            "schedule": timedelta(seconds=10),
        },
    }
    beat_seconds_ago(25)

    assert client.get("/healthz").json()["worker"] == "stale"


@pytest.mark.django_db
def test_without_a_broker_there_is_no_worker_to_wait_for(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    assert client.get("/healthz").json()["worker"] == "in-process"
