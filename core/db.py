"""Reads from replicas, writes on the primary, and a reader who just wrote kept
on the primary so they see what they wrote.

With `DATABASE_REPLICAS` (aliases made from `DATABASE_REPLICA_URLS`) the router
sends a web request's reads to one replica, picked in turn and kept for the
whole request so its queries see one moment. Everything else reads from the
primary (`default`):

- anything outside a web request (workers, beat, commands): a task acts on
  rows just written, which a replica may not have yet;
- a request that is pinned: its reader wrote in the last
  `DATABASE_PIN_SECONDS` (`core.middleware.ReplicaPinMiddleware` decides);
- a request, from its first write on;
- inside a transaction, and `select_for_update` (a write, to the router);
- a replica that failed lately (`replica_failed`);
- a request told that what it reads changed just now (`pin_if_recent`), and
  reads inside `primary_reads()` (token checks).

Migrations run on the primary only. Without replicas nothing changes.
"""

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# A replica that failed is left alone this long (seconds) by this process.
REPLICA_REST_SECONDS = 30


@dataclass
class Routing:
    """Where one web request reads: `pinned` keeps it on the primary."""

    pinned: bool = False
    wrote: bool = False
    replica: str | None = None


_routing: ContextVar[Routing | None] = ContextVar("core_db_routing", default=None)
_turn = itertools.count()
_resting: dict[str, float] = {}


@contextmanager
def request_routing(*, pinned: bool) -> Iterator[Routing]:
    """Route the reads of the request handled inside (see the module's notes)."""
    state = Routing(pinned=pinned)
    token = _routing.set(state)
    try:
        yield state
    finally:
        _routing.reset(token)


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def replica_failed(alias: str) -> None:
    """Read no more from `alias` in this process for a while."""
    _resting[alias] = time.monotonic() + REPLICA_REST_SECONDS


def _next_replica() -> str | None:
    now = time.monotonic()
    ready = [a for a in replicas() if _resting.get(a, 0) <= now]
    return ready[next(_turn) % len(ready)] if ready else None


def read_alias() -> str:
    """The database a read made now goes to."""
    state = _routing.get()
    if state is None or state.pinned or not replicas():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if state.replica is None or _resting.get(state.replica, 0) > time.monotonic():
        state.replica = _next_replica()
    return state.replica or DEFAULT_DB_ALIAS


def pin_if_recent(changed_at_ns: int) -> None:
    """Read the primary for the rest of this request if what it reads changed
    less than `DATABASE_PIN_SECONDS` ago (`time.time_ns()` then): a replica may
    not have it yet, and a rendering shared through the cache must not keep an
    older copy under the newer version."""
    state = _routing.get()
    if state is None or state.pinned:
        return
    if time.time_ns() - changed_at_ns < settings.DATABASE_PIN_SECONDS * 10**9:
        state.pinned = True


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read the primary inside, whatever the request's routing (credentials:
    a token made or revoked a moment ago must be seen as it is now)."""
    state = _routing.get()
    if state is None or state.pinned:
        yield
        return
    state.pinned = True
    try:
        yield
    finally:
        # A write inside keeps the request on the primary from then on.
        state.pinned = state.wrote


def current_routing() -> Routing | None:
    """The routing of the web request being handled, if any."""
    return _routing.get()


class ReplicaRouter:
    """Django's database router for the rules above."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        if state := _routing.get():
            state.wrote = state.pinned = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        ours = {DEFAULT_DB_ALIAS, *replicas()}
        # Copies of one database: an article read from a replica may be the
        # parent of a row written on the primary.
        return True if {obj1._state.db, obj2._state.db} - {None} <= ours else None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db in replicas() else None


def among(column: str, values: list, *, alias: str) -> tuple[str, list]:
    """SQL saying `column` is one of `values`, and its parameters, for the
    database `alias`: on PostgreSQL one array parameter (a statement the same
    whatever the number of values, cheap to send), elsewhere one per value."""
    if not values:
        return "FALSE", []
    if connections[alias].vendor == "postgresql":
        # Sent as the array's text, which the server reads: the driver would
        # adapt a list value by value, at several times the cost. `int` keeps
        # anything but a number out of that text.
        text = ",".join([str(int(v)) for v in values])
        return f"{column} = ANY(%s::bigint[])", ["{" + text + "}"]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)
