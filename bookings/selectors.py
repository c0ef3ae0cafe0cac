"""Reads about bookings: availability for one or many spaces, and members' booking lists."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import FloatField, Func, QuerySet
from django.utils import timezone

from bookings import rules
from bookings.freetime import FreeStretch, SpaceGrid, UnitHolds, free_stretches
from bookings.models import Booking, SpaceHold
from centers.hours import DayHours, Interval, merge
from centers.models import Center, Space
from centers.selectors import space_hours
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


class _Epoch(Func):
    """A timestamp as float seconds since 1970 (PostgreSQL), exactly ``datetime.timestamp()``:
    both divide the microseconds since 1970 by a million, correctly rounded. ``date_part``
    rather than ``EXTRACT``, which goes through ``numeric``: a third of the hold query."""

    template = "date_part('epoch', %(expressions)s)"
    output_field = FloatField()


def hold_window(spaces: Sequence[Space], start: date, end: date) -> QuerySet[SpaceHold]:
    """The holds that can bear on ``start``..``end``: an index range scan (space, end) that
    leaves history out."""
    margin = timedelta(days=2) + timedelta(
        minutes=max(s.buffer_before_minutes + s.buffer_after_minutes for s in spaces)
    )
    tz0 = spaces[0].center.tz
    window_start = datetime.combine(start, time(0), tzinfo=tz0) - margin
    window_end = datetime.combine(end, time(0), tzinfo=tz0) + margin
    return SpaceHold.objects.filter(
        space__in=[s.id for s in spaces], end__gt=window_start, start__lt=window_end
    )


def unit_holds(spaces: Sequence[Space], start: date, end: date) -> dict[int, dict[int, UnitHolds]]:
    """Holds by space and unit that can bear on ``start``..``end``, in one query."""
    found: dict[int, dict[int, UnitHolds]] = defaultdict(dict)
    holds = hold_window(spaces, start, end)
    if connection.vendor == "postgresql":
        # Each unit's holds in order as two arrays of seconds since the epoch, from the server:
        # reading 10,000 timestamps as datetimes, or even as rows, took longer than the query.
        order = ("start", "end")
        rows = (
            holds.order_by()
            .values_list("space_id", "unit")
            .annotate(
                starts=ArrayAgg(_Epoch("start"), order_by=order),
                ends=ArrayAgg(_Epoch("end"), order_by=order),
            )
        )
        for space_id, unit, starts, ends in rows:
            found[space_id][unit] = UnitHolds.ordered(starts, ends)
        return found
    spans: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for space_id, unit, s, e in holds.values_list("space_id", "unit", "start", "end"):
        spans[(space_id, unit)].append((s.timestamp(), e.timestamp()))
    for (space_id, unit), unit_spans in spans.items():
        found[space_id][unit] = UnitHolds(unit_spans)
    return found


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
    end = start + timedelta(days=days - 1)
    if hours is None:
        hours = space_hours(spaces, start - timedelta(days=1), end)
    bookable = [space for space in spaces if rules.is_bookable(space)]
    holds = unit_holds(bookable, start, end) if bookable else {}

    result: dict[int, list[DayAvailability]] = {}
    grids: dict = {}  # spaces with the same hours and grid share their slots
    for space in spaces:
        space_days = hours[space.id][: days + 1]  # ``hours`` may reach further
        out = [DayAvailability(d.date, list(d.intervals)) for d in space_days[1:]]
        if rules.is_bookable(space):
            last = min(end, rules.last_day(space, now))
            if last >= start:
                stretches = merge(i for d in space_days for i in d.intervals)
                free = free_stretches(
                    space_grid(space),
                    stretches,
                    holds.get(space.id, {}),
                    rules.earliest_start(space, now),
                    start,
                    last,
                    grids,
                )
                for day in out:
                    day.free = free.get(day.date, [])
        result[space.id] = out
    return result


def center_bookable_spaces(center: Center) -> list[Space]:
    spaces = list(Space.objects.filter(center=center, is_active=True, bookable=True))
    for space in spaces:
        space.center = center  # loaded already; spares a query per space
    return spaces


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
