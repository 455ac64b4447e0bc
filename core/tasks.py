"""Sending Celery tasks from inside a transaction, without failing the caller."""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, countdown: float | None = None) -> None:
    """Send `task` now (to run after `countdown` seconds), never failing the caller.

    Celery would raise into the request when the broker is unreachable; here the
    failure is logged and the work is left for the owning app's periodic
    reconciler to pick up.
    """
    try:
        task.apply_async(args, countdown=countdown)
    except Exception:
        logger.exception("could not enqueue %s%r: broker unreachable", task.name, args)


def enqueue_on_commit(task, *args) -> None:
    """Send `task` once the current transaction commits (see `enqueue`)."""
    transaction.on_commit(lambda: enqueue(task, *args))


def _claim(key: str, seconds: float) -> bool:
    """Take a cache lock on `key` for `seconds`: False if someone holds it."""
    try:
        return cache.add(key, 1, timeout=seconds)
    except Exception:  # the cache is down: better twice than never
        logger.warning("cache unreachable; %s taken without a lock", key)
        return True


def _release(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("cache unreachable; %s left to expire", key)


def requeue_once(
    *,
    job: str,
    task,
    find: Callable[[], Iterable[tuple]],
    patience: timedelta,
    run_limit: float,
) -> int:
    """Re-send `task` for each argument tuple `find()` gives, at most once per
    `patience` however many runs queued up while no worker took them; return
    how many were sent (0 when another run of `job` is under way).

    Each message expires with its lock, so a lost one is sent again later.
    """
    running = f"{job}:running"  # the owning app may name it, to test or inspect
    if not _claim(running, run_limit):
        logger.info("a %s run is under way; this one stands down", job)
        return 0
    sent = 0
    seconds = patience.total_seconds()
    try:
        for args in find():
            if _claim(f"{job}:{':'.join(map(str, args))}", seconds):
                task.apply_async(args, expires=seconds)
                sent += 1
    finally:
        _release(running)
    return sent
