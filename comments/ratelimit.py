"""A fixed-window rate limit kept in the shared cache (Redis in production)."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/minute' -> (10, 60)."""
    count, _, unit = rate.partition("/")
    try:
        return int(count), _UNITS[unit.strip().rstrip("s")]
    except (ValueError, KeyError) as exc:
        raise ValueError(f"a rate looks like '10/minute', not {rate!r}") from exc


def hit(scope: str, ident: str, rate: str) -> int:
    """Count one action; return 0 when allowed, else seconds until it is."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{ident}:{window}"
    try:
        cache.add(key, 0, timeout=period + 1)
        count = cache.incr(key)
    except Exception:
        # The cache is down: let the reader through rather than fail the post.
        logger.warning("rate limit %s not enforced: the cache is unreachable", scope)
        return 0
    if count <= limit:
        return 0
    return max(1, int((window + 1) * period - time.time()) + 1)
