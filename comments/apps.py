from django.apps import AppConfig


class CommentsConfig(AppConfig):
    """Threaded reader discussions under articles (see docs/architecture.md)."""

    name = "comments"
    verbose_name = "Comments"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - a reader's export and erasure
