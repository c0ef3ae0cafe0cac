from bookings.models import Booking, BookingEvent
from members.models import User


def record_event(
    booking: Booking,
    action: str,
    from_status: str,
    to_status: str,
    actor: User | None,
    reason: str = "",
) -> BookingEvent:
    """The audit row; callers write it in the same transaction as the change."""
    return BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason[:200],
    )
