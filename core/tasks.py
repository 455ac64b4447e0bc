"""Sending Celery tasks from inside a transaction, without failing the caller."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Send `task` once the current transaction commits, never failing the caller.

    Celery's own `delay_on_commit` would raise into the request when the broker
    is unreachable; here the failure is logged and the work is left for the
    owning app's periodic reconciler to pick up.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.exception(
                "could not enqueue %s%r: broker unreachable", task.name, args
            )

    transaction.on_commit(send)
