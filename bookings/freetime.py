"""Free time of one space as plain data: opening stretches and holds in, free stretches on the
slot grid out. No queries here; ``bookings.selectors`` loads the rows.

Interval arithmetic on arrays rather than a Python test of every slot: each hold blocks a range
of slot indices (found by bisection, all holds of all spaces asked at once), a running sum of the
ranges' ends marks each unit's free slots, and a stretch ends wherever one unit's free run begins
or ends. A center's fortnight is a fixed number of numpy calls whatever its spaces, holds and
units; a Python loop per hold and unit took three times as long for a busy center
(bench/availability.py).

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
    """A space's holds as three int64 arrays: the unit held, and its start and end in
    microseconds since 1970 (exact, as the database stores them). In any order: each hold
    blocks a range of slots on its own."""

    __slots__ = ("ends", "starts", "units")

    def __init__(self, units: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        self.units, self.starts, self.ends = units, starts, ends

    @classmethod
    def of_units(cls, spans: dict[int, list[tuple[float, float]]]) -> "SpaceHolds":
        """From each unit's (start, end) pairs in POSIX seconds (``datetime.timestamp()``:
        rounding recovers its microseconds exactly)."""
        pairs = [(unit, s, e) for unit, unit_spans in spans.items() for s, e in unit_spans]
        return cls(
            np.array([u for u, _, _ in pairs], dtype=np.int64),
            np.array([round(s * 1e6) for _, s, _ in pairs], dtype=np.int64),
            np.array([round(e * 1e6) for _, _, e in pairs], dtype=np.int64),
        )

    def of_unit(self, unit: int) -> list[tuple[float, float]]:
        """One unit's holds as sorted (start, end) pairs in POSIX seconds."""
        mine = self.units == unit
        starts, ends = (self.starts[mine] / 1e6).tolist(), (self.ends[mine] / 1e6).tolist()
        return sorted(zip(starts, ends, strict=True))


