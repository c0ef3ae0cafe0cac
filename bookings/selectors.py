"""Reads about bookings: availability for one or many spaces, and members' booking lists."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.db import connections, router
from django.db.models import QuerySet
from django.utils import timezone

from bookings import rules
from bookings.freetime import (
    NO_HOLDS,
    FreeRuns,
    FreeStretch,
    FreeTimeQuery,
    SpaceGrid,
    SpaceHolds,
    free_runs_of,
    stretches_by_day,
)
from bookings.models import Booking, SpaceHold
from centers.hours import DayHours, Interval, merge
from centers.models import Center, Space
from centers.selectors import space_hours
from core import rows
from members.models import User


@dataclass
class DayAvailability:
    date: date
    open: list[Interval] = field(default_factory=list)
    free: list[FreeStretch] = field(default_factory=list)


def space_grid(space: Space) -> SpaceGrid:
    return SpaceGrid(
        tz=space.center.tz,
        units=space.units,
        slot_minutes=space.slot_minutes,
        min_minutes=space.min_minutes,
        buffer_before_minutes=space.buffer_before_minutes,
        buffer_after_minutes=space.buffer_after_minutes,
    )


def hold_window(spaces: Sequence[Space], start: date, end: date) -> tuple[datetime, datetime]:
    """The times between which holds can bear on ``start``..``end``: read by an index range
    scan (space, end) that leaves history out."""
    margin = timedelta(days=2) + timedelta(
        minutes=max(s.buffer_before_minutes + s.buffer_after_minutes for s in spaces)
    )
    tz0 = spaces[0].center.tz
    return (
        datetime.combine(start, time(0), tzinfo=tz0) - margin,
        datetime.combine(end, time(0), tzinfo=tz0) + margin,
    )


# Each space's holds as three packed arrays, built by the server: reading 10,000 holds as rows of
# datetimes took three times as long as the query, and even float arrays take a parse per number.
# Times go as PostgreSQL's binary timestamps (big-endian microseconds since 2000): no arithmetic
# on the server, and the covering index (space, end, start) INCLUDE (unit) answers it alone.
_PACKED_HOLDS = """
    SELECT space_id, string_agg(int2send(unit), ''), string_agg(timestamptz_send(start), ''),
        string_agg(timestamptz_send("end"), '')
    FROM bookings_spacehold
    WHERE space_id = ANY(%s) AND "end" > %s AND start < %s
    GROUP BY space_id
