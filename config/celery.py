"""The Celery application: settings come from Django's, under the CELERY_ prefix."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("agora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_IN_MEMORY = "memory://localhost/"


@app.on_after_configure.connect
def _no_broker_in_process(sender, source, **kwargs) -> None:
    # Without a broker tasks run in-process and no message leaves it; an empty
    # URL would still make kombu warn on the first task that it falls back to
    # localhost. The in-memory transport, named in full, says what happens.
    # Celery 5.6 reads the namespaced key before the plain one: set both.
    if source.task_always_eager and not source.broker_url:
        source.update(broker_url=_IN_MEMORY, CELERY_BROKER_URL=_IN_MEMORY)


@contextmanager
def tasks_in_process() -> Iterator[None]:
    """Run every task in the calling process while inside (tests, benchmarks).

    Celery 5.6 reads the namespaced key before the plain one: both are set.
    """
    keys = ("task_always_eager", "CELERY_TASK_ALWAYS_EAGER")
    before = {key: app.conf.get(key) for key in keys}
    for key in keys:
        app.conf[key] = True
    try:
        yield
    finally:
        for key, value in before.items():
            app.conf[key] = value
