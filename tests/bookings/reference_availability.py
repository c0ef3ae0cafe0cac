"""Availability as it was computed until the interval arithmetic of ``bookings.freetime``:
each slot of each unit tested against the unit's holds. Kept as the reference that the property
test in ``test_freetime.py`` compares the new algorithm with. ``space`` is anything with the
Space fields used below and ``space.center.tz``.

One change from the original: where the slots are. The original walked the grid by wall-clock
arithmetic (``t += slot`` on an aware datetime), which on the days clocks change offered times
that do not exist (02:15+01:00 in Berlin on the spring-forward night, the same real minutes as
03:15+02:00, so that hour twice) and skipped the hour a fall-back shows twice. Slots now follow
the rule bookings obey (``bookings.rules.check_times``): a slot starts at every moment whose
local clock reads a grid time and lasts its length in real time. This file finds those moments
the plainest way, minute by minute in real time; a slot that runs into the next one is left out,
and a run of slots (a stretch, the shortest booking) is slots back to back."""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

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


def _slot_starts(
    start: datetime, end: datetime, slot: timedelta, tz, first_day: date, last_day: date
) -> list[datetime]:
    """Every whole minute of real time from ``start`` on at which the local clock reads a grid
    time of a day from ``first_day`` to ``last_day``, with room for a slot before ``end``; then
    only those whose slot ends by the next one's start."""
    minutes = int(slot.total_seconds()) // 60
    t = start.astimezone(UTC)
    if t.second or t.microsecond:
        t = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
    found = []
    while t + slot <= end:
        local = t.astimezone(tz)
        if local.date() > last_day:
            break
        if local.date() >= first_day and (local.hour * 60 + local.minute) % minutes == 0:
            found.append(t)
        t += timedelta(minutes=1)
    return [t for k, t in enumerate(found) if k + 1 == len(found) or t + slot <= found[k + 1]]


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
        starts = _slot_starts(
            max(stretch.start, earliest),
            stretch.end,
            slot,
            tz,
            first_day,
            min(last_day, latest_day),
        )
        for t in starts:
            begins = t.timestamp()
            wanted = (begins - before, begins + length + after)
            free = {
                unit
                for unit in range(1, space.units + 1)
                if not holds.get(unit, empty).overlaps(*wanted)
            }
            slots.append((t, free))

        # A unit free for fewer slots in a row than the shortest booking cannot be booked
        # there, even if other units take over (room 1 free 10:00–10:30, room 2 10:30–11:00).
        for unit in range(1, space.units + 1):
            i = 0
            while i < len(slots):
                j = i
                while j < len(slots) and unit in slots[j][1]:
                    j += 1
                    if j < len(slots) and slots[j][0] != slots[j - 1][0] + slot:
                        break  # not back to back: the row ends
                if 0 < j - i < shortest:
                    for _t, free in slots[i:j]:
                        free.discard(unit)
                i = max(j, i + 1)

        # Consecutive slots of one day with the same free units make one stretch.
        current: list | None = None  # [start, end, units, day]
        for t, free in slots:
            day = t.astimezone(tz).date()
            if current is not None and (free, day, t) == (current[2], current[3], current[1]):
                current[1] = t + slot
                continue
            if current is not None:
                by_day[current[3]].append(FreeStretch(current[0], current[1], len(current[2])))
            current = [t, t + slot, free, day] if free else None
        if current is not None:
            by_day[current[3]].append(FreeStretch(current[0], current[1], len(current[2])))
    return by_day
