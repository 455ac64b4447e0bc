"""Django's Redis cache, without a new Redis client object per call.

Django's client makes a `redis.Redis` for every get and set; building one
(its table of reply handlers) costs more than the round trip to Redis itself.
Here each connection pool keeps one client for the life of the process. That
is safe: a `redis.Redis` takes a connection from its pool for each command, so
threads share it, and the pool starts afresh in a forked process.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """The `default` cache when REDIS_URL is set (config.settings)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _Client

    def count(self, key: str, timeout: int) -> int:
        """Add one to the counter at `key`, made to live `timeout` seconds if it
        is new; in one round trip (`add` then `incr` take three)."""
        key = self.make_and_validate_key(key)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]


def count(key: str, timeout: int) -> int:
    """Add one to the default cache's counter at `key` (made to live `timeout`
    seconds if it is new) and return it: on Redis in one round trip."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return cache.count(key, timeout)
    cache.add(key, 0, timeout=timeout)
    return cache.incr(key)
