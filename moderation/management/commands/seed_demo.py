"""Load the demo site: articles with discussions, a moderation queue, an editor and
a moderator. Running it again changes nothing; existing accounts keep passwords.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.seed import seed_publication
from comments.seed import seed_discussions
from moderation.seed import seed_queue


class Command(BaseCommand):
    help = "Load demo articles, discussions, a moderation queue and staff (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        articles = seed_publication(self.stdout.write)
        seed_discussions(articles, self.stdout.write)
        seed_queue(articles, self.stdout.write)
