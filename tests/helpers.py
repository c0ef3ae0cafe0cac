"""Small helpers shared by test modules: the center's zone and Shanghai times, and a row
lock held by another connection (PostgreSQL lock tests).

The fixtures built on them (the frozen ``clock``, ``member``, ``superuser``) are in
tests/conftest.py.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import connection, transaction

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The week most tests live in; the clock stands at 8:00 on this Monday unless a module says.
MONDAY = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def hour_on(day: date) -> Callable[..., datetime]:
    """``at = hour_on(MONDAY)`` for a module whose times mostly fall on one day:
    ``at(14)``, ``at(14, 30)``, ``at(9, day=TUESDAY)``."""

    def at_hour(hour: int, minute: int = 0, day: date = day) -> datetime:
        return at(day, hour, minute)

    return at_hour


def iso(day: date, hour: int, minute: int = 0) -> str:
    """How the API writes a Shanghai time: ``2026-11-24T10:00:00+08:00``."""
    return at(day, hour, minute).isoformat()


@contextmanager
def locked_elsewhere(take: Callable[[], object]) -> Iterator[None]:
    """While the block runs, another thread (its own database connection) holds in an open
    transaction the lock that ``take`` takes; it lets go when the block ends."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                take()
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=10), "the other connection never got its lock"
        yield
    finally:
        release.set()
        holder.join(timeout=30)
