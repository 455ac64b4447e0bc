from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """Machine and human moderation of comments (see design.md, "Moderation")."""

    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers
