"""Availability as the API shows it, with each (space, day) cached in the Django cache.

A day's free stretches are cached only when nothing but the day's own hours, the space's grid
and the holds that bear on the day decides them: the day lies after the notice period and within
the booking horizon, and no opening stretch crosses its midnights (a 24-hour room's day depends
on its neighbours; such days, and today, are computed every time). The key holds what else
decides them: the space's grid, the day's opening intervals, and the day's version — the sum of
the ``AvailabilityChange`` rows that every change of holds writes in its own transaction
(``bookings.services.holds``). The versions are read before the holds, so an answer computed
from holds older than a version is never stored under it.
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from bookings import rules
from bookings.models import AvailabilityChange
from bookings.selectors import DayAvailability, availability
from centers.hours import DayHours, Interval, merge
from centers.models import Space
from centers.selectors import space_hours

# Versions make entries exact; expiry only keeps the cache from filling with days gone by.
CACHE_SECONDS = 24 * 3600
KEY_PREFIX = "avail1"


def versions(spaces: Sequence[Space], first: date, last: date) -> dict[tuple[int, date], int]:
    rows = (
        AvailabilityChange.objects.filter(
            space__in=[s.id for s in spaces], day__gte=first, day__lte=last
        )
        .order_by()
        .values_list("space_id", "day")
        .annotate(version=Sum("weight"))
    )
    return {(space_id, day): version for space_id, day, version in rows}


class _Render:
    """Times as the API writes them. Free stretches of spaces on one grid share their datetime
    objects, so each time is formatted once per request."""

    def __init__(self) -> None:
        self.texts: dict[datetime, str] = {}

    def text(self, moment: datetime, tz: tzinfo) -> str:
        text = self.texts.get(moment)
        if text is None:
            text = self.texts[moment] = moment.astimezone(tz).isoformat()
        return text

    def free(self, day: DayAvailability, tz: tzinfo) -> list[dict[str, Any]]:
        text = self.text
        return [
            {"start": text(f.start, tz), "end": text(f.end, tz), "units_free": f.units_free}
            for f in day.free
        ]

    def day(
        self, day: date, opening: list[Interval], free: list[dict], tz: tzinfo
    ) -> dict[str, Any]:
        return {
            "date": day.isoformat(),
            "open": [
                {"start": self.text(i.start, tz), "end": self.text(i.end, tz)} for i in opening
            ],
            "free": free,
        }


def _self_contained(day: date, stretches: list[Interval], tz: tzinfo) -> bool:
    """No opening stretch runs over the day's start or end."""
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return all(
        midnight <= s.start and s.end <= next_midnight
        for s in stretches
        if s.start < next_midnight and s.end > midnight
    )


def _key(space: Space, hours: DayHours, version: int) -> str:
    grid = (
        f"{space.units}.{space.slot_minutes}.{space.min_minutes}."
        f"{space.buffer_before_minutes}.{space.buffer_after_minutes}.{space.center.time_zone}"
    )
    opening = ",".join(f"{i.start:%H%M}{i.end:%d%H%M}" for i in hours.intervals)
    return f"{KEY_PREFIX}:{space.id}:{hours.date.isoformat()}:{version}:{grid}:{opening}"


def availability_data(
    spaces: Sequence[Space], start: date, days: int, now: datetime | None = None
) -> dict[int, list[dict[str, Any]]]:
    """``bookings.selectors.availability`` rendered for the API: each space's days as plain data
    (times in the center's zone). Warm: four queries (versions, hours) and one cache read."""
    if not spaces:
        return {}
    now = now or timezone.now()
    end = start + timedelta(days=days - 1)
    known = versions(spaces, start, end)  # before the holds: see the module's doc
    hours = space_hours(spaces, start - timedelta(days=1), end)

    keys: dict[tuple[int, date], str] = {}
    must_compute: dict[int, list[date]] = {}  # days that cannot be cached, by space
    self_contained: set[tuple[int, date]] = set()
    for space in spaces:
        if not rules.is_bookable(space):
            continue
        tz = space.center.tz
        stretches = merge(i for d in hours[space.id] for i in d.intervals)
        latest_day = rules.last_day(space, now)
        first_whole = rules.earliest_start(space, now)
        for day_hours in hours[space.id][1:]:
            day = day_hours.date
            if day > latest_day:
                continue  # nothing free, nothing to compute
            contained = _self_contained(day, stretches, tz)
            if contained:
                self_contained.add((space.id, day))
            if contained and first_whole <= datetime.combine(day, time(0), tzinfo=tz):
                keys[(space.id, day)] = _key(space, day_hours, known.get((space.id, day), 0))
            else:
                must_compute.setdefault(space.id, []).append(day)
    cached = cache.get_many(keys.values()) if keys else {}
    for (space_id, day), key in keys.items():
        if key not in cached:
            must_compute.setdefault(space_id, []).append(day)

    # Each space is computed from the first day asked for (runs of free slots are cut there, as
    # they always were) to its last day not in the cache, or to the end when that day's hours
    # run over its midnight into the next. Spaces with the same span share the queries.
    spans: dict[date, list[Space]] = {}
    for space in spaces:
        if space.id in must_compute:
            last = max(must_compute[space.id])
            if (space.id, last) not in self_contained:
                last = end
            spans.setdefault(last, []).append(space)
    computed: dict[int, list[DayAvailability]] = {}
    for last, group in spans.items():
        computed.update(availability(group, start, (last - start).days + 1, now, hours))
    fresh: dict[str, list] = {}
    render = _Render()
    result: dict[int, list[dict[str, Any]]] = {}
    for space in spaces:
        tz = space.center.tz
        out = []
        for i, day_hours in enumerate(hours[space.id][1:]):
            key = keys.get((space.id, day_hours.date))
            if space.id in computed and i < len(computed[space.id]):
                free = render.free(computed[space.id][i], tz)
                if key is not None and key not in cached:
                    fresh[key] = free
            elif key is not None:
                free = cached[key]
            else:
                free = []  # not bookable, or beyond the horizon
            out.append(render.day(day_hours.date, day_hours.intervals, free, tz))
        result[space.id] = out
    if fresh:
        cache.set_many(fresh, CACHE_SECONDS)
    return result
