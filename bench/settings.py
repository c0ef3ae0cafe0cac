"""Settings for the HTTP benchmarks: the test settings (fast password hashing, development
identity keys) served by gunicorn like production (DEBUG off), the floor endpoints added, a
real cache and broker when the bench names them (BENCH_CACHE_URL, BENCH_BROKER_URL)."""

import os

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["*"]
CACHES = {"default": env.cache_url_config(os.environ.get("BENCH_CACHE_URL", "locmemcache://"))}  # noqa: F405
# Messages go to a broker as in production (no worker reads them here); never inline.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ.get("BENCH_BROKER_URL", "memory://")
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
