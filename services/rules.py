"""Every "may I still ...?" about a session or a registration, answered once: the services
check them (under their locks) and raise the errors API.md names; views, selectors, the API
and the outbox ask the same questions here."""

from datetime import datetime

from services.models import Registration, Session

Status = Registration.Status
# A member may leave a seat, an offer, the waitlist or the lottery; not once checked in.
CANCELLABLE = [status for status in Registration.ACTIVE if status != Status.CHECKED_IN]


def registration_open(session: Session, now: datetime) -> bool:
    """Whether a member could register now, as far as the session decides (the member's own
    conditions aside): scheduled, its program active, inside the registration window, and
    not started."""
    return (
        session.status == Session.Status.SCHEDULED
        and session.program.is_active
        and session.registration_opens <= now < session.registration_closes
        and now < session.start
    )


def can_cancel(registration: Registration, now: datetime, *, as_staff: bool = False) -> bool:
    """Whether the registration may still be cancelled: it is active and not checked in, and
    (for the member) the session has not started. Staff may cancel any active one."""
    return registration.status in CANCELLABLE and (as_staff or now < registration.session.start)


def can_accept(registration: Registration, now: datetime) -> bool:
    """An offered seat the member may still take (until ``offer_expires_at``)."""
    return registration.status == Status.OFFERED and (
        registration.offer_expires_at is None or now < registration.offer_expires_at
    )


def is_upcoming(registration: Registration, now: datetime) -> bool:
    """Has a seat and the session has not started: a reminder still makes sense."""
    return registration.status == Status.CONFIRMED and registration.session.start > now
