import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger("agora")


class HealthConfig(AppConfig):
    """Liveness of the site's parts: database, cache and the Celery worker."""

    name = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.info(
                "CELERY_BROKER_URL is unset: background tasks run in-process "
                "(no worker needed)."
            )
