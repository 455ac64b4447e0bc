"""One import run, whatever the source: check the file, then write it thread by
thread, with a progress bar on a terminal and a tally for the summary."""

import sys
from contextlib import nullcontext
from typing import Protocol

from django.db import transaction
from tqdm import tqdm

from .records import Discussion, Tally
from .services import Authors, Target, discussion_import
from .xmlstream import stream


class Reader(Protocol):
    name: str
    level: int
    # The elements at `level` it reads (lxml tag filters; empty for all).
    tags: tuple[str, ...]
    pings: bool
    path: object
    source: str

    def discussions(self, on_read=None): ...


def check_file(reader: Reader) -> None:
    """Read the whole file once, writing nothing: a truncated, malformed or
    hostile file is refused (BadFile) before the first comment is written."""
    for _ in stream(reader.path, reader.level, tags=reader.tags):
        pass


def run_import(
    reader: Reader, *, create_articles: bool = False, editor=None, dry_run: bool = False
) -> Tally:
    """Import every discussion of the file; with `dry_run`, roll it all back."""
    check_file(reader)
    tally, authors = Tally(), Authors()
    progress = tqdm(
        total=reader.path.stat().st_size,
        unit="B",
        unit_scale=True,
        desc=f"{reader.name} import",
        disable=not sys.stderr.isatty(),
        leave=False,
    )
    with progress, transaction.atomic() if dry_run else nullcontext():
        discussion: Discussion
        for discussion in reader.discussions(on_read=progress.update):
            target = Target(reader.source, create_articles, editor)
            discussion_import(
                target=target, discussion=discussion, tally=tally, authors=authors
            )
        if dry_run:
            transaction.set_rollback(True)
    return tally
