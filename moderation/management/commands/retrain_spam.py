"""Rebuild the spam model from scratch from every moderator decision on record."""

from django.core.management.base import BaseCommand

from moderation.classifiers.spam import retrain


class Command(BaseCommand):
    help = "Rebuild the spam model from moderators' approve and spam decisions."

    def handle(self, *args, **options) -> None:
        spam, ham = retrain()
        self.stdout.write(f"Spam model rebuilt from {spam} spam and {ham} approved.")
