"""Load the demo site: articles with discussions, a moderation queue, an editor and
a moderator. Running it again changes nothing; existing accounts keep passwords.
"""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.seed import seed_publication
from comments.seed import seed_discussions
from moderation.seed import seed_queue


class Command(BaseCommand):
    help = "Load demo articles, discussions, a moderation queue and staff (idempotent)."

    @transaction.atomic
    def handle(self, *args, verbosity: int, **options) -> None:
        started = time.perf_counter()
        # Passwords are shown once, when an account is made, so even at
        # verbosity 0; progress only above it.
        say = self._say if verbosity >= 1 else _quiet
        articles = seed_publication(say, say_password=self._say)
        seed_discussions(articles, say)
        say(
            "Demo moderation queue: seeding (a first run loads the toxicity "
            "model, a few seconds)…"
        )
        seed_queue(articles, say)
        say(f"Demo site ready in {time.perf_counter() - started:.1f} s.")

    def _say(self, line: str) -> None:
        # Flushed line by line: under make or a log the output is a pipe.
        self.stdout.write(line)
        self.stdout.flush()


def _quiet(line: str) -> None:
    pass
