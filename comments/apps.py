from django.apps import AppConfig


class CommentsConfig(AppConfig):
    """Threaded reader discussions under articles (design.md, "The comment tree")."""

    name = "comments"
    verbose_name = "Comments"
