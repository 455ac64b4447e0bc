"""Write the site's comments to a file that the importers read back."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from exchange.export import export_json, export_wxr


class Command(BaseCommand):
    help = (
        "Export comments as WXR (read back by import_wordpress) or JSON, with "
        "threads, bodies, dates, statuses and authors."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="where to write; - for standard output")
        parser.add_argument("--format", choices=["wxr", "json"], required=True)
        parser.add_argument("--article", metavar="SLUG", help="one article only")

    def handle(self, *args, file: str, format: str, article: str | None, **options):
        articles = Article.objects.order_by("pk")
        if article:
            articles = articles.filter(slug=article)
            if not articles.exists():
                raise CommandError(f"--article: no article with the slug {article!r}")
        if file == "-":
            count = self._write(format, articles, sys.stdout)
        else:
            mode = "wb" if format == "wxr" else "w"
            with Path(file).open(
                mode, **({} if mode == "wb" else {"encoding": "utf-8"})
            ) as out:
                count = self._write(format, articles, out)
        self.stderr.write(f"exported {count} comments")

    def _write(self, format: str, articles, out) -> int:
        if format == "wxr":
            return export_wxr(getattr(out, "buffer", out), articles=articles)
        return export_json(out, articles=articles)
