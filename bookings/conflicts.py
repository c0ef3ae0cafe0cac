"""What is in the way of a new hold on a space: bookings, program sessions and blackouts, found
for many intervals at once (a weekly block, a series of sessions) in one query, so staff see
every conflict before anything is saved."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from bookings.models import Blackout, Booking, SpaceHold
from centers.models import Space


@dataclass
class InTheWay:
    """What holds time in one interval of a space."""

    start: datetime
    end: datetime
    bookings: list[Booking] = field(default_factory=list)
    sessions: list = field(default_factory=list)  # services.Session (services builds on us)
    blackouts: list[Blackout] = field(default_factory=list)

    @property
    def taken(self) -> bool:
        """Held by a session or a blackout: those are not cancelled to make room."""
        return bool(self.sessions or self.blackouts)

    @property
    def clear(self) -> bool:
        return not (self.bookings or self.taken)


def in_the_way(
    space: Space,
    intervals: list[tuple[datetime, datetime]],
    *,
    ignore_blackout: int | None = None,
    ignore_session: int | None = None,
) -> list[InTheWay]:
    """For each interval, the bookings (holds include their buffers), sessions and blackouts
    holding any unit of ``space`` during it. One query for all intervals."""
    found = [InTheWay(start, end) for start, end in intervals]
    if not intervals:
        return found
    overlaps = Q()
    for start, end in intervals:
        overlaps |= Q(start__lt=end, end__gt=start)
    holds = SpaceHold.objects.filter(overlaps, space=space)
    if ignore_blackout is not None:
        holds = holds.exclude(blackout_id=ignore_blackout)
    if ignore_session is not None:
        holds = holds.exclude(session_id=ignore_session)
    holds = holds.select_related(
        "booking__member", "booking__space__center", "session__program", "blackout"
    ).order_by("start", "id")
    for hold in holds:
        for item in found:
            if not (hold.start < item.end and hold.end > item.start):
                continue
            if hold.booking_id:
                _add(item.bookings, hold.booking)
            elif hold.session_id:
                _add(item.sessions, hold.session)
            else:
                _add(item.blackouts, hold.blackout)
    return found


def _add(items: list, obj) -> None:
    # A session or blackout holds every unit: one row per unit, one entry here.
    if all(existing.pk != obj.pk for existing in items):
        items.append(obj)


def bookings_of(found: list[InTheWay]) -> list[Booking]:
    seen: dict[int, Booking] = {}
    for item in found:
        for booking in item.bookings:
            seen.setdefault(booking.pk, booking)
    return sorted(seen.values(), key=lambda b: (b.start, b.pk))
