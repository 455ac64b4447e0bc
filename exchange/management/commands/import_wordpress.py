"""Import the comments of a WordPress export (WXR 1.0 to 1.2)."""

import re
from datetime import timedelta

from django.core.management.base import CommandError

from exchange.wordpress import WordPressReader

from ._importing import ImportCommand

_OFFSET = re.compile(r"^([+-])(\d{1,2}):?(\d{2})$")


class Command(ImportCommand):
    help = (
        "Import every comment of a WordPress export with its thread, author, date "
        "and status; a second run adds nothing."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--utc-offset",
            metavar="+HH:MM",
            help="the WordPress site's offset from UTC, for comments whose GMT "
            "date is 0000-00-00 (default: learned from the file)",
        )

    def reader(self, path, options) -> WordPressReader:
        offset = None
        if text := options.get("utc_offset"):
            if not (match := _OFFSET.match(text.strip())):
                raise CommandError(f"--utc-offset: {text!r} is not like +02:00")
            sign, hours, minutes = match.groups()
            offset = timedelta(hours=int(hours), minutes=int(minutes))
            offset = -offset if sign == "-" else offset
        return WordPressReader(path, utc_offset=offset)
