import socket

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def heartbeat(hostname: str | None = None) -> None:
    """Record that a worker is alive (beat sends this every minute)."""
    services.heartbeat_record(hostname=hostname or socket.gethostname())
