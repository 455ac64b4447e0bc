"""Writes and reads for the health of the site's parts."""

from datetime import datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

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


def site_health() -> dict:
    """Whether the database and cache answer, and when a worker was last seen."""
    report: dict = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = "ok"
        last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
        report["worker_last_seen"] = last.isoformat() if last else None
    except Exception as exc:
        report["database"] = f"error: {type(exc).__name__}"
        report["worker_last_seen"] = None
    try:
        cache.set("health:probe", "1", 5)
        report["cache"] = "ok" if cache.get("health:probe") == "1" else "error"
    except Exception as exc:
        report["cache"] = f"error: {type(exc).__name__}"
    report["ok"] = report["database"] == "ok" and report["cache"] == "ok"
    return report
