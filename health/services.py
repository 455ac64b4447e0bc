"""Writes and reads for the health of the site's parts."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.db.models import F, Max
from django.utils import timezone

from core import db

from .models import WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, hostname: str, at: datetime | None = None) -> WorkerHeartbeat:
    """Note that the worker on `hostname` is alive and running tasks."""
    at = at or timezone.now()
    beat, created = WorkerHeartbeat.objects.select_for_update().get_or_create(
        hostname=hostname, defaults={"seen_at": at, "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(
            seen_at=at, beats=F("beats") + 1
        )
        beat.refresh_from_db()
    return beat


def heartbeat_every() -> timedelta:
    """How often beat sends the heartbeat task, as CELERY_BEAT_SCHEDULE says."""
    schedule = settings.CELERY_BEAT_SCHEDULE.get("worker-heartbeat", {}).get("schedule")
    return schedule if isinstance(schedule, timedelta) else timedelta(minutes=1)


def worker_state(last_seen: datetime | None) -> str:
    """The worker's state: ok, stale (two beats missed), unseen or in-process."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"  # no broker: the web process runs tasks itself
    if last_seen is None:
        return "unseen"
    # One missed beat may be a busy queue; two mean no worker, or no beat.
    if timezone.now() - last_seen > 2 * heartbeat_every():
        return "stale"
    return "ok"


def site_health() -> dict:
    """Whether the database and cache answer, and whether a worker runs tasks.

    `ok` (and the status code) follows the database and cache only: a web
    process without a worker still serves, and a load balancer must keep it.
    With replicas, `replicas` gives each one's lag and `degraded` says whether
    any is behind or unreachable (reads then go elsewhere: core.db).
    """
    report: dict = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = "ok"
        last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
        report["worker_last_seen"] = last.isoformat() if last else None
        report["worker"] = worker_state(last)
    except Exception as exc:
        report["database"] = f"error: {type(exc).__name__}"
        report["worker_last_seen"] = None
        report["worker"] = "unknown"
    try:
        cache.set("health:probe", "1", 5)
        report["cache"] = "ok" if cache.get("health:probe") == "1" else "error"
    except Exception as exc:
        report["cache"] = f"error: {type(exc).__name__}"
    report["ok"] = report["database"] == "ok" and report["cache"] == "ok"
    if aliases := db.replicas():
        report["replicas"] = {alias: replica_health(alias) for alias in aliases}
        report["degraded"] = any(
            r["state"] != "ok" for r in report["replicas"].values()
        )
    return report


# Caught up when it has replayed all it received (an idle primary sends nothing,
# so the last replayed transaction ages without any lag); otherwise the age of
# the last transaction replayed.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT status FROM pg_stat_wal_receiver),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
       END
"""


def replica_health(alias: str) -> dict:
    """How far the replica `alias` replays behind the primary, in seconds, and
    `state`: ok, degraded (behind DATABASE_REPLICA_MAX_LAG_SECONDS, or not
    streaming from the primary), or the error reaching it."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, receiver, lag = cursor.fetchone()
    except Exception as exc:
        return {"lag_seconds": None, "state": f"error: {type(exc).__name__}"}
    if not in_recovery:
        return {"lag_seconds": None, "state": "error: not a replica"}
    lag = None if lag is None else round(float(lag), 3)
    behind = lag is None or lag > settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    state = "degraded" if behind or receiver != "streaming" else "ok"
    return {"lag_seconds": lag, "state": state}
