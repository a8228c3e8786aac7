"""Django's Redis cache backend with its client object reused (``CACHES`` names it with REDIS_URL)."""

from django.core.cache.backends import redis as redis_backend


class _ReusingRedisCacheClient(redis_backend.RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new client object for every cache call; a cached page is one or
    two calls, so that construction was a sixth of a warm request. The client is
    thread-safe and holds no connection of its own (the pool does), so reusing it
    changes nothing else.
    """

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis_backend.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with the client reused (above)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient
