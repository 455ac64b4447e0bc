"""Load the demo site: topics, articles with discussions, an editor and a moderator.

Running it again changes nothing; existing accounts keep their passwords.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.seed import seed_publication
from comments.seed import seed_discussions


class Command(BaseCommand):
    help = "Load demo articles, discussions, an editor and a moderator (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        articles = seed_publication(self.stdout.write)
        seed_discussions(articles, self.stdout.write)