"""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_POSTGRES_EPOCH_US = 946_684_800 * 10**6  # 2000-01-01 in microseconds since 1970


def _micro(packed: bytes) -> np.ndarray:
    """Packed PostgreSQL timestamps as microseconds since 1970."""
    return np.frombuffer(packed, ">i8") + _POSTGRES_EPOCH_US


def unit_holds(spaces: Sequence[Space], start: date, end: date) -> dict[int, SpaceHolds]:
    """The holds of each space that can bear on ``start``..``end``, in one query."""
    window_start, window_end = hold_window(spaces, start, end)
    ids = [s.id for s in spaces]
    # Raw SQL is not routed: ask the router where the ORM would read (the replica, if any).
    connection = connections[router.db_for_read(SpaceHold)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PACKED_HOLDS, [ids, window_start, window_end])
            return {
                space_id: SpaceHolds(
                    np.frombuffer(units, ">i2").astype(np.int64), _micro(starts), _micro(ends)
                )
                for space_id, units, starts, ends in cursor.fetchall()
            }
    by_space: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for space_id, unit, s, e in SpaceHold.objects.filter(
        space__in=ids, end__gt=window_start, start__lt=window_end
    ).values_list("space_id", "unit", "start", "end"):
        by_space[space_id].append(
            (unit, (s - _EPOCH) // _MICROSECOND, (e - _EPOCH) // _MICROSECOND)
        )
    return {
        space_id: SpaceHolds(
            *(np.array(column, dtype=np.int64) for column in zip(*found, strict=True))
        )
        for space_id, found in by_space.items()
    }


def free_time(
    spaces: Sequence[Space],
    start: date,
    days: int,
    now: datetime,
    hours: dict[int, list[DayHours]],
) -> dict[int, FreeRuns]:
    """The free stretches of each bookable space for ``days`` days from ``start``, as runs
    (``bookings.freetime.FreeRuns``), in one query (the holds); ``hours`` from the day before
    ``start``. Spaces not bookable, or not bookable that far ahead, are left out. All spaces
    are computed together (``free_runs_of``)."""
    end = start + timedelta(days=days - 1)
    bookable = [space for space in spaces if rules.is_bookable(space)]
    holds = unit_holds(bookable, start, end) if bookable else {}
    asked, queries = [], []
    merged: dict[int, list] = {}  # by id of a space's hours: shared by spaces with the same
    for space in bookable:
        last = min(end, rules.last_day(space, now))
        if last >= start:
            asked.append(space.id)
            space_days = hours[space.id]
            stretches = merged.get(id(space_days))
            if stretches is None:
                stretches = merged[id(space_days)] = merge(
                    i for d in space_days[: days + 1] for i in d.intervals
                )
            queries.append(
                FreeTimeQuery(
                    space_grid(space),
                    stretches,
                    holds.get(space.id, NO_HOLDS),
                    rules.earliest_start(space, now),
                    start,
                    last,
                )
            )
    return dict(zip(asked, free_runs_of(queries), strict=True))


def availability(
    spaces: Sequence[Space],
    start: date,
    days: int,
    now: datetime | None = None,
    hours: dict[int, list[DayHours]] | None = None,
) -> dict[int, list[DayAvailability]]:
    """Open hours and free stretches of each space for ``days`` days from ``start``.

    Three queries for any number of spaces (hours: two, none if ``hours`` from the day before
    ``start`` are given; holds of bookings, blackouts and sessions: one). ``space.center`` must
    be loaded. Free stretches lie on the slot grid, leave out the past, the notice period and
    days beyond the booking horizon, keep buffers around holds, and say how many units are free
    for the whole stretch.
    """
    if not spaces:
        return {}
    now = now or timezone.now()
    if hours is None:
        hours = space_hours(
            spaces, start - timedelta(days=1), start + timedelta(days=days - 1), shared=True
        )
    runs = free_time(spaces, start, days, now, hours)
    result: dict[int, list[DayAvailability]] = {}
    for space in spaces:
        out = [DayAvailability(d.date, list(d.intervals)) for d in hours[space.id][1 : days + 1]]
        if space.id in runs:
            free = stretches_by_day(runs[space.id], space.center.tz)
            for day in out:
                day.free = free.get(day.date, [])
        result[space.id] = out
    return result


def center_bookable_spaces(center: Center) -> list[Space]:
    spaces = list(Space.objects.filter(center=center, is_active=True, bookable=True))
    for space in spaces:
        space.center = center  # loaded already; spares a query per space
    return spaces


def open_center_spaces(center_id: int) -> tuple[Center | None, list[Space]]:
    """An active center and its bookable spaces (None when there is no such center), in one
    query written once (``core.rows``): compiling the ORM's select of 57 columns took longer
    than the database's answer, on the path of every availability request."""
    center, spaces = rows.object_with_others(
        Center,
        Space,
        f"SELECT {rows.columns(Center)}, {rows.columns(Space)} "
        f"FROM {Center._meta.db_table} LEFT JOIN {Space._meta.db_table} "
        f"ON {Space._meta.db_table}.center_id = {Center._meta.db_table}.id "
        f"AND {Space._meta.db_table}.is_active AND {Space._meta.db_table}.bookable "
        f"WHERE {Center._meta.db_table}.id = %s AND {Center._meta.db_table}.is_active "
        # Space's ordering within a center
        f"ORDER BY {Space._meta.db_table}.floor, {Space._meta.db_table}.id",
        [center_id],
    )
    for space in spaces:
        space.center = center  # one object: the zone's offsets are worked out once
    return center, spaces


def member_bookings(member: User) -> QuerySet[Booking]:
    return Booking.objects.filter(member=member).select_related("space__center")


@dataclass(frozen=True)
class StartChoice:
    """A start time a member can book from, with every end the rules and free units allow."""

    start: datetime
    ends: list[datetime]


def booking_choices(space: Space, day: DayAvailability) -> list[StartChoice]:
    """The starts of one day's free stretches from which the shortest booking fits, each with
    its possible ends (the shortest to the longest booking, on the slot grid, inside the same
    stretch), in the center's zone."""
    tz = space.center.tz
    step = timedelta(minutes=space.slot_minutes)
    shortest = step * -(-space.min_minutes // space.slot_minutes)
    longest = timedelta(minutes=space.max_minutes)
    choices = []
    for stretch in day.free:
        # In real time (UTC), as a stretch is slots back to back: adding to a local aware time
        # adds wall-clock minutes, which on a day the clocks change gives times that do not
        # exist or lengths an hour off.
        start = stretch.start.astimezone(UTC)
        while start + shortest <= stretch.end:
            ends, length = [], shortest
            while length <= longest and start + length <= stretch.end:
                ends.append((start + length).astimezone(tz))
                length += step
            choices.append(StartChoice(start.astimezone(tz), ends))
            start += step
    return choices


def booking_horizon(space: Space, now: datetime | None = None) -> list[DayAvailability]:
    """``availability`` of one space from today to the last day it can be booked."""
    now = now or timezone.now()
    today = timezone.localdate(now, timezone=space.center.tz)
    return availability([space], today, space.max_days_ahead + 1, now)[space.id]
