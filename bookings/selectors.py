"""Reads about bookings: availability for one or many spaces, and members' booking lists."""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from bookings.models import Booking, SpaceHold
from centers.hours import Interval, merge
from centers.models import Space
from centers.selectors import space_hours
from members.models import User


@dataclass(frozen=True)
class FreeStretch:
    start: datetime
    end: datetime
    units_free: int


@dataclass
class DayAvailability:
    date: date
    open: list[Interval] = field(default_factory=list)
    free: list[FreeStretch] = field(default_factory=list)


class _UnitHolds:
    """One unit's holds, sorted and (by the no-overlap guarantee) disjoint, for fast tests."""

    def __init__(self, spans: list[tuple[datetime, datetime]]):
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        i = bisect_left(self.starts, end)  # holds[:i] start before ``end``
        return i > 0 and self.ends[i - 1] > start


def _grid_start(moment: datetime, slot: int, tz) -> datetime:
    """The first slot boundary at or after ``moment`` (slots count from local midnight)."""
    local = moment.astimezone(tz)
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    minutes = (local - midnight).total_seconds() / 60
    steps = -(-minutes // slot)  # ceiling
    return midnight + timedelta(minutes=steps * slot)


def _free_stretches(
    space: Space,
    stretches: list[Interval],
    holds: dict[int, _UnitHolds],
    earliest: datetime,
    latest_day: date,
    first_day: date,
    last_day: date,
) -> dict[date, list[FreeStretch]]:
    tz = space.center.tz
    slot = timedelta(minutes=space.slot_minutes)
    before = timedelta(minutes=space.buffer_before_minutes)
    after = timedelta(minutes=space.buffer_after_minutes)
    empty = _UnitHolds([])
    # (slot start, frozenset of free units), runs of consecutive slots with any free unit.
    runs: list[list[tuple[datetime, frozenset[int]]]] = []
    for stretch in stretches:
        t = _grid_start(max(stretch.start, earliest), space.slot_minutes, tz)
        run: list[tuple[datetime, frozenset[int]]] = []
        while t + slot <= stretch.end:
            day = t.astimezone(tz).date()
            if day > latest_day or day > last_day:
                break
            if day >= first_day:
                free = frozenset(
                    unit
                    for unit in range(1, space.units + 1)
                    if not holds.get(unit, empty).overlaps(t - before, t + slot + after)
                )
            else:
                free = frozenset()
            if free:
                run.append((t, free))
            elif run:
                runs.append(run)
                run = []
            t += slot
        if run:
            runs.append(run)

    by_day: dict[date, list[FreeStretch]] = defaultdict(list)
    minimum = timedelta(minutes=space.min_minutes)
    for run in runs:
        if len(run) * slot < minimum:
            continue  # too short for any booking: not worth showing as free
        current_start, current_units = run[0]
        current_day = current_start.astimezone(tz).date()
        previous = current_start
        for t, units in run[1:]:
            day = t.astimezone(tz).date()
            if units != current_units or day != current_day or t != previous + slot:
                by_day[current_day].append(
                    FreeStretch(current_start, previous + slot, len(current_units))
                )
                current_start, current_units, current_day = t, units, day
            previous = t
        by_day[current_day].append(FreeStretch(current_start, previous + slot, len(current_units)))
    return by_day


def availability(
    spaces: Sequence[Space], start: date, days: int, now: datetime | None = None
) -> dict[int, list[DayAvailability]]:
    """Open hours and free stretches of each space for ``days`` days from ``start``.

    Three queries for any number of spaces (hours: two; holds of bookings, blackouts and
    sessions: one). ``space.center`` must be loaded. Free stretches lie on the slot grid, leave
    out the past, the notice period and days beyond the booking horizon, keep buffers around
    holds, and say how many units are free for the whole stretch.
    """
    if not spaces:
        return {}
    now = now or timezone.now()
    end = start + timedelta(days=days - 1)
    hours = space_hours(spaces, start - timedelta(days=1), end)

    margin = timedelta(days=2) + timedelta(
        minutes=max(s.buffer_before_minutes + s.buffer_after_minutes for s in spaces)
    )
    tz0 = spaces[0].center.tz
    window_start = datetime.combine(start, time(0), tzinfo=tz0) - margin
    window_end = datetime.combine(end, time(0), tzinfo=tz0) + margin
    spans: dict[tuple[int, int], list[tuple[datetime, datetime]]] = defaultdict(list)
    for space_id, unit, s, e in SpaceHold.objects.filter(
        space__in=[s.id for s in spaces], start__lt=window_end, end__gt=window_start
    ).values_list("space_id", "unit", "start", "end"):
        spans[(space_id, unit)].append((s, e))

    result: dict[int, list[DayAvailability]] = {}
    for space in spaces:
        tz = space.center.tz
        space_days = hours[space.id]
        out = [DayAvailability(d.date, list(d.intervals)) for d in space_days[1:]]
        if space.bookable and space.is_active:
            unit_holds = {
                unit: _UnitHolds(spans.get((space.id, unit), []))
                for unit in range(1, space.units + 1)
            }
            stretches = merge(i for d in space_days for i in d.intervals)
            earliest = max(now, now + timedelta(minutes=space.min_notice_minutes))
            latest_day = timezone.localdate(now, timezone=tz) + timedelta(days=space.max_days_ahead)
            free = _free_stretches(space, stretches, unit_holds, earliest, latest_day, start, end)
            for day in out:
                day.free = free.get(day.date, [])
        result[space.id] = out
    return result


def member_bookings(member: User) -> QuerySet[Booking]:
    return Booking.objects.filter(member=member).select_related("space__center")
