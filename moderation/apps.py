from celery.concurrency.prefork import TaskPool as PreforkPool
from celery.signals import worker_process_init, worker_ready
from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate

from core.process import serves_requests

from .classifiers import warm_up_in_background


class ModerationConfig(AppConfig):
    """Machine and human moderation of comments (see docs/moderation.md)."""

    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers
        from .groups import ensure_groups

        # After the permissions of every app exist (auth's own receiver runs per
        # app, moderation is the last app), make sure both groups hold theirs.
        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="ensure_groups")
        worker_process_init.connect(_warm_pool_process, dispatch_uid="warm_pool")
        worker_ready.connect(_warm_main_process, dispatch_uid="warm_main")
        # Without a broker the web process decides comments itself; load the
        # model as it starts, in a thread so it answers pages meanwhile.
        if settings.CELERY_TASK_ALWAYS_EAGER and serves_requests():
            warm_up_in_background()


def _warm_pool_process(**kwargs) -> None:
    # In a thread: the pool gives a new process 4 seconds to report for work
    # (worker_proc_alive_timeout), less than the model takes to load.
    warm_up_in_background()


def _warm_main_process(sender, **kwargs) -> None:
    # Solo, thread and green pools run tasks in the main process; prefork's
    # children warm themselves above.
    if not isinstance(sender.pool, PreforkPool):
        warm_up_in_background()
