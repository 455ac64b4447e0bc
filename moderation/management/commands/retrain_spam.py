"""Rebuild the spam model from scratch from every moderator decision on record."""

from django.core.management.base import BaseCommand

from moderation.services import spam_retrain


class Command(BaseCommand):
    help = "Rebuild the spam model from moderators' approve and spam decisions."

    def handle(self, *args, **options) -> None:
        spam, ham = spam_retrain()
        self.stdout.write(f"Spam model rebuilt from {spam} spam and {ham} approved.")
