"""Fit the toxicity model on the repository's corpus and the site's, and store it."""

from django.core.management.base import BaseCommand

from moderation.classifiers import learned, site_corpus
from moderation.models import ToxicityExample


class Command(BaseCommand):
    help = (
        "Fit the toxicity model on moderation/corpus/toxicity.jsonl's training "
        "split (the held-out comments are never used) and on the moderators' "
        "overrides. With overrides, the model is stored in the database for every "
        "process to load; without, it is written beside the corpus."
    )

    def handle(self, *args, **options) -> None:
        if ToxicityExample.objects.exists():
            model, site = site_corpus.refit()
            where = f"stored in the database, with {site} site examples"
        else:
            model = learned.train(learned.load_corpus("train"))
            learned.save(model)
            size = learned.ARTEFACT.stat().st_size / 1024
            where = f"written to {learned.ARTEFACT.name} ({size:.0f} KiB)"
        self.stdout.write(
            f"toxicity {model.version}: {len(model.names)} features, {where}"
        )
