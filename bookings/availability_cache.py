"""Availability as the API shows it, as JSON text, with each (space, day) cached in the Django
cache as the text of that day.

A day's free stretches are cached only when nothing but the day's own hours, the space's grid,
the holds that bear on the day and the first slot a member may still book decide them: the day
lies within the booking horizon and no opening stretch crosses its midnights (a 24-hour room's
day depends on its neighbours; such days are computed every time). The key holds what decides
them: the space's grid, the day's opening intervals, the day's version — the sum of the
``AvailabilityChange`` rows that every change of holds writes in its own transaction
(``bookings.services.holds``) — and, on a day the notice period reaches into (today), the first
slot start it leaves (so today's entry lasts one slot). The versions are read before the holds,
so an answer computed from holds older than a version is never stored under it.

The entries and the answer are the text DRF's JSON renderer would write for the same data
(``core.renderers``): a warm answer joins cached texts and formats no time.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connections, router
from django.utils import timezone

from bookings import rules
from bookings.freetime import FreeRuns, grid_start
from bookings.models import AvailabilityChange
from bookings.selectors import free_time
from centers.hours import DayHours, Interval, merge
from centers.models import Space
from centers.selectors import space_hours
from core import rows

# Versions make entries exact; expiry only keeps the cache from filling with days gone by.
CACHE_SECONDS = 24 * 3600
KEY_PREFIX = "avail3"  # avail1 held the day's data, not its text; avail2 the date elsewhere


def versions(spaces: Sequence[Space], first: date, last: date) -> dict[tuple[int, date], int]:
    """The version of each (space, day) that has one. Raw SQL (routed as the ORM reads): the
    ORM's compiling of this one-line sum took longer than the database's answer."""
    connection = connections[router.db_for_read(AvailabilityChange)]
    ids = [s.id for s in spaces]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT space_id, day, SUM(weight) FROM {AvailabilityChange._meta.db_table} "
            f"WHERE space_id IN ({rows.placeholders(ids)}) AND day >= %s AND day <= %s "
            "GROUP BY space_id, day",
            [*ids, first, last],
        )
        return {(space_id, day): version for space_id, day, version in cursor.fetchall()}


class _Render:
    """Days as the API writes them. Spaces on one grid share their slot boundaries, so each
    time is formatted once per request."""

    def __init__(self) -> None:
        # By zone, POSIX seconds as DRF writes an aware datetime.
        self.texts: dict[tzinfo, dict[float, str]] = {}
        # By ``id`` of a DayHours (alive for the request): its date and opening.
        self.heads: dict[int, str] = {}

    def text(self, moment: float, tz: tzinfo) -> str:
        texts = self.texts.setdefault(tz, {})
        text = texts.get(moment)
        if text is None:
            text = texts[moment] = datetime.fromtimestamp(moment, tz).isoformat()
        return text

    def free(self, runs: FreeRuns, tz: tzinfo) -> dict[date, str]:
        """Each day's free stretches, as the inside of its ``free`` array."""
        texts = self.texts.setdefault(tz, {})
        for moment in {*runs.starts, *runs.ends}.difference(texts):
            texts[moment] = datetime.fromtimestamp(moment, tz).isoformat()
        stretches = [
            f'{{"start":"{texts[start]}","end":"{texts[end]}","units_free":{units}}}'
            for start, end, units in zip(runs.starts, runs.ends, runs.units_free, strict=True)
        ]
        return {day: ",".join(stretches[i:j]) for day, i, j in runs.days}

    def day(self, hours: DayHours, free: str, tz: tzinfo) -> str:
        """A day of a space: ``hours`` may be shared by spaces (``space_hours(shared=True)``),
        so its dated opening text is made once."""
        head = self.heads.get(id(hours))
        if head is None:
            text = self.text
            open_ = ",".join(
                f'{{"start":"{text(i.start.timestamp(), tz)}",'
                f'"end":"{text(i.end.timestamp(), tz)}"}}'
                for i in hours.intervals
            )
            head = self.heads[id(hours)] = f'{{"date":"{hours.date.isoformat()}","open":[{open_}]'
        return f'{head},"free":[{free}]}}'


def _crossed_midnights(stretches: list[Interval], tz: tzinfo) -> set[date]:
    """The days an opening stretch runs over the start or the end of: those on both sides of
    every midnight that lies inside a stretch."""
    days: set[date] = set()
    for stretch in stretches:
        day = stretch.start.date() + timedelta(days=1)
        while (midnight := datetime.combine(day, time(0), tzinfo=tz)) < stretch.end:
            if stretch.start < midnight:
                days.update((day - timedelta(days=1), day))
            day += timedelta(days=1)
    return days


@lru_cache(maxsize=4096)  # a fact about the zone's rules, the same for every request
def _one_offset(day: date, tz: ZoneInfo) -> bool:
    """The zone's clock does not change during ``day`` (checked hour by hour: no zone changes
    its clock twice within an hour)."""
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    offset = midnight.utcoffset()
    first = midnight.astimezone(UTC)
    return all(
        (first + timedelta(hours=h)).astimezone(tz).utcoffset() == offset for h in range(25)
    ) and (datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).utcoffset() == offset)


