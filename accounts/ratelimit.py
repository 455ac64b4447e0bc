"""A fixed-window rate limit kept in the shared cache (Redis in production).

In accounts, the app every other one may import: posting, voting, flagging and
signing in all count here."""

import hashlib
import logging
import re
import time
from dataclasses import dataclass

from django.core.cache import cache

from core.cache import count as counted

logger = logging.getLogger(__name__)

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


_PERIOD = re.compile(r"^\s*(\d*)\s*([a-z]+?)s?\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/minute' -> (10, 60); '5/15minute' -> (5, 900)."""
    count, _, unit = rate.partition("/")
    match = _PERIOD.match(unit)
    try:
        many = int(match.group(1) or 1)
        return int(count), many * _UNITS[match.group(2)]
    except (AttributeError, ValueError, KeyError) as exc:
        raise ValueError(f"a rate looks like '10/minute', not {rate!r}") from exc


def _key(scope: str, ident: str, window: int) -> str:
    # Idents can be anything a client sends (a username): hash them to a safe key.
    digest = hashlib.blake2b(ident.encode(), digest_size=12).hexdigest()
    return f"ratelimit:{scope}:{digest}:{window}"


@dataclass(frozen=True)
class Taken:
    """One action counted by `take`: where, and the wait it earned (0: allowed)."""

    key: str | None  # None when the cache was unreachable and nothing was counted
    count: int
    wait: int


def take(scope: str, ident: str, rate: str) -> Taken:
    """Count one action first, then decide: racing callers cannot share a slot."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    key = _key(scope, ident, window)
    try:
        count = counted(key, timeout=period + 1)
    except Exception:
        logger.warning("rate limit %s not enforced: the cache is unreachable", scope)
        return Taken(key=None, count=0, wait=0)
    if count <= limit:
        return Taken(key=key, count=count, wait=0)
    return Taken(key=key, count=count,
                 wait=max(1, int((window + 1) * period - time.time()) + 1))  # fmt: skip


def give_back(taken: Taken) -> None:
    """Uncount an action `take` counted (one that turned out not to count)."""
    if taken.key is None:
        return
    try:
        cache.decr(taken.key)
    except ValueError:
        pass  # its window has already ended
    except Exception:
        logger.warning("rate limit count not given back: the cache is unreachable")


def hit(scope: str, ident: str, rate: str) -> int:
    """Count one action; return 0 when allowed, else seconds until it is."""
    return take(scope, ident, rate).wait
