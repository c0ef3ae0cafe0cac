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
from centers.models import Center, Space
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
    """One unit's holds, sorted and (by the no-overlap guarantee) disjoint, for fast tests.

    Kept as POSIX timestamps: comparing aware datetimes of different zones (UTC from the
    database, the center's zone on the grid) calls ``utcoffset()`` on both sides every time,
    which made these tests most of the time of a busy center's availability."""

    def __init__(self, spans: list[tuple[datetime, datetime]]):
        spans.sort()
        self.starts = [s.timestamp() for s, _ in spans]
        self.ends = [e.timestamp() for _, e in spans]

    def overlaps(self, start: float, end: float) -> bool:
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
    length = space.slot_minutes * 60
    before, after = space.buffer_before_minutes * 60, space.buffer_after_minutes * 60
    shortest = -(-space.min_minutes // space.slot_minutes)  # slots in the shortest booking
    empty = _UnitHolds([])
    by_day: dict[date, list[FreeStretch]] = defaultdict(list)
    for stretch in stretches:
        # Each grid slot of the stretch with the units free for it (none before the first day).
        slots: list[tuple[datetime, set[int]]] = []
        t = _grid_start(max(stretch.start, earliest), space.slot_minutes, tz)
        while t + slot <= stretch.end:
            day = t.astimezone(tz).date()
            if day > latest_day or day > last_day:
                break
            free: set[int] = set()
            if day >= first_day:
                begins = t.timestamp()
                wanted = (begins - before, begins + length + after)
                free = {
                    unit
                    for unit in range(1, space.units + 1)
                    if not holds.get(unit, empty).overlaps(*wanted)
                }
            slots.append((t, free))
            t += slot

        # A unit free for fewer slots in a row than the shortest booking cannot be booked
        # there, even if other units take over (room 1 free 10:00–10:30, room 2 10:30–11:00).
        for unit in range(1, space.units + 1):
            i = 0
            while i < len(slots):
                j = i
                while j < len(slots) and unit in slots[j][1]:
                    j += 1
                if 0 < j - i < shortest:
                    for _t, free in slots[i:j]:
                        free.discard(unit)
                i = max(j, i + 1)

        # Consecutive slots of one day with the same free units make one stretch.
        current: list | None = None  # [start, end, units, day]
        for t, free in slots:
            day = t.astimezone(tz).date()
            if current is not None and free == current[2] and day == current[3]:
                current[1] = t + slot
                continue
            if current is not None:
                by_day[current[3]].append(FreeStretch(current[0], current[1], len(current[2])))
            current = [t, t + slot, free, day] if free else None
        if current is not None:
            by_day[current[3]].append(FreeStretch(current[0], current[1], len(current[2])))
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
        if space.bookable and space.is_active and space.center.is_active:
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


def center_availability(
    center: Center, start: date, days: int, now: datetime | None = None
) -> list[tuple[Space, list[DayAvailability]]]:
    """``availability`` of every active, bookable space of ``center``, in the spaces' usual
    order. Four queries however many spaces and bookings the center has."""
    spaces = list(Space.objects.filter(center=center, is_active=True, bookable=True))
    for space in spaces:
        space.center = center  # loaded already; spares a query per space
    days_by_space = availability(spaces, start, days, now)
    return [(space, days_by_space[space.id]) for space in spaces]


def member_bookings(member: User) -> QuerySet[Booking]:
    return Booking.objects.filter(member=member).select_related("space__center")
