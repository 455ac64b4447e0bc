"""What the two import commands share: options, the run and its report."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from exchange.runner import run_import
from exchange.xmlstream import BadFile


class ImportCommand(BaseCommand):
    """Subclasses say which reader reads the file."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the export file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read and check everything, write nothing",
        )
        parser.add_argument(
            "--create-articles",
            action="store_true",
            help="make a draft article for a post no article matches",
        )
        parser.add_argument(
            "--editor",
            metavar="USERNAME",
            help="the author of created drafts (default: the first superuser)",
        )

    def reader(self, path, options):
        raise NotImplementedError

    def handle(self, *args, **options) -> None:
        from pathlib import Path

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        editor = _editor(options["editor"]) if options["create_articles"] else None
        reader = self.reader(path, options)
        try:
            tally = run_import(
                reader,
                create_articles=options["create_articles"],
                editor=editor,
                dry_run=options["dry_run"],
            )
        except BadFile as problem:
            raise CommandError(f"{path}, {problem}; nothing was imported") from None
        for line in tally.notes:
            self.stderr.write(f"note: {line}")
        for line in tally.failures:
            self.stderr.write(f"not imported: {line}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(tally.summary(pings=reader.pings))
        if tally.failures:
            raise CommandError(
                f"{len(tally.failures)} of the file's discussions could not be "
                "imported (listed above)"
            )


def _editor(username: str | None):
    users = get_user_model().objects
    if username:
        editor = users.filter(username=username).first()
        if editor is None:
            raise CommandError(f"--editor: no account named {username!r}")
        return editor
    editor = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if editor is None:
        raise CommandError(
            "--create-articles needs an author for the drafts: name one with --editor"
        )
    return editor
