"""Opening hours as plain data: weekly rules and dated exceptions in, dated intervals out.

No queries here; ``centers.selectors`` loads the rows and calls ``days_for``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from centers import weekdays


@dataclass(frozen=True, order=True)
class Interval:
    """A stretch of time as aware datetimes; ``end`` may fall on the next day."""

    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def clock(self, tz: ZoneInfo | None = None) -> dict[str, str]:
        """``{"start": "08:30", "end": "17:30"}`` in ``tz`` (default: the zone the interval was
        made in); an end at the next midnight prints as 24:00."""
        start = self.start.astimezone(tz) if tz else self.start
        end = self.end.astimezone(tz) if tz else self.end
        end_text = f"{end:%H:%M}"
        if end_text == "00:00" and end.date() > start.date():
            end_text = "24:00"
        return {"start": f"{start:%H:%M}", "end": end_text}

    @property
    def text(self) -> str:
        clock = self.clock()
        return f"{clock['start']}–{clock['end']}"


@dataclass
class DayHours:
    date: date
    intervals: list[Interval] = field(default_factory=list)
    note: str = ""

    @property
    def is_open(self) -> bool:
        return bool(self.intervals)


class _Rule:
    """What ``days_for`` needs from an OpeningRule or an OpeningException (duck-typed)."""

    weekdays: int
    opens: time | None
    closes: time | None
    start_date: date
    end_date: date
    note: str


def make_interval(day: date, opens: time, closes: time, tz: ZoneInfo) -> Interval:
    start = datetime.combine(day, opens, tzinfo=tz)
    end_day = day if closes > opens else day + timedelta(days=1)
    end = datetime.combine(end_day, closes, tzinfo=tz)
    return Interval(start, end)


def days_for(
    *,
    start: date,
    end: date,
    tz: ZoneInfo,
    rule_layers: Sequence[Sequence[_Rule]],
    exception_layers: Sequence[Sequence[_Rule]],
) -> list[DayHours]:
    """Hours for every date from ``start`` to ``end`` inclusive.

    Layers are ordered most specific first (the space's, then its center's). For each date the
    first exception layer with an exception covering the date decides it; otherwise the first
    non-empty weekly rule layer does.
    """
    weekly = next((layer for layer in rule_layers if layer), [])
    days: list[DayHours] = []
    current = start
    while current <= end:
        day = DayHours(current)
        covering = next(
            (
                hits
                for layer in exception_layers
                if (hits := [e for e in layer if e.start_date <= current <= e.end_date])
            ),
            None,
        )
        if covering is not None:
            day.note = "；".join(dict.fromkeys(e.note for e in covering if e.note))
            sources: Iterable[_Rule] = [e for e in covering if e.opens is not None]
        else:
            sources = [r for r in weekly if weekdays.includes(r.weekdays, current.weekday())]
        day.intervals = sorted(make_interval(current, r.opens, r.closes, tz) for r in sources)
        days.append(day)
        current += timedelta(days=1)
    return days


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Join overlapping and touching intervals (a 24-hour room is one stretch across days)."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def is_open_at(days: Iterable[DayHours], moment: datetime) -> bool:
    return any(i.contains(moment) for d in days for i in d.intervals)
