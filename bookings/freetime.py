"""Free time of one space as plain data: opening stretches and holds in, free stretches on the
slot grid out. No queries here; ``bookings.selectors`` loads the rows.

Interval arithmetic per unit rather than a test of every slot: each hold blocks a range of slot
indices (found by bisection), a unit's free runs are the gaps between those ranges, and one
sweep over the runs' ends gives the stretches where the same units are free. The work grows with
the holds and the stretches, not with slots x units.

The answer is exactly that of testing every slot (``tests/bookings/reference_availability.py``
keeps that algorithm, and a property test compares the two): a slot starting at ``t`` is free
for a unit when no hold of the unit overlaps ``[t - buffer_before, t + slot + buffer_after)``;
a unit free for fewer slots in a row than the shortest booking is not offered there; slots
count from local midnight; a stretch is a run of slots of one day with the same free units.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from centers.hours import Interval


@dataclass(frozen=True)
class FreeStretch:
    start: datetime
    end: datetime
    units_free: int


@dataclass(frozen=True)
class SpaceGrid:
    """What the free time of a space depends on besides its hours and holds."""

    tz: ZoneInfo
    units: int
    slot_minutes: int
    min_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int


class UnitHolds:
    """One unit's holds as sorted POSIX timestamps. By the no-overlap guarantee (the exclusion
    constraint, the space lock) they are disjoint, so their ends are sorted too. Timestamps,
    not datetimes: comparing aware datetimes of different zones calls ``utcoffset()`` on both
    sides every time."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: list[tuple[float, float]]):
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]


NO_HOLDS = UnitHolds([])


