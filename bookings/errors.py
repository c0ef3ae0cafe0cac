from django.utils.translation import gettext_lazy as _

from core.errors import LinliError


class SlotTaken(LinliError):
    code = "slot_taken"
    status = 409
    message = _("Sorry, this time has just been taken. Please choose another time.")


class OutsideOpeningHours(LinliError):
    code = "outside_opening_hours"
    message = _("The space is not open for the whole of this time.")


class OffGrid(LinliError):
    code = "off_grid"
    message = _("Start and end must fall on the space's time slots.")


class TooShort(LinliError):
    code = "too_short"
    message = _("This booking is shorter than the space allows.")


class TooLong(LinliError):
    code = "too_long"
    message = _("This booking is longer than the space allows.")


class TooSoon(LinliError):
    code = "too_soon"
    message = _("This space must be booked further in advance.")


class TooFarAhead(LinliError):
    code = "too_far_ahead"
    message = _("This date is too far ahead to book yet.")


class InPast(LinliError):
    code = "in_past"
    message = _("This time has already passed.")


class QuotaExceeded(LinliError):
    code = "quota_exceeded"
    message = _("You have reached the booking limit for this space.")


class SpaceNotBookable(LinliError):
    code = "space_not_bookable"
    message = _("This space cannot be booked.")


class CancelDeadlinePassed(LinliError):
    code = "cancel_deadline_passed"
    message = _("It is too late to cancel this booking online. Please call the center.")


class NotCancellable(LinliError):
    code = "not_cancellable"
    status = 409
    message = _("This booking can no longer be cancelled.")


class InvalidTransition(LinliError):
    code = "invalid_transition"
    status = 409
    message = _("This booking is not in a state that allows this.")


class CheckInNotOpen(LinliError):
    code = "check_in_not_open"
    message = _("Check-in is not open for this booking now.")


class CheckInNotYet(CheckInNotOpen):
    """Too early: says from when (the front desk tells the member to come back then)."""

    def __init__(self, opens_at: str):
        super().__init__(_("Check-in opens at %(time)s.") % {"time": opens_at})


class CheckInClosed(CheckInNotOpen):
    message = _("This is over; check-in has closed.")


class AlreadyCheckedIn(CheckInNotOpen):
    """A code shown twice (a second scan, a member who already came in) is not a wrong code."""

    code = "already_checked_in"
    status = 409
    message = _("Already checked in.")

    def __init__(self, at: str = ""):
        super().__init__(_("Checked in at %(time)s.") % {"time": at} if at else None)


class CodeCancelled(CheckInNotOpen):
    code = "cancelled"
    status = 409
    message = _("Cancelled.")


class WrongCode(LinliError):
    code = "wrong_code"
    message = _("The code does not match.")


class BlackoutConflict(LinliError):
    code = "blackout_conflict"
    status = 409
    message = _("Bookings or another block already use this time.")

    def __init__(self, bookings: list, *, taken: list | None = None, nothing_left: bool = False):
        """``bookings`` in the way (may be cancelled), ``taken``: the weeks a session or another
        blackout holds (``bookings.conflicts.InTheWay``; may be left out), ``nothing_left``:
        every week is taken, so there is no block to make."""
        self.bookings = bookings
        self.taken = taken or []
        self.nothing_left = nothing_left
        self.sessions = _unique(s for item in self.taken for s in item.sessions)
        self.blackouts = _unique(b for item in self.taken for b in item.blackouts)
        super().__init__(fields={"bookings": [str(b.pk) for b in bookings]} if bookings else None)

    @property
    def blocked_by_blackout(self) -> bool:
        return bool(self.taken)


def _unique(objects) -> list:
    return list({obj.pk: obj for obj in objects}.values())


class SeriesEmpty(LinliError):
    """No date of a recurring booking could be booked; ``skipped`` says why, date by date."""

    code = "series_empty"
    status = 409
    message = _("None of these dates could be booked, so nothing was saved.")

    def __init__(self, skipped: list):
        self.skipped = skipped
        super().__init__(fields={"dates": [f"{day:%Y-%m-%d} {code}" for day, code in skipped]})
