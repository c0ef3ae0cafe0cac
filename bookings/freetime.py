"""Free time of one space as plain data: opening stretches and holds in, free stretches on the
slot grid out. No queries here; ``bookings.selectors`` loads the rows.

Interval arithmetic on arrays rather than a Python test of every slot: each hold blocks a range
of slot indices (found by bisection, all holds of a space at once), a running sum of the ranges'
ends marks each unit's free slots, and a stretch ends wherever one unit's free run begins or
ends. A space's fortnight is a few numpy calls whatever its holds and units; a Python loop per
hold and unit took three times as long for a busy center (bench/availability.py).

The answer is exactly that of testing every slot (``tests/bookings/reference_availability.py``
keeps that algorithm, and a property test compares the two): a slot starting at ``t`` is free
for a unit when no hold of the unit overlaps ``[t - buffer_before, t + slot + buffer_after)``;
a unit free for fewer slots in a row than the shortest booking is not offered there; slots
count from local midnight; a stretch is a run of slots of one day with the same free units.
On the days clocks change, slots start at the moments the local clock reads a grid time and last
their length in real time, as ``bookings.rules.check_times`` accepts bookings (see
``_grids_across_a_clock_change``).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from math import inf
from zoneinfo import ZoneInfo

import numpy as np

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


class SpaceHolds:
    """A space's holds as three arrays: the unit held, and its start and end as POSIX seconds
    (float64, exactly ``datetime.timestamp()``). In any order: each hold blocks a range of slots
    on its own. Timestamps, not datetimes: comparing aware datetimes of different zones calls
    ``utcoffset()`` on both sides every time."""

    __slots__ = ("ends", "starts", "units")

    def __init__(self, units: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        self.units, self.starts, self.ends = units, starts, ends

    @classmethod
    def of_units(cls, spans: dict[int, list[tuple[float, float]]]) -> "SpaceHolds":
        """From each unit's (start, end) pairs."""
        pairs = [(unit, s, e) for unit, unit_spans in spans.items() for s, e in unit_spans]
        return cls(
            np.array([u for u, _, _ in pairs], dtype=np.int64),
            np.array([s for _, s, _ in pairs], dtype=np.float64),
            np.array([e for _, _, e in pairs], dtype=np.float64),
        )

    def of_unit(self, unit: int) -> list[tuple[float, float]]:
        """One unit's holds as sorted (start, end) pairs."""
        mine = self.units == unit
        return sorted(zip(self.starts[mine].tolist(), self.ends[mine].tolist(), strict=True))


NO_HOLDS = SpaceHolds(
    np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64), np.empty(0, dtype=np.float64)
)


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


@dataclass(frozen=True)
class _Layout:
    """The slots of a space's opening stretches from the first day asked for, in a row: slot
    ``i`` starts at ``ts[i]`` and lasts ``step`` seconds. ``breaks`` marks each grid's first
    slot (a run of free slots never crosses into another grid: the grids are different opening
    stretches, or broken by a clock change); ``is_mark`` the slots where a stretch must start
    afresh (each grid's first slot and each day's); slot ``i`` lies on ``dates[day[i]]``."""

    ts: np.ndarray
    breaks: np.ndarray
    is_mark: np.ndarray
    day: np.ndarray
    dates: list[date]


def _layout(grids: list[_Grid]) -> _Layout:
    ts: list[float] = []
    starts: list[int] = []
    marks: list[int] = []
    dates: list[date] = []
    mark_day: list[int] = []  # index into ``dates`` of each mark's day
    for grid in grids:
        offset = len(ts) - grid.first
        starts.append(len(ts))
        ts.extend(grid.ts[grid.first :])
        for i, day in grid.days:
            marks.append(i + offset)
            if not dates or dates[-1] != day:  # grids and their days come in time order
                dates.append(day)
            mark_day.append(len(dates) - 1)
    breaks = np.zeros(len(ts), dtype=bool)
    breaks[starts] = True
    is_mark = np.zeros(len(ts), dtype=bool)
    is_mark[marks] = True
    day = np.array(mark_day, dtype=np.int64)[np.cumsum(is_mark) - 1] if ts else np.empty(0)
    return _Layout(np.array(ts, dtype=np.float64), breaks, is_mark, day, dates)


@dataclass(frozen=True)
class FreeRuns:
    """Free stretches as lists: stretch ``k`` runs from ``starts[k]`` to ``ends[k]`` (POSIX
    seconds) with ``units_free[k]`` units free, in time order; ``days`` gives each day that has
    any as (day, its first k, the k after its last)."""

    starts: list[float]
    ends: list[float]
    units_free: list[int]
    days: list[tuple[date, int, int]]


NO_RUNS = FreeRuns([], [], [], [])


