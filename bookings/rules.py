"""The booking rules of a space, checked in the order a resident can act on them, and every
"may I still ...?" about a space or a booking, answered once: services, views, selectors, the
API and the outbox all ask here.

Each check raises the error whose code API.md names. Pure checks take everything they need;
the ones that read the database say so.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from bookings import errors
from bookings.models import Booking
from centers.hours import merge
from centers.models import Space
from centers.selectors import space_hours
from members.models import Team, User


def check_times(space: Space, start: datetime, end: datetime, now: datetime) -> None:
    if end <= start:
        raise errors.TooShort()
    if start < now:
        raise errors.InPast()
    local_start = start.astimezone(space.center.tz)
    minutes_into_day = local_start.hour * 60 + local_start.minute
    duration = (end - start).total_seconds() / 60
    if (
        local_start.second
        or local_start.microsecond
        or minutes_into_day % space.slot_minutes
        or duration % space.slot_minutes
    ):
        raise errors.OffGrid()
    if duration < space.min_minutes:
        raise errors.TooShort()
    if duration > space.max_minutes:
        raise errors.TooLong()


def is_bookable(space: Space) -> bool:
    """Members may book the space at all: it takes bookings and it and its center are open."""
    return space.bookable and space.is_active and space.center.is_active


def earliest_start(space: Space, now: datetime) -> datetime:
    """The first moment a member may book ``space`` for (its notice period from now)."""
    return max(now, now + timedelta(minutes=space.min_notice_minutes))


def last_day(space: Space, now: datetime) -> date:
    """The last day (in the center's zone) a member may book ``space`` for: its horizon."""
    return timezone.localdate(now, timezone=space.center.tz) + timedelta(days=space.max_days_ahead)


def check_notice(space: Space, start: datetime, now: datetime) -> None:
    if start < earliest_start(space, now):
        raise errors.TooSoon()
    if start.astimezone(space.center.tz).date() > last_day(space, now):
        raise errors.TooFarAhead()


def check_opening_hours(space: Space, start: datetime, end: datetime) -> None:
    """The whole booking lies in one stretch of opening hours (stretches that touch, such as a
    24-hour room's consecutive days, count as one). Reads the hours: two queries."""
    tz = space.center.tz
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    days = space_hours([space], first, last)[space.id]
    stretches = merge(i for day in days for i in day.intervals)
    if not any(s.start <= start and end <= s.end for s in stretches):
        raise errors.OutsideOpeningHours()


def check_quotas(
    space: Space, member: User, team: Team | None, start: datetime, end: datetime, now: datetime
) -> None:
    """Active bookings per member (own bookings) or per team (a leader booking for the team),
    and the member's weekly minutes. Reads."""
    active = Booking.objects.filter(space=space, status__in=Booking.HOLDING, end__gt=now)
    if team is not None:
        if active.filter(team=team).count() >= space.max_active_per_team:
            raise errors.QuotaExceeded()
        return
    if active.filter(member=member, team__isnull=True).count() >= space.max_active_per_member:
        raise errors.QuotaExceeded()
    if space.weekly_quota_minutes:
        tz = space.center.tz
        local = start.astimezone(tz)
        week_start = (local - timedelta(days=local.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        used = _minutes_booked(space, member, week_start, week_start + timedelta(days=7))
        if used + (end - start).total_seconds() / 60 > space.weekly_quota_minutes:
            raise errors.QuotaExceeded()


def _minutes_booked(space: Space, member: User, week_start: datetime, week_end: datetime) -> float:
    rows = Booking.objects.filter(
        space=space,
        member=member,
        team__isnull=True,
        status__in=Booking.HOLDING,
        start__gte=week_start,
        start__lt=week_end,
    ).values_list("start", "end")
    return sum((e - s).total_seconds() / 60 for s, e in rows)


def cancel_until(space: Space, start: datetime) -> datetime:
    """Until when the member may cancel a booking of ``space`` starting at ``start`` online."""
    return start - timedelta(minutes=space.cancel_deadline_minutes)


def is_cancellable(booking: Booking, now: datetime) -> bool:
    """Whether anyone may still cancel the booking (staff any time until its end): it holds
    time and has not ended."""
    return booking.status in Booking.HOLDING and booking.end > now


def member_can_cancel(booking: Booking, now: datetime) -> bool:
    """Whether the member may still cancel the booking themselves (staff can later too):
    cancellable, and its cancel deadline (``booking.cancel_until``) has not passed."""
    return is_cancellable(booking, now) and now <= booking.cancel_until


def is_upcoming(booking: Booking, now: datetime) -> bool:
    """Confirmed and not started: a reminder of it still makes sense."""
    return booking.status == Booking.Status.CONFIRMED and booking.start > now
