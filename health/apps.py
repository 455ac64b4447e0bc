import logging
import os

from django.apps import AppConfig
from django.conf import settings

from core.process import started_to_serve

logger = logging.getLogger("agora")

# Set once the note below is logged; runserver's autoreloaded children inherit
# it and stay quiet.
_SAID = "AGORA_TASKS_IN_PROCESS_SAID"


class HealthConfig(AppConfig):
    """Liveness of the site's parts: database, cache and the Celery worker."""

    name = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        # Said where the site is served, once: migrate, seed_demo and the
        # other commands run in-process too, but there it changes nothing.
        serving = started_to_serve()
        if settings.CELERY_TASK_ALWAYS_EAGER and serving and not os.environ.get(_SAID):
            os.environ[_SAID] = "1"
            logger.info(
                "CELERY_BROKER_URL is unset: background tasks run in-process "
                "(no worker needed)."
            )
