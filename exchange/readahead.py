"""Reading an export in a second process while this one writes it.

Parsing the XML and turning each body's HTML into Markdown is half an
import's work, and none of it needs the database, so a child process runs the
reader and hands over its discussions a chunk at a time (with the source as
the file had named it by then, and how many bytes it had read) through a
queue that holds two chunks at most: memory stays flat however long the file,
and the two halves run side by side on two cores.

The child only reads: it never touches the database (it inherits this
process's connection and leaves it alone, ending with os._exit as
multiprocessing's forked children do). An error there (a file cut short
since it was checked) is raised here, in the importer, where it stops the
run as it would have in one process; a child that dies without a word is
reported as such; and the child is stopped whenever the import stops, so
nothing is left running. Where processes cannot be forked, the reader runs
here as before.
"""

import multiprocessing
import pickle
import queue
import tracemalloc
from collections.abc import Callable, Iterator

from .records import Discussion

CHUNK_COMMENTS = 1000
CHUNK_DISCUSSIONS = 25
QUEUED_CHUNKS = 2
WAIT_SECONDS = 1.0


class ReadingStopped(Exception):
    """The reading process ended without saying why."""


class ReadAhead:
    """The reader's (source, discussion) pairs, read in a child process that
    starts on entering and is stopped on leaving, whatever happened between:

        with ReadAhead(reader, on_read=progress.update) as discussions:
            check_file(reader)  # meanwhile the child reads the first chunks
            for source, discussion in discussions:
                ...

    `peak` is the child's tracemalloc peak in bytes, when tracemalloc was
    tracing (for the benchmark).
    """

    def __init__(self, reader, *, on_read: Callable[[int], None] | None = None):
        self.reader, self.on_read, self.peak = reader, on_read, 0
        self.child = self.chunks = None

    def __enter__(self) -> "ReadAhead":
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self.chunks = context.Queue(maxsize=QUEUED_CHUNKS)
            self.child = context.Process(
                target=_read, args=(self.reader, self.chunks), daemon=True
            )
            self.child.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.child is None:
            return
        if self.child.is_alive():
            self.child.terminate()
        self.child.join()
        self.chunks.close()
        self.chunks.join_thread()

    def __iter__(self) -> Iterator[tuple[str, Discussion]]:
        if self.child is None:
            for discussion in self.reader.discussions(on_read=self.on_read):
                yield self.reader.source, discussion
            return
        while True:
            kind, payload, read = _next(self.chunks, self.child)
            if self.on_read is not None and read:
                self.on_read(read)
            if kind == "chunk":
                yield from payload
            elif kind == "error":
                raise payload
            else:
                self.peak = payload
                return


def _next(chunks, child) -> tuple[str, object, int]:
    while True:
        try:
            return chunks.get(timeout=WAIT_SECONDS)
        except queue.Empty:
            if not child.is_alive():
                raise ReadingStopped(
                    f"the process reading the file stopped (exit code "
                    f"{child.exitcode}) before the end of the file"
                ) from None


def _read(reader, chunks) -> None:
    """The child: read the file, put chunks on the queue, then the end."""
    chunk: list[tuple[str, Discussion]] = []
    comments, read = 0, 0

    def count(size: int) -> None:
        nonlocal read
        read += size

    try:
        for discussion in reader.discussions(on_read=count):
            chunk.append((reader.source, discussion))
            comments += len(discussion.entries)
            if len(chunk) >= CHUNK_DISCUSSIONS or comments >= CHUNK_COMMENTS:
                chunks.put(("chunk", chunk, read))
                chunk, comments, read = [], 0, 0
        if chunk:
            chunks.put(("chunk", chunk, read))
        peak = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else 0
        chunks.put(("done", peak, read))
    except BaseException as problem:
        chunks.put(("error", _sendable(problem), 0))
    chunks.close()
    chunks.join_thread()


def _sendable(problem: BaseException) -> BaseException:
    """The error itself when it survives the trip between processes; else one
    that says what it was."""
    try:
        return pickle.loads(pickle.dumps(problem))  # noqa: S301 - our own bytes
    except Exception:
        return ReadingStopped(f"{type(problem).__name__}: {problem}")
