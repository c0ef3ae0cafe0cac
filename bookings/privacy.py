"""The member's bookings in their data export, and what deleting the account does to them.

The rows stay (a space's history and counts stay right, and they point at the anonymized
account); bookings still to come are cancelled so their units are free for others; the
purpose, free text that may name the person or their family, is cleared.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingSeries
from bookings.services.lifecycle import transition
from members.models import User
from members.services.privacy import anonymizer, export_section

Status = Booking.Status
# Checked-in bookings are under way with the person present: they finish as usual.
CANCELLED_ON_DELETE = (Status.PENDING, Status.CONFIRMED)


@export_section("bookings")
def bookings_export(member: User) -> list[dict[str, Any]]:
    bookings = (
        Booking.objects.filter(member=member)
        .select_related("space__center", "team")
        .order_by("start", "id")
    )
    return [
        {
            "id": b.pk,
            "center": b.space.center.name,
            "space": b.space.name,
            "unit": b.unit,
            "start": b.start,
            "end": b.end,
            "status": b.status,
            "purpose": b.purpose,
            "attendees": b.attendees,
            "team": b.team.name if b.team else None,
            "series_id": b.series_id,
            "checked_in_at": b.checked_in_at if b.checked_in_at else None,
            "created": b.created,
        }
        for b in bookings
    ]


@anonymizer
def bookings_anonymize(member: User) -> None:
    """Run inside member_delete's transaction."""
    now = timezone.now()
    reason = _("account deleted")
    for booking in Booking.objects.filter(
        member=member, status__in=CANCELLED_ON_DELETE, end__gt=now
    ):
        transition(
            booking,
            to=Status.CANCELLED,
            allowed_from=CANCELLED_ON_DELETE,
            action="cancel",
            actor=member,
            reason=reason,
        )
    Booking.objects.filter(member=member).exclude(purpose="").update(purpose="")
    BookingSeries.objects.filter(member=member).exclude(purpose="").update(purpose="")
