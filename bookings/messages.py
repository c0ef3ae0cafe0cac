"""What bookings tell members and staff: the kinds of message, their texts and fields, when
a message about a booking still applies, the reminder query and the staff digest."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from bookings import rules
from bookings.ics import MEDIA_TYPE, booking_ics
from bookings.models import Booking
from centers.models import Center, StaffAssignment
from centers.selectors import reminder_offsets
from notifications import registry
from notifications.registry import Reminder, Text
from notifications.services import message_enqueue, recipient_fields
from notifications.texts import local_time


class BookingMessage(StrEnum):
    CONFIRMED = "booking_confirmed"
    PENDING = "booking_pending"
    APPROVED = "booking_approved"
    REJECTED = "booking_rejected"
    CANCELLED_BY_STAFF = "booking_cancelled_by_staff"
    STAFF_DIGEST = "staff_digest"


registry.register_kinds(
    BookingMessage,
    {
        BookingMessage.CONFIRMED: Text(
            gettext_noop("Booking confirmed"),
            gettext_noop(
                "Your booking of %(place)s on %(when)s is confirmed. Check-in code: %(code)s."
            ),
        ),
        BookingMessage.PENDING: Text(
            gettext_noop("Booking received"),
            gettext_noop(
                "We received your booking of %(place)s on %(when)s. Staff will confirm it soon."
            ),
        ),
        BookingMessage.APPROVED: Text(
            gettext_noop("Booking approved"),
            gettext_noop(
                "Your booking of %(place)s on %(when)s is approved. Check-in code: %(code)s."
            ),
        ),
        BookingMessage.REJECTED: Text(
            gettext_noop("Booking not approved"),
            gettext_noop(
                "Sorry, your booking of %(place)s on %(when)s was not approved. %(reason)s"
            ),
        ),
        BookingMessage.CANCELLED_BY_STAFF: Text(
            gettext_noop("Booking cancelled"),
            gettext_noop(
                "Staff cancelled your booking of %(place)s on %(when)s. Reason: %(reason)s"
            ),
        ),
        BookingMessage.STAFF_DIGEST: Text(
            gettext_noop("Bookings awaiting approval"),
            gettext_noop("%(count)s bookings at %(place)s are waiting for your approval."),
        ),
    },
)

# The booking holds time from these on: the member's calendar gets the event.
ICS_KINDS = (BookingMessage.CONFIRMED, BookingMessage.APPROVED)


def booking_fields(booking: Booking) -> dict[str, str]:
    last = booking.events.order_by("-at", "-id").first()
    return {
        "place": f"{booking.space.center.name}{booking.space.name}",
        "when": local_time(booking.start, booking.space.center.tz),
        "code": booking.check_in_code,
        "reason": last.reason if last else "",
    }


def booking_still_applies(booking: Booking, kind: str, now: datetime) -> bool:
    if kind == registry.REMINDER:
        return rules.is_upcoming(booking, now)
    return True


def booking_attachment(booking: Booking, kind: str) -> tuple[str, str, str] | None:
    if kind not in ICS_KINDS:
        return None
    return "linli-booking.ics", booking_ics(booking), MEDIA_TYPE


registry.register_about(
    Booking,
    fields=booking_fields,
    still_applies=booking_still_applies,
    center="space__center_id",
    attachment=booking_attachment,
)


@registry.reminder_source
def booking_reminders(now: datetime) -> Iterator[Reminder]:
    """For each reminder offset h (per center): confirmed bookings that start within h hours,
    were made before their reminder time and have no such reminder yet."""
    for hours in reminder_offsets():
        window = timedelta(hours=hours)
        # A range scan of the (status, start) index over the offset's window, no anti-join
        # against the outbox: the marker says which reminders a booking has had.
        bookings = list(
            Booking.objects.filter(
                Q(reminded_hours__isnull=True) | Q(reminded_hours__gt=hours),
                status=Booking.Status.CONFIRMED,
                start__gt=now,
                start__lte=now + window,
                created__lte=F("start") - window,
            )
            .select_related("member", "space__center")
            .only("space__center__reminder_hours", *recipient_fields("member"))
        )
        for booking in bookings:
            if hours in booking.space.center.reminder_offsets:
                yield Reminder(booking.member, booking, hours)
        # The caller writes the reminders in the transaction of this mark.
        Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(reminded_hours=hours)


@registry.daily_job
def staff_digest(now: datetime | None = None) -> int:
    """Once a day: each manager and front-desk member hears how many bookings await approval at
    each of their centers (one message per center per day)."""
    now = now or timezone.now()
    count = 0
    pending = (
        Center.objects.filter(is_active=True)
        .annotate(
            waiting=Count(
                "spaces__bookings",
                filter=Q(
                    spaces__bookings__status=Booking.Status.PENDING, spaces__bookings__start__gt=now
                ),
            )
        )
        .filter(waiting__gt=0)
    )
    for center in pending:
        day = timezone.localdate(now, timezone=center.tz).isoformat()
        for assignment in StaffAssignment.objects.filter(
            center=center,
            role__in=[StaffAssignment.Role.MANAGER, StaffAssignment.Role.FRONT_DESK],
            user__is_active=True,
        ).select_related("user"):
            count += bool(
                message_enqueue(
                    kind=f"{BookingMessage.STAFF_DIGEST}@{day}",
                    recipient=assignment.user,
                    about=center,
                    context={"count": center.waiting, "place": center.name},
                )
            )
    return count
