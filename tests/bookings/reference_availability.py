"""Availability as it was computed until the interval arithmetic of ``bookings.freetime``:
each slot of each unit tested against the unit's holds. Kept verbatim (but for the names) as the
reference that the property test in ``test_freetime.py`` compares the new algorithm with.
``space`` is anything with the Space fields used below and ``space.center.tz``."""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from centers.hours import Interval


@dataclass(frozen=True)
class FreeStretch:
    start: datetime
    end: datetime
    units_free: int


class UnitHolds:
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


def free_stretches(
    space,
    stretches: list[Interval],
    holds: dict[int, UnitHolds],
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
    empty = UnitHolds([])
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
