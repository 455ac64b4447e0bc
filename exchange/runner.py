"""One import run, whatever the source: check the file, then write it thread by
thread, with a progress bar on a terminal and a tally for the summary.

Threads are written a batch at a time, in one transaction
(exchange.services.batch_import): a thread that cannot be written still
leaves nothing behind, and the batch's spam verdicts are learned at its end,
with its comments, so a crash or a failure loses a batch's comments and their
lessons together (a second run writes and teaches them). A batch stays small
enough that the articles whose totals it moves are not held up for long.
"""

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Protocol

from django.db import DatabaseError, transaction
from tqdm import tqdm

from moderation.classifiers import spam

from .readahead import ReadAhead
from .records import Discussion, Tally
from .services import Authors, Target, batch_import, say
from .xmlstream import check

BATCH_COMMENTS = 2000
# PostgreSQL keeps up to 64 savepoints of a transaction at hand; past that,
# every other session's snapshots slow down until it ends.
BATCH_DISCUSSIONS = 50


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
    check(reader.path)


def run_import(
    reader: Reader, *, create_articles: bool = False, editor=None, dry_run: bool = False
) -> Tally:
    """Import every discussion of the file; with `dry_run`, roll it all back.

    The file is read in a second process (exchange.readahead) that starts at
    once, so it has the first discussions ready when the check ends.
    """
    tally, authors = Tally(), Authors()
    progress = tqdm(
        total=reader.path.stat().st_size,
        unit="B",
        unit_scale=True,
        desc=f"{reader.name} import",
        disable=not sys.stderr.isatty(),
        leave=False,
    )
    with (
        progress,
        _collector_skips_what_exists(),
        ReadAhead(reader, on_read=progress.update) as discussions,
    ):
        check_file(reader)
        with transaction.atomic() if dry_run else nullcontext():
            batch: list[tuple[Target, Discussion]] = []
            comments = 0
            for source, discussion in discussions:
                # The source as the file had said it when the thread was read.
                batch.append((Target(source, create_articles, editor), discussion))
                comments += len(discussion.entries)
                if len(batch) >= BATCH_DISCUSSIONS or comments >= BATCH_COMMENTS:
                    _write_batch(batch, tally, authors)
                    batch, comments = [], 0
            _write_batch(batch, tally, authors)
            if dry_run:
                transaction.set_rollback(True)
    tally.reading_peak = discussions.peak
    return tally


@contextmanager
def _collector_skips_what_exists() -> Iterator[None]:
    """The objects that exist before the run (Django's, the apps') outlive it:
    the cycle collector leaves them be while it runs, rather than walk them
    again each time the run's own objects come and go, in this process and in
    the reading one forked from it."""
    if gc.get_freeze_count():  # someone else froze them, and thaws them
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _write_batch(
    batch: list[tuple[Target, Discussion]], tally: Tally, authors: Authors
) -> None:
    """Write a batch of threads, each all or nothing, and learn their verdicts."""
    if not batch:
        return
    own, examples, written = Tally(), [], []
    try:
        with transaction.atomic():
            batch_import(batch=batch, tally=own, authors=authors, written=written,
                         examples=examples)  # fmt: skip
            spam.learn_many(examples)
    except DatabaseError as problem:
        # Learning or the commit failed: none of the batch is written.
        tally.failures.extend(own.failures)
        tally.failures.extend(f"{d.label}: {say(problem)}" for d in written)
        return
    tally.add(own)
