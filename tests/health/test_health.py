"""Operators can ask whether the parts answer and when a worker last ran."""

import pytest
from django.test import override_settings

from health.models import WorkerHeartbeat
from health.tasks import heartbeat


@pytest.mark.django_db
def test_healthz_reports_database_and_cache_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "worker_last_seen": None,
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
