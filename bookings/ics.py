"""A booking as an iCalendar file (RFC 5545): the API's ``.ics`` download, and the attachment of
booking emails. The same booking always has the same UID, so a calendar that imports the file
again updates the event (a cancellation shows as cancelled) instead of adding a second one."""

from datetime import date

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from bookings.models import Booking

PRODID = "-//Linli//Bookings//ZH"
MEDIA_TYPE = "text/calendar"

Status = Booking.Status
_EVENT_STATUS = {
    Status.PENDING: "TENTATIVE",
    Status.CONFIRMED: "CONFIRMED",
    Status.CHECKED_IN: "CONFIRMED",
    Status.COMPLETED: "CONFIRMED",
    Status.CANCELLED: "CANCELLED",
    Status.REJECTED: "CANCELLED",
    Status.NO_SHOW: "CANCELLED",
}


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.pk}@linli"


def booking_calendar(booking: Booking) -> Calendar:
    """One VEVENT in the center's zone (DTSTART;TZID=Asia/Shanghai) with its VTIMEZONE.
    ``booking.space.center`` should be loaded."""
    space = booking.space
    center = space.center
    tz = center.tz
    start, end = booking.start.astimezone(tz), booking.end.astimezone(tz)

    event = Event()
    event.add("uid", booking_uid(booking))
    # The last change, not the download time: the same booking gives the same file.
    event.add("dtstamp", booking.updated)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", space.name)
    event.add("location", f"{center.name} {center.address}")
    event.add("status", _EVENT_STATUS[booking.status])
    lines = [booking.purpose] if booking.purpose else []
    if booking.holds_time:
        lines.append(_("Check-in code: %(code)s") % {"code": booking.check_in_code})
    if lines:
        event.add("description", "\n".join(lines))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    # Only the years around the booking: a whole history of the zone would bloat the file.
    calendar.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(end.year + 2, 1, 1)
    )
    return calendar


def booking_ics(booking: Booking) -> bytes:
    return booking_calendar(booking).to_ical()
