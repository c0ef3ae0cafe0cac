from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from bookings import errors
from bookings.conflicts import bookings_of, in_the_way
from bookings.models import Blackout, Booking, SpaceHold
from bookings.services import holds
from bookings.services.lifecycle import booking_cancel
from centers.models import Space
from centers.permissions import Action, staff_can
from core.errors import Invalid, NotFound
from core.reasons import require_reason
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
    skip_taken: bool = False,
) -> tuple[Blackout, list[Booking]]:
    """Block every unit of ``space``, once or weekly. Anything in the way makes it fail with the
    list of it (BlackoutConflict) so staff see it first: bookings are cancelled in the same
    step if staff chose so (with a reason members are told); weeks a program session or
    another blackout already holds are left out if staff chose so (``skip_taken``: the space
    is blocked then anyway). A block whose every week is taken cannot be made.
    ``blackout.skipped`` lists the (start, end) of the weeks left out."""
    if not staff_can(by, Action.MANAGE_BOOKINGS, space.center_id):
        raise NotFound()
    if end <= start:
        raise Invalid(_("The end must be after the start."), fields={"end": [_("After start.")]})
    reason = require_reason(reason)
    tz = space.center.tz
    if repeat_weekly_until and repeat_weekly_until > start.astimezone(tz).date() + timedelta(
        weeks=MAX_WEEKS
    ):
        raise Invalid(_("Repeat for two years at most."), fields={"repeat_weekly_until": ["≤2y"]})
    occurrences = blackout_occurrences(start, end, repeat_weekly_until, tz)

    with transaction.atomic():
        space = holds.lock_space(space)
        found = in_the_way(space, occurrences)
        taken = [item for item in found if item.taken]
        kept = [item for item in found if not item.taken]
        bookings = bookings_of(kept)
        if (bookings and not cancel_conflicting) or (taken and not skip_taken) or not kept:
            raise errors.BlackoutConflict(bookings, taken=taken, nothing_left=not kept)
        cancelled = [
            booking_cancel(booking=b, by=by, reason=cancel_reason or reason) for b in bookings
        ]
        blackout = Blackout.objects.create(
            space=space,
            start=start,
            end=end,
            repeat_weekly_until=repeat_weekly_until,
            reason=reason,
            created_by=by,
        )
        # The lock keeps others out of the weeks kept; the exclusion constraint has the last
        # word on PostgreSQL anyway.
        holds.take_many(space, [(item.start, item.end) for item in kept], blackout=blackout)
    blackout.skipped = [(item.start, item.end) for item in taken]
    return blackout, cancelled


def blackout_delete(*, blackout: Blackout, by: User) -> None:
    if not staff_can(by, Action.MANAGE_BOOKINGS, blackout.space.center_id):
        raise NotFound()
    with transaction.atomic():
        holds.release(SpaceHold.objects.filter(blackout=blackout))
        blackout.delete()
