"""Reads of the front desk: today's arrivals and the free start times of a space on a day
(members found by phone or name: ``members.selectors.members_find``)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bookings import rules
from bookings.models import Booking, SpaceHold
from centers.hours import merge
from centers.models import Center, Space
from centers.selectors import space_hours
from members.models import User
from services.models import Registration
from workspace.selectors.day_board import free_stretches


@dataclass
class Arrival:
    start: datetime
    end: datetime
    member: User
    what: str
    status: str
    status_label: str
    checked_in_at: datetime | None
    url: str


def arrivals(center: Center, day: date) -> list[Arrival]:
    """The day's bookings and program seats at ``center``, by time: who is expected, who came.
    Two queries."""
    from django.urls import reverse

    tz = center.tz
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = start + timedelta(days=1)
    found = []
    for b in (
        Booking.objects.filter(space__center=center, start__gte=start, start__lt=end)
        .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.REJECTED])
        .select_related("member", "space")
    ):
        found.append(
            Arrival(
                b.start,
                b.end,
                b.member,
                b.space.name if b.space.units == 1 else f"{b.space.name} #{b.unit}",
                b.status,
                b.get_status_display(),
                b.checked_in_at,
                reverse("admin:bookings_booking_change", args=[b.pk]),
            )
        )
    for r in Registration.objects.filter(
        session__program__center=center,
        session__start__gte=start,
        session__start__lt=end,
        status__in=[*Registration.SEATED, Registration.Status.NO_SHOW],
    ).select_related("member", "session__program"):
        found.append(
            Arrival(
                r.session.start,
                r.session.end,
                r.member,
                r.session.program.title,
                r.status,
                r.get_status_display(),
                r.checked_in_at,
                reverse("admin:services_session_change", args=[r.session_id]),
            )
        )
    return sorted(found, key=lambda a: (a.start, str(a.member)))


def free_starts(space: Space, day: date, now: datetime | None = None) -> list[datetime]:
    """Start times on the space's slot grid when some unit is free for at least the shortest
    booking, from now on (staff book walk-ins without the residents' notice period)."""
    now = now or timezone.now()
    tz = space.center.tz
    day_start = datetime.combine(day, time(0), tzinfo=tz)
    day_end = day_start + timedelta(days=1)
    if not rules.is_bookable(space):
        return []
    opening = merge(space_hours([space], day, day)[space.id][0].intervals)
    held: dict[int, list[tuple[datetime, datetime]]] = {u: [] for u in range(1, space.units + 1)}
    for unit, s, e in SpaceHold.objects.filter(
        space=space, start__lt=day_end + timedelta(days=1), end__gt=day_start - timedelta(days=1)
    ).values_list("unit", "start", "end"):
        held.setdefault(unit, []).append((s, e))
    slot = timedelta(minutes=space.slot_minutes)
    shortest = timedelta(minutes=space.min_minutes)
    starts: set[datetime] = set()
    for taken in held.values():
        for s, e in free_stretches(space, opening, sorted(taken), max(now, day_start)):
            t = s
            while t + shortest <= e:
                starts.add(t)
                t += slot
    return sorted(starts)
