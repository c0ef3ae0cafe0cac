"""Dated opening exceptions (a holiday closure, shorter hours) that deal with what they would
strand: confirmed bookings and program sessions that fall in hours now closed are listed first,
and cancelled with a reason members are told only if staff choose so."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import Booking
from bookings.services import holds
from bookings.services.lifecycle import booking_cancel
from centers.closures import stranded_counter
from centers.hours import merge
from centers.models import Center, OpeningException, Space
from centers.permissions import Action, staff_can
from centers.selectors import space_hours
from core.errors import Conflict, Invalid, NotFound
from core.locks import Busy, lock_all
from core.reasons import require_reason
from members.models import User
from services.models import Session
from services.services.sessions import session_cancel


@dataclass
class Stranded:
    """What a dated exception would leave outside the opening hours."""

    bookings: list[Booking] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.bookings or self.sessions)


class HoursConflict(Conflict):
    code = "hours_conflict"
    message = _("Bookings or sessions fall in the hours this closes.")

    def __init__(self, stranded: Stranded):
        self.stranded = stranded
        super().__init__(
            fields={
                "bookings": [str(b.pk) for b in stranded.bookings],
                "sessions": [str(s.pk) for s in stranded.sessions],
            }
        )


def _inside(stretches: list, start: datetime, end: datetime) -> bool:
    return any(s.start <= start and end <= s.end for s in stretches)


def stranded_by(exception: OpeningException) -> Stranded:
    """Bookings holding time and scheduled sessions on the exception's dates that were inside
    the opening hours and would be outside them with ``exception`` (saved or not; a changed
    exception replaces its saved self)."""
    if exception.space_id:
        spaces = list(Space.objects.filter(pk=exception.space_id).select_related("center"))
    else:
        spaces = list(Space.objects.filter(center_id=exception.center_id).select_related("center"))
    if not spaces:
        return Stranded()
    tz = spaces[0].center.tz
    first, last = exception.start_date - timedelta(days=1), exception.end_date + timedelta(days=1)
    before = space_hours(spaces, first, last)
    after = space_hours(spaces, first, last, proposed=exception)
    window_start = datetime.combine(exception.start_date, time(0), tzinfo=tz)
    window_end = datetime.combine(exception.end_date + timedelta(days=1), time(0), tzinfo=tz)
    stretches = {
        space.id: (
            merge(i for d in before[space.id] for i in d.intervals),
            merge(i for d in after[space.id] for i in d.intervals),
        )
        for space in spaces
    }

    def strands(space_id: int, start: datetime, end: datetime) -> bool:
        was, will_be = stretches[space_id]
        return _inside(was, start, end) and not _inside(will_be, start, end)

    found = Stranded()
    bookings = Booking.objects.filter(
        space__in=spaces,
        status__in=[Booking.Status.PENDING, Booking.Status.CONFIRMED],
        start__lt=window_end,
        end__gt=window_start,
    ).select_related("member", "space__center")
    found.bookings = [b for b in bookings if strands(b.space_id, b.start, b.end)]
    sessions = Session.objects.filter(
        space__in=spaces,
        status=Session.Status.SCHEDULED,
        start__lt=window_end,
        end__gt=window_start,
    ).select_related("program__center", "space")
    found.sessions = [s for s in sessions if strands(s.space_id, s.start, s.end)]
    return found


@stranded_counter
def stranded_count(exception: OpeningException) -> int:
    """For the centers admin, which refuses such hours and links here."""
    stranded = stranded_by(exception)
    return len(stranded.bookings) + len(stranded.sessions)


def opening_exception_save(
    *,
    exception: OpeningException,
    by: User,
    cancel_stranded: bool = False,
    reason: str = "",
) -> tuple[OpeningException, Stranded]:
    """Save a new or changed dated exception of a center or a space. What it strands makes it
    fail (HoursConflict, with the list) unless staff chose to cancel those bookings and sessions
    with ``reason``, which their members are told. Returns what was cancelled."""
    center: Center = exception.space.center if exception.space_id else exception.center
    if not staff_can(by, Action.MANAGE_PLACES, center.pk):
        raise NotFound()
    if exception.end_date < exception.start_date:
        raise Invalid(_("The end date cannot be before the start date."))
    if (exception.opens is None) != (exception.closes is None):
        raise Invalid(_("Give both times, or neither to close."))
    with transaction.atomic():
        # Sessions come before spaces in the lock order (core.locks): the sessions it would
        # strand first, then the spaces (no booking or session slips in while we look).
        sessions = lock_all(*stranded_by(exception).sessions)
        spaces = [exception.space] if exception.space_id else list(center.spaces.order_by("pk"))
        for space in spaces:
            holds.lock_space(space)
        stranded = stranded_by(exception)
        if {s.pk for s in stranded.sessions} - {s.pk for s in sessions}:
            raise Busy()  # a session scheduled meanwhile: try again
        if stranded and not cancel_stranded:
            raise HoursConflict(stranded)
        if stranded:
            reason = require_reason(reason)
        for booking in stranded.bookings:
            booking_cancel(booking=booking, by=by, reason=reason)
        for session in stranded.sessions:
            session_cancel(session=session, by=by, reason=reason)
        exception.save()
    return exception, stranded
