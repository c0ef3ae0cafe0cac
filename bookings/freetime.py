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
On the days clocks change, slots start at the moments the local clock reads a grid time and last
their length in real time, as ``bookings.rules.check_times`` accepts bookings (see
``_grids_across_a_clock_change``).
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from math import inf
from zoneinfo import ZoneInfo

from centers.hours import Interval


@dataclass(frozen=True, slots=True)  # slots: made by the ten thousand, twice as fast
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

    @classmethod
    def ordered(cls, starts: list[float], ends: list[float]) -> "UnitHolds":
        """From starts and ends already in order."""
        holds = cls.__new__(cls)
        holds.starts, holds.ends = starts, ends
        return holds


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
    """A run of back-to-back slots: slot i starts at POSIX time ``ts[i]`` and the next one where
    it ends. Slots from ``first`` on lie on the days asked for; ``days`` lists (index of a day's
    first slot, that day) from ``first``. ``t0`` is slot 0 as a wall-clock datetime when the UTC
    offset is the same all along (slot i is then ``t0 + i * slot``); None on a clock change."""

    t0: datetime | None
    ts: list[float]
    first: int
    days: list[tuple[int, date]]
    slot: timedelta
    tz: ZoneInfo

    def __post_init__(self) -> None:
        self.day_at = dict(self.days)
        self._at: dict[int, datetime] = {}

    def at(self, i: int) -> datetime:
        """The start of slot ``i`` (or the end of slot ``i - 1``) in the center's zone."""
        moment = self._at.get(i)
        if moment is None:
            if self.t0 is not None:
                moment = self.t0 + self.slot * i
            else:
                moment = datetime.fromtimestamp(self.ts[0] + self.slot.total_seconds() * i, self.tz)
            self._at[i] = moment
        return moment


def _ceil_div(a: timedelta, b: timedelta) -> int:
    return -((-a) // b)


def _grids(
    stretch: Interval, earliest: datetime, slot: timedelta, tz: ZoneInfo, first: date, last: date
) -> list[_Grid]:
    begin = max(stretch.start, earliest)
    t0 = grid_start(begin, int(slot.total_seconds()) // 60, tz)
    wall0 = t0.replace(tzinfo=None)
    # Through UTC, so that a time the clock skips shows as the time it really is.
    end = stretch.end.astimezone(UTC).astimezone(tz)
    wall_end = end.replace(tzinfo=None)
    midnights = [
        datetime.combine(wall0.date() + timedelta(days=n), time(0))
        for n in range(1, (wall_end.date() - wall0.date()).days + 1)
    ]
    offset = t0.utcoffset()
    if not (
        t0.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall0
        and begin.astimezone(UTC).astimezone(tz).utcoffset() == offset
        and end.utcoffset() == offset
        and all(m.replace(tzinfo=tz).utcoffset() == offset for m in midnights)
    ):
        return _grids_across_a_clock_change(stretch, earliest, slot, tz, first, last)
    if wall0 + slot > wall_end:
        return []

    # One UTC offset all along (every zone but on the days clocks change): arithmetic.
    count = (wall_end - wall0) // slot
    beyond = datetime.combine(last + timedelta(days=1), time(0))
    count = max(0, min(count, _ceil_div(beyond - wall0, slot)))
    first_midnight = datetime.combine(first, time(0))
    start_index = min(count, max(0, _ceil_div(first_midnight - wall0, slot)))
    if start_index >= count:
        return []
    ts0, step = t0.timestamp(), slot.total_seconds()
    ts = [ts0 + i * step for i in range(count)]
    days = [(start_index, (wall0 + slot * start_index).date())]
    for m in midnights:
        i = _ceil_div(m - wall0, slot)
        if days[-1][0] < i < count:
            days.append((i, m.date()))
    return [_Grid(t0, ts, start_index, days, slot, tz)]


def _grids_across_a_clock_change(
    stretch: Interval, earliest: datetime, slot: timedelta, tz: ZoneInfo, first: date, last: date
) -> list[_Grid]:
    """The slots of a stretch in which the clocks change, by the rule bookings obey
    (``bookings.rules.check_times``): a slot starts at every moment whose local clock reads a
    grid time (counted from local midnight) and lasts the slot's length in real time. So a time
    the clock skips has no slot, a time it shows twice has two, and no slot is offered twice.
    Where a slot would run into the next one (a grid that does not divide the change, such as
    45-minute slots when the clock jumps an hour) it is left out; where slots leave a gap, the
    run breaks: a stretch is always slots back to back."""
    step = slot.total_seconds()
    lo = max(stretch.start.timestamp(), earliest.timestamp())
    hi = stretch.end.timestamp()
    starts: set[float] = set()
    day = max(first, datetime.fromtimestamp(lo, tz).date())
    end_day = min(last, datetime.fromtimestamp(hi, tz).date())
    while day <= end_day:
        wall = datetime.combine(day, time(0))
        while wall.date() == day:
            for fold in (0, 1):
                moment = wall.replace(tzinfo=tz, fold=fold)
                # A skipped time does not come back unchanged from UTC.
                if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
                    continue
                at = moment.timestamp()
                if lo <= at and at + step <= hi:
                    starts.add(at)
            wall += slot
        day += timedelta(days=1)
    ordered = sorted(starts)
    # A slot is kept when the next one starts at or after its end.
    kept = [at for at, after in pairwise([*ordered, inf]) if at + step <= after]
    grids, run = [], []
    for at in kept:
        if run and at != run[-1] + step:
            grids.append(_run_grid(run, slot, tz))
            run = []
        run.append(at)
    if run:
        grids.append(_run_grid(run, slot, tz))
    return grids


def _run_grid(ts: list[float], slot: timedelta, tz: ZoneInfo) -> _Grid:
    days: list[tuple[int, date]] = []
    for i, at in enumerate(ts):
        day = datetime.fromtimestamp(at, tz).date()
        if not days or days[-1][1] != day:
            days.append((i, day))
    return _Grid(None, ts, 0, days, slot, tz)


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
            grids[key] = _grids(stretch, earliest, slot, tz, first_day, last_day)
        for grid in grids[key]:
            _sweep(grid, space.units, holds, before, after, step, shortest, by_day)
    return by_day


def _sweep(
    grid: _Grid,
    units: int,
    holds: dict[int, UnitHolds],
    before: float,
    after: float,
    step: float,
    shortest: int,
    by_day: dict[date, list[FreeStretch]],
) -> None:
    # Each unit's runs change the count of free units where they begin and end. Runs of one
    # unit never touch (a blocked slot lies between), so the set of free units changes at
    # exactly those points: a stretch ends there, and at each day's first slot.
    change: dict[int, int] = {}
    for unit in range(1, units + 1):
        for i, j in _unit_runs(grid, holds.get(unit, NO_HOLDS), before, after, step, shortest):
            change[i] = change.get(i, 0) + 1
            change[j] = change.get(j, 0) - 1
    if not change:
        return
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
