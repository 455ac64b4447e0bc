from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor every app shares and none owns: errors, pages, enqueueing.

    It imports no app of the project.
    """

    name = "core"
    verbose_name = "Core"
