"""Where per-session data lives: a diskcache directory (one machine) or Redis (several).

Both offer the same four calls, ``get(key)``, ``set(key, value, expire=seconds)``,
``delete(key)`` and ``close()``; :func:`open_store` picks one from a location string, so the
web processes and the background workers (which may be on other machines) open the same store
from the same setting.
"""

from __future__ import annotations

import pickle
from typing import cast

import diskcache

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class RedisStore:
    """Session values in Redis under ``strata:session:``, pickled as diskcache pickles them.

    Redis holds the deployment's own data only and must not be reachable by anyone else.
    """

    PREFIX = "strata:session:"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def get(self, key: str, default=None):
        raw = self._redis.get(self.PREFIX + key)
        # the client is opened without decode_responses, so values come back as bytes
        return default if raw is None else pickle.loads(cast(bytes, raw))

    def set(self, key: str, value, expire: float | None = None) -> bool:
        ttl = None if expire is None else max(1, int(expire))
        self._redis.set(self.PREFIX + key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ex=ttl)
        return True

    def delete(self, key: str) -> bool:
        return self._redis.delete(self.PREFIX + key) == 1

    def ping(self) -> None:
        """Raise ``redis.ConnectionError`` when the server does not answer."""
        self._redis.ping()

    def close(self) -> None:
        self._redis.close()


def is_redis(location: str) -> bool:
    return location.startswith(REDIS_SCHEMES)


def open_store(location: str) -> RedisStore | diskcache.Cache:
    """A Redis URL gives a :class:`RedisStore`; anything else is a diskcache directory."""
    return RedisStore(location) if is_redis(location) else diskcache.Cache(location)
