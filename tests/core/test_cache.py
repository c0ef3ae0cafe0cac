"""The cache fails soft: with Redis down it answers from process memory and logs it, and it goes
back to Redis once Redis answers again (core.cache). Each test runs its own redis-server on a
free port, or points at a port nobody listens on; the shared Redis is never touched."""

import logging
import os
import subprocess
import sys

import redis

from core import cache as fail_soft
from core.cache import FailSoftRedisCache
from tests.notifications.celery_worker import free_port, redis_server


def cache_at(url: str) -> FailSoftRedisCache:
    return FailSoftRedisCache(url, {})


def test_a_closed_port_answers_from_memory_and_logs_once(caplog) -> None:
    cache = cache_at(f"redis://127.0.0.1:{free_port()}/0")

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        cache.set("rate", [1.0, 2.0], 60)
        assert cache.add("lock", True, 10) is True
        assert cache.add("lock", True, 10) is False
        assert cache.get("rate") == [1.0, 2.0]
        assert cache.get_many(["rate", "nothing"]) == {"rate": [1.0, 2.0]}
        cache.set("n", 1)
        assert cache.incr("n") == 2
        assert cache.delete("rate") is True
        assert cache.get("rate", "gone") == "gone"

    assert cache.redis_down
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1
    assert "Redis cache unreachable" in warnings[0].getMessage()


def test_redis_stopping_and_coming_back(monkeypatch) -> None:
    port = free_port()
    cache = cache_at(f"redis://127.0.0.1:{port}/0")
    with redis_server(port) as url:
        cache.set("before", "in redis", 60)
        assert redis.Redis.from_url(url).keys("*before*")
    # Stopped: writes and reads go on, in memory.
    cache.set("during", "in memory", 60)
    assert cache.get("during") == "in memory"
    assert cache.redis_down

    monkeypatch.setattr(fail_soft, "RETRY_SECONDS", 0.0)
    cache._down_until = 0.0
    with redis_server(port) as url:
        cache.set("after", "in redis again", 60)
        assert cache.get("after") == "in redis again"
        assert redis.Redis.from_url(url).keys("*after*")
        assert not cache.redis_down


def test_a_redis_cache_url_gets_the_fail_soft_backend() -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "CACHE_URL": "redis://127.0.0.1:6379/0",
    }
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"

    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "core.cache.FailSoftRedisCache"
