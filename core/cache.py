"""The Redis cache, failing soft.

Everything in the cache can be lost without harm: login and API rate limits (allauth's failed
logins, DRF throttles), WeChat's access token, computed availability. Redis being down must
therefore never turn into an error page: with Django's own ``RedisCache`` every login (web, app
and admin) answered 500 while Redis was away. This backend answers from a local memory cache of
this process instead, logs that it does, and tries Redis again after a few seconds.

What that costs while Redis is down: each process counts rate limits on its own (a client
spread over several workers gets a few more tries), and nothing is shared between processes.
What Redis held before the outage it holds again after it; what was written to the local cache
meanwhile stays local.
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After a failure, Redis is left alone this long: a request should not wait for a connection
# timeout on every cache call while Redis is down.
RETRY_SECONDS = 10.0
# Short, so that a Redis host that does not answer at all costs a request little.
SOCKET_TIMEOUT_SECONDS = 0.5


class FailSoftRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": dict(params.get("OPTIONS") or {})}
        params["OPTIONS"].setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        params["OPTIONS"].setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, params)
        self.fallback = LocMemCache(
            f"fail-soft-{id(self)}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
            },
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_down:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except RedisError as exc:
                with self._lock:
                    first = not self.redis_down
                    self._down_until = time.monotonic() + RETRY_SECONDS
                if first:
                    logger.warning(
                        "Redis cache unreachable (%s: %s); using this process's memory for %.0f s",
                        type(exc).__name__,
                        exc,
                        RETRY_SECONDS,
                    )
        return getattr(self.fallback, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._either("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        return self._either("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._either("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return self._either("delete_many", *args, **kwargs)

    def clear(self) -> None:
        self.fallback.clear()
        return self._either("clear")