def _cut(space: Space, day: date, earliest: datetime) -> str | None:
    """What of the notice period decides the day's free time, for its key: nothing ("") when
    the day starts after it ends; when it ends during the day, the first slot start after it
    (free stretches start there or later: ``bookings.freetime._grids``, ``grid_start`` being
    monotonic within a day on one UTC offset). None: the day is left to compute."""
    tz = space.center.tz
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    if earliest <= midnight:
        return ""
    if earliest >= datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz):
        return None  # nothing left to book that day; rare (a day in the past or the notice)
    if not _one_offset(day, tz):
        return None
    return str(int(grid_start(earliest, space.slot_minutes, tz).timestamp()))


def _grid_key(space: Space) -> str:
    return (
        f"{space.units}.{space.slot_minutes}.{space.min_minutes}."
        f"{space.buffer_before_minutes}.{space.buffer_after_minutes}.{space.center.time_zone}"
    )


def _opening(hours: DayHours) -> str:
    """The day's opening intervals as a key part."""
    return (
        hours.date.isoformat()
        + ":"
        + ",".join(
            f"{i.start.hour}.{i.start.minute}-{i.end.day}.{i.end.hour}.{i.end.minute}"
            for i in hours.intervals
        )
    )


def _key(space_id: int, grid: str, opening: str, version: int, cut: str) -> str:
    return f"{KEY_PREFIX}:{space_id}:{version}:{grid}:{opening}:{cut}"


def availability_json(
    spaces: Sequence[Space], start: date, days: int, now: datetime | None = None
) -> dict[int, str]:
    """``bookings.selectors.availability`` as the API writes it: each space's days as a JSON
    array (times in the center's zone). Cold: four queries (versions, hours 2, holds); warm:
    the first three and one cache read."""
    if not spaces:
        return {}
    now = now or timezone.now()
    end = start + timedelta(days=days - 1)
    known = versions(spaces, start, end)  # before the holds: see the module's doc
    hours = space_hours(spaces, start - timedelta(days=1), end, shared=True)

    keys: dict[tuple[int, date], str] = {}
    must_compute: dict[int, list[date]] = {}  # days that cannot be cached, by space
    self_contained: set[tuple[int, date]] = set()
    openings: dict[int, str] = {}  # by id of a shared DayHours
    cuts: dict[tuple, str | None] = {}
    crossings: dict[int, set[date]] = {}  # by id of a shared list of DayHours
    for space in spaces:
        if not rules.is_bookable(space):
            continue
        crossed = crossings.get(id(hours[space.id]))
        if crossed is None:
            stretches = merge(i for d in hours[space.id] for i in d.intervals)
            crossed = crossings[id(hours[space.id])] = _crossed_midnights(
                stretches, space.center.tz
            )
        grid = _grid_key(space)
        latest_day = rules.last_day(space, now)
        earliest = rules.earliest_start(space, now)
        for day_hours in hours[space.id][1:]:
            day = day_hours.date
            if day > latest_day:
                continue  # nothing free, nothing to compute
            cut = None
            if day not in crossed:
                self_contained.add((space.id, day))
                at = (earliest, space.slot_minutes, space.center.tz, day)
                if at not in cuts:
                    cuts[at] = _cut(space, day, earliest)
                cut = cuts[at]
            if cut is not None:
                opening = openings.get(id(day_hours))
                if opening is None:
                    opening = openings[id(day_hours)] = _opening(day_hours)
                version = known.get((space.id, day), 0)
                keys[(space.id, day)] = _key(space.id, grid, opening, version, cut)
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
    runs: dict[int, FreeRuns] = {}
    computed_to: dict[int, date] = {}
    for last, group in spans.items():
        runs.update(free_time(group, start, (last - start).days + 1, now, hours))
        computed_to.update((space.id, last) for space in group)
    fresh: dict[str, str] = {}
    render = _Render()
    result: dict[int, str] = {}
    for space in spaces:
        tz = space.center.tz
        free = render.free(runs[space.id], tz) if space.id in runs else {}
        last = computed_to.get(space.id)
        out = []
        for day_hours in hours[space.id][1:]:
            day = day_hours.date
            key = keys.get((space.id, day))
            if key is not None and key in cached:
                out.append(cached[key])
                continue
            text = render.day(day_hours, free.get(day, ""), tz)
            if key is not None and last is not None and day <= last:
                fresh[key] = text
            out.append(text)
        result[space.id] = f"[{','.join(out)}]"
    if fresh:
        cache.set_many(fresh, CACHE_SECONDS)
    return result


def space_body(space: Space, days: str) -> str:
    """The body of ``GET /spaces/{id}/availability/`` (``SpaceAvailabilitySerializer``)."""
    return f'{{"space":{space.id},"days":{days}}}'


def center_body(center_id: int, spaces: Sequence[Space], days_by_space: dict[int, str]) -> str:
    """The body of ``GET /centers/{id}/availability/`` (``CenterAvailabilitySerializer``)."""
    entries = ",".join(space_body(s, days_by_space[s.id]) for s in spaces)
    return f'{{"center":{center_id},"spaces":[{entries}]}}'
