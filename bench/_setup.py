"""Shared start-up for benchmarks: Django on a throwaway test database, created and migrated
from scratch (SQLite by default; PostgreSQL when BENCH_DATABASE_URL names a server), dropped at
exit."""

import atexit
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, shared: bool = False) -> str:
    """``shared``: other processes (a Celery worker) open the database too, so SQLite's test
    database is a file rather than in memory."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "sqlite:///bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.db import connection

    django.setup()
    if shared and connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(ROOT / "bench-shared.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    atexit.register(connection.creation.destroy_test_db, old_name, verbosity=0)
    return connection.vendor


def measure(fn: Callable[[], object], *, runs: int) -> dict[str, float]:
    """Median and p99 wall time in milliseconds over ``runs`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
    }
