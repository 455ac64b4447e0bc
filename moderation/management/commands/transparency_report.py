"""Write a month's moderation figures (the transparency report) as JSON or CSV."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from moderation import transparency


class Command(BaseCommand):
    help = "Print a month's moderation figures, counted from the audit log."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--month", help="YYYY-MM (UTC); the current month if left out"
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, **options) -> None:
        text = options["month"] or timezone.now().strftime("%Y-%m")
        try:
            month = transparency.Month.parse(text)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        figures = transparency.month_figures(month)
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["figure", "value"])
        writer.writerows(transparency.as_rows(figures))
