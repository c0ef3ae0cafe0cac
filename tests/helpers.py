"""Small helpers shared by test modules."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def iso(day: date, hour: int, minute: int = 0) -> str:
    """How the API writes a Shanghai time: ``2026-11-24T10:00:00+08:00``."""
    return at(day, hour, minute).isoformat()