def free_runs(
    space: SpaceGrid,
    stretches: list[Interval],
    holds: SpaceHolds,
    earliest: datetime,
    first_day: date,
    last_day: date,
    layouts: dict | None = None,
) -> FreeRuns:
    """Free stretches from ``first_day`` to ``last_day`` (which the caller has already cut at
    the booking horizon), none starting before ``earliest``. ``stretches`` are the merged
    opening intervals. ``layouts``: a dict to share slot grids and layouts between spaces with
    the same hours and slot length (a grid depends on the notice period only where it cuts
    into the stretch)."""
    tz, minutes = space.tz, space.slot_minutes
    slot = timedelta(minutes=minutes)
    layouts = {} if layouts is None else layouts
    grid_lists = []
    for stretch in stretches:
        begin = max(stretch.start, earliest)
        key = (stretch.start, stretch.end, begin, minutes, tz, first_day, last_day)
        grids = layouts.get(key)
        if grids is None:
            grids = layouts[key] = _grids(stretch, begin, slot, tz, first_day, last_day)
        grid_lists.append(grids)
    key = tuple(map(id, grid_lists))  # the lists live in ``layouts`` as long as the key
    layout = layouts.get(key)
    if layout is None:
        layout = layouts[key] = _layout([grid for grids in grid_lists for grid in grids])
    if not len(layout.ts) or space.units < 1:
        return NO_RUNS
    step = space.slot_minutes * 60.0
    before = space.buffer_before_minutes * 60.0
    after = space.buffer_after_minutes * 60.0
    shortest = -(-space.min_minutes // space.slot_minutes)
    free = _free_slots(layout, space.units, holds, before, after, step)
    if shortest > 1:
        free = _without_short_runs(free, layout.breaks, shortest)
    return _stretches(layout, free, step)


def _free_slots(
    layout: _Layout, units: int, holds: SpaceHolds, before: float, after: float, step: float
) -> np.ndarray:
    """Which unit is free in which slot (units x slots). Slot ``i`` is blocked for a hold when
    ``ts[i] - before < end`` and ``ts[i] + step + after > start``: as the slots are in time
    order, the slots a hold blocks are one range of indices, found by bisection."""
    ts, n = layout.ts, len(layout.ts)
    mine = (holds.units >= 1) & (holds.units <= units)  # units a space no longer has: ignored
    blocked_from = np.searchsorted(ts, holds.starts[mine] - step - after, side="right")
    blocked_to = np.searchsorted(ts, holds.ends[mine] + before, side="left")
    hit = blocked_from < blocked_to
    row = (holds.units[mine][hit] - 1) * (n + 1)
    size = units * (n + 1)
    # +1 where a blocked range begins, -1 where it ends: a running sum counts the holds on a slot.
    edges = np.bincount(row + blocked_from[hit], minlength=size) - np.bincount(
        row + blocked_to[hit], minlength=size
    )
    return np.cumsum(edges.reshape(units, n + 1), axis=1)[:, :n] == 0


def _without_short_runs(free: np.ndarray, breaks: np.ndarray, shortest: int) -> np.ndarray:
    """``free`` less the runs of a unit shorter than ``shortest`` slots (a run ends where the
    unit is held or its grid ends)."""
    units, n = free.shape
    continues = np.zeros_like(free)
    continues[:, :-1] = free[:, :-1] & free[:, 1:] & ~breaks[1:]
    begins = free.copy()
    begins[:, 1:] &= ~continues[:, :-1]
    firsts = np.flatnonzero(begins)
    lasts = np.flatnonzero(free & ~continues)
    short = (lasts + 1 - firsts) < shortest
    if not short.any():
        return free
    size = units * n + 1
    inside = np.cumsum(
        np.bincount(firsts[short], minlength=size) - np.bincount(lasts[short] + 1, minlength=size)
    )[:-1]
    return free & (inside.reshape(units, n) == 0)


def _stretches(layout: _Layout, free: np.ndarray, step: float) -> FreeRuns:
    """Runs of slots with the same free units: they change where a unit's free run begins or
    ends, and start afresh at each grid's and each day's first slot."""
    n = len(layout.ts)
    changes = layout.is_mark.copy()
    changes[1:] |= (free[:, 1:] != free[:, :-1]).any(axis=0)
    points = np.flatnonzero(changes)
    count = free.sum(axis=0)[points]
    ends = np.empty_like(points)
    ends[:-1] = points[1:]
    ends[-1] = n
    keep = count > 0
    firsts, ends = points[keep], ends[keep]
    if not len(firsts):
        return NO_RUNS
    day = layout.day[firsts]
    bounds = [0, *(np.flatnonzero(day[1:] != day[:-1]) + 1).tolist(), len(firsts)]
    dates = layout.dates
    return FreeRuns(
        layout.ts[firsts].tolist(),
        # A stretch ends where its last slot does: the next grid may start later.
        (layout.ts[ends - 1] + step).tolist(),
        count[keep].tolist(),
        [(dates[day[i]], i, j) for i, j in pairwise(bounds)],
    )


def stretches_by_day(runs: FreeRuns, tz: ZoneInfo) -> dict[date, list[FreeStretch]]:
    """``runs`` by day, as datetimes in ``tz``."""
    moments = {at: datetime.fromtimestamp(at, tz) for at in {*runs.starts, *runs.ends}}
    starts, ends, units = runs.starts, runs.ends, runs.units_free
    return {
        day: [FreeStretch(moments[starts[k]], moments[ends[k]], units[k]) for k in range(i, j)]
        for day, i, j in runs.days
    }


def free_stretches(
    space: SpaceGrid,
    stretches: list[Interval],
    holds: SpaceHolds,
    earliest: datetime,
    first_day: date,
    last_day: date,
    layouts: dict | None = None,
) -> dict[date, list[FreeStretch]]:
    """``free_runs`` by day, as datetimes in the space's zone."""
    runs = free_runs(space, stretches, holds, earliest, first_day, last_day, layouts)
    return stretches_by_day(runs, space.tz)
