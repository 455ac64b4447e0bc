"""Django's Redis cache, without a new Redis client object per call.

Django's client makes a `redis.Redis` for every get and set; building one
(its table of reply handlers) costs more than the round trip to Redis itself.
Here each connection pool keeps one client for the life of the process. That
is safe: a `redis.Redis` takes a connection from its pool for each command, so
threads share it, and the pool starts afresh in a forked process.
"""

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
