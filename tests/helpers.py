"""Small helpers shared by test modules: the center's zone and Shanghai times.

The fixtures built on them (the frozen ``clock``, ``member``, ``superuser``) are in
tests/conftest.py.
"""

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

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
