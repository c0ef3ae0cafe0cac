"""The front desk's one code field: a typed or scanned check-in code finds the booking or the
program registration it belongs to (among the centers where the staff member checks people
in) and checks it in, or says plainly why not."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import errors
from bookings.models import Booking
from bookings.services.lifecycle import booking_check_in_by_code
from core.errors import LinliError
from core.localtime import clock
from members.models import User
from services.models import Registration
from services.services.attendance import registration_check_in_by_code


@dataclass
class Outcome:
    tone: str  # ok, early, error: how the page colours it
    message: str
    booking: Booking | None = None
    registration: Registration | None = None


def _checked_in(obj: Booking | Registration, tz, now: datetime) -> Outcome:
    said = _("Checked in at %(time)s.") % {"time": clock(obj.checked_in_at, tz, now)}
    if isinstance(obj, Booking):
        return Outcome("ok", said, booking=obj)
    return Outcome("ok", said, registration=obj)


def front_desk_check_in(*, by: User, code: str, now: datetime | None = None) -> Outcome:
    now = now or timezone.now()
    code = "".join(code.split())  # a scanner or a person may add spaces
    try:
        try:
            booking = booking_check_in_by_code(by=by, code=code, now=now)
        except errors.WrongCode:
            registration = registration_check_in_by_code(by=by, code=code, now=now)
            return _checked_in(registration, registration.session.program.center.tz, now)
        return _checked_in(booking, booking.space.center.tz, now)
    except errors.AlreadyCheckedIn as said:
        return Outcome("ok", str(said.detail))
    except errors.CheckInNotYet as said:
        return Outcome("early", str(said.detail))
    except errors.WrongCode:
        return Outcome("error", _("Wrong check-in code."))
    except LinliError as said:
        return Outcome("error", str(said.detail))
