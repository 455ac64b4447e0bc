"""What a reader of an export hands the writer: one discussion at a time.

The WordPress and Disqus readers turn their own shapes into these, so placing,
counting and mapping ids are written once (exchange.services).
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Entry:
    """One comment as the source had it; `body` is already Markdown."""

    source_id: str
    parent_id: str | None
    name: str
    email: str
    created_at: datetime
    status: str
    body: str
    # The source says the author had an account there (not a guest or anonymous).
    registered: bool = False
    deleted_at: datetime | None = None
    # What the source's spam filter (Akismet) concluded, when it left a verdict:
    # True spam, False not spam. Taught to the spam model as a decision.
    spam_verdict: bool | None = None


@dataclass(slots=True)
class Ping:
    """A pingback or trackback, kept apart from the reader comments."""

    source_id: str
    kind: str
    title: str
    url: str
    excerpt: str
    created_at: datetime


@dataclass(slots=True)
class Discussion:
    """One post or thread of the source and its comments, in file order."""

    key: str
    label: str
    line: int | None
    slugs: list[str]
    title: str
    entries: list[Entry] = field(default_factory=list)
    pings: list[Ping] = field(default_factory=list)
    # For an article made with --create-articles.
    body: str = ""
    published_at: datetime | None = None
    closed: bool = False
    # Set when the reader could not make sense of it: nothing of it is written.
    problem: str = ""


@dataclass
class Tally:
    """What a run did, for the summary line."""

    imported: int = 0
    skipped: int = 0
    held: int = 0
    spam: int = 0
    orphans: int = 0
    pings: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The reading process's tracemalloc peak in bytes, when tracemalloc was
    # tracing (exchange.readahead; for the benchmark).
    reading_peak: int = 0

    def add(self, other: "Tally") -> None:
        """Count what another part of the run did into this tally."""
        for name in ("imported", "skipped", "held", "spam", "orphans", "pings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures.extend(other.failures)
        self.notes.extend(other.notes)

    def summary(self, *, pings: bool) -> str:
        line = (
            f"imported {self.imported}, skipped {self.skipped} (already there), "
            f"held {self.held}, spam {self.spam}, orphans {self.orphans}"
        )
        return f"{line}, pingbacks {self.pings} (kept apart)" if pings else line