NO_HOLDS = SpaceHolds(*(np.empty(0, dtype=np.int64) for _ in range(3)))


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
    ``i`` starts at ``ts[i]`` (microseconds since 1970) and lasts the slot's length.
    ``breaks`` marks each grid's first slot (a run of free slots never crosses into another
    grid: the grids are different opening stretches, or broken by a clock change);
    ``is_mark`` the slots where a stretch must start afresh (each grid's first slot and each
    day's); slot ``i`` lies on ``dates[day[i]]``."""

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
    # Slot starts are whole seconds (minutes from a midnight): exact in microseconds.
    micro = np.rint(np.array(ts, dtype=np.float64) * 1e6).astype(np.int64)
    return _Layout(micro, breaks, is_mark, day, dates)


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


@dataclass(frozen=True)
class FreeTimeQuery:
    """What one space's free stretches are asked for: from ``first_day`` to ``last_day``
    (already cut at the booking horizon), none starting before ``earliest``; ``stretches``
    are its merged opening intervals."""

    space: SpaceGrid
    stretches: list[Interval]
    holds: SpaceHolds
    earliest: datetime
    first_day: date
    last_day: date


def free_runs(query: FreeTimeQuery, layouts: dict | None = None) -> FreeRuns:
    """The free stretches of one space."""
    return free_runs_of([query], layouts)[0]


def _layout_of(query: FreeTimeQuery, layouts: dict) -> _Layout:
    """The slots of the query's stretches, shared between spaces with the same hours and slot
    length (a grid depends on the notice period only where it cuts into the stretch). Spaces
    given the same ``stretches`` list (``bookings.selectors.free_time``) are looked up by it
    first: hashing a fortnight of aware datetimes per space cost more than the arrays."""
    space = query.space
    tz, minutes = space.tz, space.slot_minutes
    # ``layouts`` keeps the list alive with the key, so its id is not reused meanwhile.
    same = (id(query.stretches), query.earliest, minutes, tz, query.first_day, query.last_day)
    layout = layouts.get(same)
    if layout is not None:
        return layout
    slot = timedelta(minutes=minutes)
    grid_lists = []
    for stretch in query.stretches:
        begin = max(stretch.start, query.earliest)
        key = (stretch.start, stretch.end, begin, minutes, tz, query.first_day, query.last_day)
        grids = layouts.get(key)
        if grids is None:
            grids = layouts[key] = _grids(stretch, begin, slot, tz, query.first_day, query.last_day)
        grid_lists.append(grids)
    key = tuple(map(id, grid_lists))  # the lists live in ``layouts`` as long as the key
    layout = layouts.get(key)
    if layout is None:
        layout = layouts[key] = _layout([grid for grids in grid_lists for grid in grids])
    layouts[same] = layout
    layouts[("alive", id(query.stretches))] = query.stretches
    return layout


# The slots of all spaces in one sorted row: space k's lie in the band [k * _APART, (k + 1) *
# _APART) microseconds (35 years, beyond any window), so that one bisection serves them all.
_APART = 2**50
_AT_ONCE = 4096  # spaces in one row: the bands must fit in 64 bits


def free_runs_of(queries: list[FreeTimeQuery], layouts: dict | None = None) -> list[FreeRuns]:
    """The free stretches of many spaces, computed together: a fixed number of array
    operations for all of them (a center's 30 rooms cost about what one did). ``layouts``: a
    dict to share slot grids and layouts between spaces and calls."""
    layouts = {} if layouts is None else layouts
    if len(queries) > _AT_ONCE:
        return [
            runs
            for i in range(0, len(queries), _AT_ONCE)
            for runs in free_runs_of(queries[i : i + _AT_ONCE], layouts)
        ]
    found = [NO_RUNS] * len(queries)
    asked = []
    for n, query in enumerate(queries):
        layout = _layout_of(query, layouts)
        if len(layout.ts) and query.space.units >= 1:
            asked.append((n, query, layout))
    if asked:
        batch = _Batch([query for _, query, _ in asked], [layout for _, _, layout in asked])
        free, slot_of = _free_cells(batch)
        for (n, _, _), runs in zip(asked, _runs(batch, free, slot_of), strict=True):
            found[n] = runs
    return found


class _Batch:
    """The spaces of one ``free_runs_of`` as arrays. Each space's units are rows of cells, one
    cell per slot plus one closing the row; all rows one after the other."""

    def __init__(self, queries: list[FreeTimeQuery], layouts: list[_Layout]):
        spaces = [query.space for query in queries]
        self.queries, self.layouts, self.count = queries, layouts, len(queries)
        self.slots = np.array([len(layout.ts) for layout in layouts])
        self.units = np.array([space.units for space in spaces])
        self.step = np.array([space.slot_minutes * 60_000_000 for space in spaces])
        self.before = np.array([space.buffer_before_minutes * 60_000_000 for space in spaces])
        self.after = np.array([space.buffer_after_minutes * 60_000_000 for space in spaces])
        self.shortest = np.array([-(-space.min_minutes // space.slot_minutes) for space in spaces])
        self.first_slot = np.concatenate(([0], np.cumsum(self.slots)))  # in the row of all
        self.total = int(self.first_slot[-1])
        self.width = self.slots + 1
        self.first_cell = np.concatenate(([0], np.cumsum(self.units * self.width)))
        self.cells = int(self.first_cell[-1])
        self.ts = np.concatenate([layout.ts for layout in layouts])
        self.slot_space = np.repeat(np.arange(self.count, dtype=np.int64), self.slots)


def _free_cells(batch: _Batch) -> tuple[np.ndarray, np.ndarray]:
    """Which cell is free, and which slot of the row of all each cell is (``total`` for the
    cells closing a unit's row).

    Slot ``k`` of a space is blocked for a hold when ``ts[k] - before < end`` and
    ``ts[k] + step + after > start``: as its slots are in time order, the slots a hold blocks
    are one range, found by bisection in the row of all spaces' slots (each space in its band,
    each hold's bounds kept inside its space's band); +1 where a blocked range begins and -1
    where it ends make a running sum that counts the holds on each cell."""
    base = int(batch.ts.min()) - _APART // 2
    row = batch.ts - base + batch.slot_space * _APART
    held = [query.holds for query in batch.queries]
    which = np.repeat(np.arange(batch.count, dtype=np.int64), [len(h.units) for h in held])
    unit = np.concatenate([h.units for h in held])
    mine = (unit >= 1) & (unit <= batch.units[which])  # units a space no longer has: ignored
    which, unit = which[mine], unit[mine]
    starts = np.concatenate([h.starts for h in held])[mine] - batch.step[which]
    starts -= batch.after[which]
    ends = np.concatenate([h.ends for h in held])[mine] + batch.before[which]
    band = which * _APART
    blocked_from = np.searchsorted(row, np.clip(starts - base, 1, _APART - 1) + band, "right")
    blocked_to = np.searchsorted(row, np.clip(ends - base, 1, _APART - 1) + band, "left")
    hit = blocked_from < blocked_to
    which, unit = which[hit], unit[hit]
    cell0 = batch.first_cell[which] + (unit - 1) * batch.width[which] - batch.first_slot[which]
    size = batch.cells + 1
    edges = np.bincount(cell0 + blocked_from[hit], minlength=size) - np.bincount(
        cell0 + blocked_to[hit], minlength=size
    )

    row_width = np.repeat(batch.width, batch.units)
    row_first_cell = np.cumsum(row_width) - row_width
    in_row = np.arange(batch.cells) - np.repeat(row_first_cell, row_width)
    slot_of = np.repeat(np.repeat(batch.first_slot[:-1], batch.units), row_width) + in_row
    slot_of[row_first_cell + row_width - 1] = batch.total
    free = (np.cumsum(edges)[: batch.cells] == 0) & (slot_of < batch.total)
    if (batch.shortest > 1).any():
        breaks = np.append(np.concatenate([layout.breaks for layout in batch.layouts]), True)
        shortest = np.repeat(np.repeat(batch.shortest, batch.units), row_width)
        free = _without_short_runs(free, breaks[slot_of], shortest)
    return free, slot_of


def _runs(batch: _Batch, free: np.ndarray, slot_of: np.ndarray) -> list[FreeRuns]:
    """Each space's stretches: a stretch starts afresh at each grid's and each day's first
    slot, and where any unit's free run begins or ends; it needs a free unit."""
    total = batch.total
    marks = np.concatenate([layout.is_mark for layout in batch.layouts])
    changed = slot_of[np.flatnonzero(free[1:] != free[:-1]) + 1]
    marks[changed[changed < total]] = True
    points = np.flatnonzero(marks)
    free_units = np.bincount(slot_of[free], minlength=total + 1)[points]
    stops = np.append(points[1:], total)
    keep = free_units > 0
    firsts, last = points[keep], stops[keep] - 1
    start_at = (batch.ts[firsts] / 1e6).tolist()
    # A stretch ends where its last slot does: the next grid may start later.
    end_at = ((batch.ts[last] + batch.step[batch.slot_space[last]]) / 1e6).tolist()
    units = free_units[keep].tolist()

    # Days: each space's dates follow the previous space's, so a change of either is a bound.
    offsets = np.cumsum([0] + [len(layout.dates) for layout in batch.layouts])
    day = np.concatenate([layout.day + offsets[k] for k, layout in enumerate(batch.layouts)])
    dates = [d for layout in batch.layouts for d in layout.dates]
    stretch_day = day[firsts]
    bounds = [0, *(np.flatnonzero(stretch_day[1:] != stretch_day[:-1]) + 1).tolist()]
    bounds.append(len(firsts))
    by_space = np.searchsorted(firsts, batch.first_slot).tolist()
    stretch_day, of_stretch = stretch_day.tolist(), batch.slot_space[firsts].tolist()
    days: list[list[tuple[date, int, int]]] = [[] for _ in range(batch.count)]
    for i, j in pairwise(bounds):
        if i < j:
            k = of_stretch[i]
            days[k].append((dates[stretch_day[i]], i - by_space[k], j - by_space[k]))
    return [
        FreeRuns(start_at[i:j], end_at[i:j], units[i:j], days[k]) if i < j else NO_RUNS
        for k, (i, j) in enumerate(pairwise(by_space))
    ]


def _without_short_runs(free: np.ndarray, breaks: np.ndarray, shortest: np.ndarray) -> np.ndarray:
    """``free`` less the runs of a unit shorter than its space's ``shortest`` slots (a run
    ends where the unit is held, its grid ends, or its row)."""
    continues = np.zeros_like(free)
    continues[:-1] = free[:-1] & free[1:] & ~breaks[1:]
    begins = free.copy()
    begins[1:] &= ~continues[:-1]
    firsts = np.flatnonzero(begins)
    lasts = np.flatnonzero(free & ~continues)
    short = (lasts + 1 - firsts) < shortest[firsts]
    if not short.any():
        return free
    size = len(free) + 1
    inside = np.cumsum(
        np.bincount(firsts[short], minlength=size) - np.bincount(lasts[short] + 1, minlength=size)
    )[:-1]
    return free & (inside == 0)


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
    query = FreeTimeQuery(space, stretches, holds, earliest, first_day, last_day)
    return stretches_by_day(free_runs(query, layouts), space.tz)
