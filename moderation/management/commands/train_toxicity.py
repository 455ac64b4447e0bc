"""Fit the toxicity model on the corpus's training split and write the artefact."""

from django.core.management.base import BaseCommand

from moderation.classifiers import learned as toxicity


class Command(BaseCommand):
    help = (
        "Fit the toxicity model on moderation/corpus/toxicity.jsonl's training "
        "split (the held-out comments are never used) and write the artefact."
    )

    def handle(self, *args, **options) -> None:
        rows = toxicity.load_corpus("train")
        model = toxicity.train(rows)
        toxicity.save(model)
        size = toxicity.ARTEFACT.stat().st_size / 1024
        self.stdout.write(
            f"toxicity {model.version}: fitted on {len(rows)} comments, "
            f"{len(model.names)} features, {toxicity.ARTEFACT.name} {size:.0f} KiB"
        )
