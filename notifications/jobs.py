"""Clock-driven messages: reminders before bookings and sessions, and the staff digest. Safe to
run twice at once: the outbox's uniqueness writes each message once."""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from bookings.models import Booking
from centers.models import Center, StaffAssignment
from notifications.models import Message
from notifications.services import message_enqueue
from services.models import Registration


def _offsets() -> list[int]:
    hours: set[int] = set()
    for value in Center.objects.values_list("reminder_hours", flat=True).distinct():
        hours.update(int(h) for h in value.split(",") if h.strip().isdigit() and int(h) > 0)
    return sorted(hours, reverse=True)


def _not_reminded(kind: str, model: type) -> Exists:
    """No reminder of this kind written yet: the job runs every minute, and each row it
    looks at again would cost a query."""
    return ~Exists(
        Message.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=OuterRef("pk"),
            kind=kind,
        )
    )


def reminders_schedule(now: datetime | None = None) -> int:
    """For each reminder offset h (per center): holding bookings and seated registrations that
    start within h hours and were made before their reminder time."""
    now = now or timezone.now()
    count = 0
    for hours in _offsets():
        kind = f"reminder_{hours}h"
        window = timedelta(hours=hours)
        bookings = Booking.objects.filter(
            _not_reminded(kind, Booking),
            status=Booking.Status.CONFIRMED,
            start__gt=now,
            start__lte=now + window,
            created__lte=F("start") - window,
        ).select_related("member", "space__center")
        for booking in bookings:
            if hours in booking.space.center.reminder_offsets:
                count += bool(message_enqueue(kind=kind, recipient=booking.member, about=booking))
        registrations = Registration.objects.filter(
            _not_reminded(kind, Registration),
            status=Registration.Status.CONFIRMED,
            session__start__gt=now,
            session__start__lte=now + window,
            created__lte=F("session__start") - window,
        ).select_related("member", "session__program__center")
        for registration in registrations:
            if hours in registration.session.program.center.reminder_offsets:
                count += bool(
                    message_enqueue(kind=kind, recipient=registration.member, about=registration)
                )
    return count


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
                    kind=f"staff_digest@{day}",
                    recipient=assignment.user,
                    about=center,
                    context={"count": center.waiting, "place": center.name},
                )
            )
    return count