def grid_start(moment: datetime, slot: int, tz: ZoneInfo) -> datetime:
    """The first slot boundary at or after ``moment`` (slots count from local midnight)."""
    local = moment.astimezone(tz)
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    minutes = (local - midnight).total_seconds() / 60
    steps = -(-minutes // slot)  # ceiling
    return midnight + timedelta(minutes=steps * slot)


@dataclass
class _Grid:
    """The slots of one opening stretch: slot i starts at ``t0 + i * slot`` (wall clock, as
    datetime arithmetic in one zone does) at POSIX time ``ts[i]``. Slots from ``first`` on lie on
    the days asked for; ``days`` lists (index of a day's first slot, that day) from ``first``."""

    t0: datetime
    ts: list[float]
    first: int
    days: list[tuple[int, date]]
    slot: timedelta

    def __post_init__(self) -> None:
        self.day_at = dict(self.days)
        self._at: dict[int, datetime] = {}

    def at(self, i: int) -> datetime:
        """The start of slot ``i`` (or the end of slot ``i - 1``) as the old grid walk made it."""
        moment = self._at.get(i)
        if moment is None:
            moment = self._at[i] = self.t0 + self.slot * i
        return moment


def _ceil_div(a: timedelta, b: timedelta) -> int:
    return -((-a) // b)


def _grid(
    stretch: Interval, earliest: datetime, slot: timedelta, tz: ZoneInfo, first: date, last: date
) -> _Grid | None:
    t0 = grid_start(max(stretch.start, earliest), int(slot.total_seconds()) // 60, tz)
    if t0 + slot > stretch.end:
        return None
    wall0 = t0.replace(tzinfo=None)
    wall_end = stretch.end.astimezone(tz).replace(tzinfo=None)
    midnights = [
        datetime.combine(wall0.date() + timedelta(days=n), time(0))
        for n in range(1, (wall_end.date() - wall0.date()).days + 1)
    ]
    offset = t0.utcoffset()
    if stretch.end.utcoffset() == offset and all(
        m.replace(tzinfo=tz).utcoffset() == offset for m in midnights
    ):
        # One UTC offset all along (every zone but on the days clocks change): arithmetic.
        count = (wall_end - wall0) // slot
        beyond = datetime.combine(last + timedelta(days=1), time(0))
        count = max(0, min(count, _ceil_div(beyond - wall0, slot)))
        begin = datetime.combine(first, time(0))
        start_index = min(count, max(0, _ceil_div(begin - wall0, slot)))
        if start_index >= count:
            return None
        ts0, step = t0.timestamp(), slot.total_seconds()
        ts = [ts0 + i * step for i in range(count)]
        days = [(start_index, (wall0 + slot * start_index).date())]
        for m in midnights:
            i = _ceil_div(m - wall0, slot)
            if days[-1][0] < i < count:
                days.append((i, m.date()))
        return _Grid(t0, ts, start_index, days, slot)

    # Clocks change inside the stretch: walk the grid slot by slot, as datetimes do.
    ts, days, start_index, t = [], [], None, t0
    while t + slot <= stretch.end:
        day = t.astimezone(tz).date()
        if day > last:
            break
        if day >= first:
            if start_index is None:
                start_index = len(ts)
            if not days or days[-1][1] != day:
                days.append((len(ts), day))
        ts.append(t.timestamp())
        t += slot
    if start_index is None:
        return None
    return _Grid(t0, ts, start_index, days, slot)


def _unit_runs(
    grid: _Grid, holds: UnitHolds, before: float, after: float, step: float, shortest: int
) -> list[tuple[int, int]]:
    """Runs [i, j) of slot indices where the unit is free, at least ``shortest`` long."""
    ts, lo, n = grid.ts, grid.first, len(grid.ts)
    runs = []
    free_from = lo
    # Holds ending at or before the first slot's buffered start block nothing.
    k = bisect_right(holds.ends, ts[lo] - before)
    reach = ts[n - 1] + step + after
    starts, ends = holds.starts, holds.ends
    while k < len(starts) and starts[k] < reach:
        # Slot i is blocked when ts[i] - before < end and ts[i] + step + after > start.
        blocked_from = bisect_right(ts, starts[k] - step - after, lo, n)
        blocked_to = bisect_left(ts, ends[k] + before, lo, n)
        if blocked_from < blocked_to:
            if blocked_from - free_from >= shortest:
                runs.append((free_from, blocked_from))
            free_from = max(free_from, blocked_to)
        k += 1
    if n - free_from >= shortest:
        runs.append((free_from, n))
    return runs


def free_stretches(
    space: SpaceGrid,
    stretches: list[Interval],
    holds: dict[int, UnitHolds],
    earliest: datetime,
    first_day: date,
    last_day: date,
    grids: dict | None = None,
) -> dict[date, list[FreeStretch]]:
    """Free stretches by day from ``first_day`` to ``last_day`` (which the caller has already
    cut at the booking horizon), none starting before ``earliest``. ``stretches`` are the
    merged opening intervals, ``holds`` each unit's holds (units without holds may be left
    out). ``grids``: a dict to share slot grids between spaces with the same hours."""
    tz = space.tz
    slot = timedelta(minutes=space.slot_minutes)
    step = space.slot_minutes * 60.0
    before, after = space.buffer_before_minutes * 60.0, space.buffer_after_minutes * 60.0
    shortest = -(-space.min_minutes // space.slot_minutes)
    grids = {} if grids is None else grids
    by_day: dict[date, list[FreeStretch]] = defaultdict(list)
    for stretch in stretches:
        key = (stretch.start, stretch.end, earliest, space.slot_minutes, first_day, last_day)
        if key not in grids:
            grids[key] = _grid(stretch, earliest, slot, tz, first_day, last_day)
        grid = grids[key]
        if grid is None:
            continue
        # Each unit's runs change the count of free units where they begin and end. Runs of one
        # unit never touch (a blocked slot lies between), so the set of free units changes at
        # exactly those points: a stretch ends there, and at each day's first slot.
        change: dict[int, int] = {}
        for unit in range(1, space.units + 1):
            for i, j in _unit_runs(grid, holds.get(unit, NO_HOLDS), before, after, step, shortest):
                change[i] = change.get(i, 0) + 1
                change[j] = change.get(j, 0) - 1
        if not change:
            continue
        n, day_at = len(grid.ts), grid.day_at
        free = 0
        open_at = -1
        day = grid.days[0][1]
        for i in sorted(change.keys() | day_at.keys()):
            if open_at >= 0:
                by_day[day].append(FreeStretch(grid.at(open_at), grid.at(i), free))
                open_at = -1
            free += change.get(i, 0)
            day = day_at.get(i, day)
            if free and i < n:
                open_at = i
    return by_day
