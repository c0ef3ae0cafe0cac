"""Taking and releasing units of a space. Callers hold the space's row lock to take units.

Every change of holds goes through ``take``, ``take_many`` or ``release``: each records the
days whose availability it changes (``AvailabilityChange``) in the same transaction, which is
what invalidates the cached availability of those days."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection
from django.db.models import QuerySet

from bookings import errors
from bookings.models import AvailabilityChange, SpaceHold
from centers.models import Space
from core.locks import lock


def lock_space(space: Space) -> Space:
    """Serialize everything that takes time in one space: its row lock (core.locks; only that
    row, not its center, which every space of it shares). The row is not read again: ``space``
    as the caller loaded it (with its center) is returned."""
    lock(space, reread=False)
    space.center  # noqa: B018 (loaded now if the caller did not: callers read its zone)
    return space


def buffered(space: Space, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    return (
        start - timedelta(minutes=space.buffer_before_minutes),
        end + timedelta(minutes=space.buffer_after_minutes),
    )


def unit_to_take(space: Space, start: datetime, end: datetime) -> int | None:
    """The first unit with no hold overlapping [start, end) (already buffered by the caller),
    or None. A space of one unit on PostgreSQL is not read: there is no unit to choose, and
    the exclusion constraint (migration 0002) refuses an overlapping hold, which ``take``
    turns into SlotTaken (the caller's transaction, holding the booking written before it,
    rolls back). SQLite has no such constraint: there the holds are read."""
    if space.units == 1 and connection.vendor == "postgresql":
        return 1
    taken = set(
        SpaceHold.objects.filter(space=space, end__gt=start, start__lt=end).values_list(
            "unit", flat=True
        )
    )
    return next((unit for unit in range(1, space.units + 1) if unit not in taken), None)


def affected_days(space: Space, spans: Iterable[tuple[datetime, datetime]]) -> set[date]:
    """The local days with a slot whose availability a hold over one of ``spans`` decides: a
    slot starting at t is tested against [t - buffer before, t + slot + buffer after)."""
    tz = space.center.tz
    reach_back = timedelta(minutes=space.slot_minutes + space.buffer_after_minutes)
    reach_ahead = timedelta(minutes=space.buffer_before_minutes)
    days: set[date] = set()
    for start, end in spans:
        day = (start - reach_back).astimezone(tz).date()
        last = (end + reach_ahead).astimezone(tz).date()
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def record_change(space: Space, spans: Iterable[tuple[datetime, datetime]]) -> None:
    AvailabilityChange.objects.bulk_create(
        AvailabilityChange(space_id=space.pk, day=day)
        for day in sorted(affected_days(space, spans))
    )


def take(space: Space, unit: int, start: datetime, end: datetime, **source) -> SpaceHold:
    """Insert a hold; the exclusion constraint turns a lost race into SlotTaken. No savepoint:
    the error leaves the caller's transaction (or its savepoint) to roll back."""
    try:
        hold = SpaceHold.objects.create(space=space, unit=unit, start=start, end=end, **source)
    except IntegrityError:
        raise errors.SlotTaken() from None
    record_change(space, [(start, end)])
    return hold


def take_many(space: Space, spans: list[tuple[datetime, datetime]], **source) -> None:
    """Every unit of ``space`` over each of ``spans`` (a blackout, a program session)."""
    SpaceHold.objects.bulk_create(
        SpaceHold(space=space, unit=unit, start=s, end=e, **source)
        for s, e in spans
        for unit in range(1, space.units + 1)
    )
    record_change(space, spans)


def release(holds: QuerySet[SpaceHold]) -> None:
    """Delete ``holds`` (of any spaces), recording the days they free."""
    by_space: dict[int, list[tuple[datetime, datetime]]] = {}
    for space_id, start, end in holds.values_list("space_id", "start", "end"):
        by_space.setdefault(space_id, []).append((start, end))
    if not by_space:
        return
    holds.delete()
    for space in Space.objects.filter(pk__in=by_space).select_related("center"):
        record_change(space, by_space[space.pk])
