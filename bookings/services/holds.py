"""Taking and releasing units of a space. Callers hold the space's row lock."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from bookings import errors
from bookings.models import SpaceHold
from centers.models import Space


def lock_space(space: Space) -> Space:
    """Serialize everything that takes time in one space (PostgreSQL row lock; on SQLite the
    IMMEDIATE transaction already holds the write lock)."""
    # of=self: lock the space row only, not its center (which every space of it shares).
    return Space.objects.select_for_update(of=("self",)).select_related("center").get(pk=space.pk)


def buffered(space: Space, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    return (
        start - timedelta(minutes=space.buffer_before_minutes),
        end + timedelta(minutes=space.buffer_after_minutes),
    )


def free_units(space: Space, start: datetime, end: datetime) -> list[int]:
    """Units with no hold overlapping [start, end) (already buffered by the caller)."""
    taken = set(
        SpaceHold.objects.filter(space=space, start__lt=end, end__gt=start).values_list(
            "unit", flat=True
        )
    )
    return [unit for unit in range(1, space.units + 1) if unit not in taken]


def take(space: Space, unit: int, start: datetime, end: datetime, **source) -> SpaceHold:
    """Insert a hold; the exclusion constraint turns a lost race into SlotTaken."""
    try:
        with transaction.atomic():
            return SpaceHold.objects.create(space=space, unit=unit, start=start, end=end, **source)
    except IntegrityError:
        raise errors.SlotTaken() from None
