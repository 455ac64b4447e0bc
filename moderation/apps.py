from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
