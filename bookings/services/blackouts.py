from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bookings import errors
from bookings.models import Blackout, Booking, SpaceHold
from bookings.services import holds
from bookings.services.lifecycle import booking_cancel
from centers.models import Space
from centers.permissions import Action, staff_can
from core.errors import Invalid, NotFound
from members.models import User

MAX_WEEKS = 104


def blackout_occurrences(start: datetime, end: datetime, until: date | None, tz) -> list:
    """The (start, end) of every week's block, in the center's local time so that a weekly
    block stays at the same clock time."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    occurrences = [(start, end)]
    if until is None:
        return occurrences
    week = 1
    while True:
        s = (local_start.replace(tzinfo=None) + timedelta(weeks=week)).replace(tzinfo=tz)
        if s.date() > until:
            return occurrences
        e = (local_end.replace(tzinfo=None) + timedelta(weeks=week)).replace(tzinfo=tz)
        occurrences.append((s, e))
        week += 1


def blackout_conflicts(space: Space, occurrences: list) -> list[Booking]:
    """Bookings that hold time in any of the occurrences (buffers included), in one query."""
    overlaps = Q()
    for s, e in occurrences:
        overlaps |= Q(start__lt=e, end__gt=s)
    booking_ids = SpaceHold.objects.filter(overlaps, space=space, booking__isnull=False).values(
        "booking_id"
    )
    return list(Booking.objects.filter(pk__in=booking_ids).select_related("member"))


def blackout_create(
    *,
    space: Space,
    start: datetime,
    end: datetime,
    reason: str,
    by: User,
    repeat_weekly_until: date | None = None,
    cancel_conflicting: bool = False,
    cancel_reason: str = "",
) -> tuple[Blackout, list[Booking]]:
    """Block every unit of ``space``. Bookings in the way make it fail with their list
    (BlackoutConflict), unless staff chose to cancel them with a reason in the same step."""
    if not staff_can(by, Action.MANAGE_BOOKINGS, space.center_id):
        raise NotFound()
    if end <= start:
        raise Invalid(_("The end must be after the start."), fields={"end": [_("After start.")]})
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    tz = space.center.tz
    if repeat_weekly_until and repeat_weekly_until > start.astimezone(tz).date() + timedelta(
        weeks=MAX_WEEKS
    ):
        raise Invalid(_("Repeat for two years at most."), fields={"repeat_weekly_until": ["≤2y"]})
    occurrences = blackout_occurrences(start, end, repeat_weekly_until, tz)

    with transaction.atomic():
        space = holds.lock_space(space)
        conflicts = blackout_conflicts(space, occurrences)
        if conflicts and not cancel_conflicting:
            raise errors.BlackoutConflict(conflicts)
        cancelled = [
            booking_cancel(booking=b, by=by, reason=cancel_reason or reason) for b in conflicts
        ]
        blackout = Blackout.objects.create(
            space=space,
            start=start,
            end=end,
            repeat_weekly_until=repeat_weekly_until,
            reason=reason,
            created_by=by,
        )
        for s, e in occurrences:
            if len(holds.free_units(space, s, e)) < space.units:
                raise errors.BlackoutConflict([], blocked_by_blackout=True)
            holds.take_many(space, [(s, e)], blackout=blackout)
    return blackout, cancelled


def blackout_delete(*, blackout: Blackout, by: User) -> None:
    if not staff_can(by, Action.MANAGE_BOOKINGS, blackout.space.center_id):
        raise NotFound()
    with transaction.atomic():
        holds.release(SpaceHold.objects.filter(blackout=blackout))
        blackout.delete()
