"""Articles' periodic jobs: thin wrappers that call one service each."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def close_old_discussions() -> int:
    """Close discussions past their close-after period."""
    return services.articles_close_expired()
