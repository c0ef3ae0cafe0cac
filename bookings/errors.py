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


class WrongCode(LinliError):
    code = "wrong_code"
    message = _("The code does not match.")


class BlackoutConflict(LinliError):
    code = "blackout_conflict"
    status = 409
    message = _("Bookings or another block already use this time.")

    def __init__(self, bookings: list, *, blocked_by_blackout: bool = False):
        self.bookings = bookings
        self.blocked_by_blackout = blocked_by_blackout
        super().__init__(fields={"bookings": [str(b.pk) for b in bookings]} if bookings else None)
