"""The Celery application: settings come from Django's, under the CELERY_ prefix."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("agora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Send `task` once the current transaction commits, never failing the caller.

    With the broker unreachable the work is logged and left for the periodic
    reconciler (moderation.tasks.reconcile_pending) to pick up.
    """
    from django.db import transaction

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.exception(
                "could not enqueue %s%r: broker unreachable", task.name, args
            )

    transaction.on_commit(send)
