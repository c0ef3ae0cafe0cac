"""Every move of a booking after its creation, each an audited conditional update: the
booking changes only if it is still in a state that allows the move, so two staff members
clicking at once cannot both succeed."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings import errors, rules
from bookings.messages import BookingMessage
from bookings.models import Booking, SpaceHold
from bookings.services import holds
from centers.permissions import Action, centers_where, staff_can
from core import audit
from core.errors import NotFound
from core.localtime import clock
from core.reasons import require_reason
from members.models import User
from members.selectors import may_act_for
from notifications.notify import notify

Status = Booking.Status


def transition(
    booking: Booking,
    *,
    to: str,
    allowed_from: Iterable[str],
    action: str,
    actor: User | None,
    reason: str = "",
    error: type[Exception] = errors.InvalidTransition,
    extra: dict | None = None,
) -> Booking:
    """``core.audit.transition`` of a booking, which also releases its time if the new status
    does not hold time. Must run inside a transaction."""
    booking = audit.transition(
        booking,
        to=to,
        allowed_from=allowed_from,
        action=action,
        actor=actor,
        reason=reason,
        error=error,
        fields=extra,
    )
    if to not in Booking.HOLDING:
        holds.release(SpaceHold.objects.filter(booking=booking))
    return booking


def _require_staff(by: User, booking: Booking, action: Action) -> None:
    if not staff_can(by, action, booking.space.center_id):
        # Staff of other centers learn nothing about this booking (API.md: 404, not 403).
        raise NotFound()


def booking_cancel(*, booking: Booking, by: User, reason: str = "", now: datetime | None = None):
    """The member cancels before the space's deadline; staff cancel any time, with a reason."""
    now = now or timezone.now()
    as_staff = not may_act_for(by, booking.member_id)
    if as_staff:
        _require_staff(by, booking, Action.MANAGE_BOOKINGS)
        reason = require_reason(reason)
    if not rules.is_cancellable(booking, now):
        raise errors.NotCancellable()
    if not as_staff and not rules.member_can_cancel(booking, now):
        raise errors.CancelDeadlinePassed()
    with transaction.atomic():
        booking = transition(
            booking,
            to=Status.CANCELLED,
            allowed_from=Booking.HOLDING,
            action="cancel_by_staff" if as_staff else "cancel",
            actor=by,
            reason=reason,
            error=errors.NotCancellable,
        )
        if as_staff:
            notify(BookingMessage.CANCELLED_BY_STAFF, recipient=booking.member, obj=booking)
    return booking


def booking_approve(*, booking: Booking, by: User) -> Booking:
    _require_staff(by, booking, Action.MANAGE_BOOKINGS)
    with transaction.atomic():
        booking = transition(
            booking,
            to=Status.CONFIRMED,
            allowed_from=[Status.PENDING],
            action="approve",
            actor=by,
        )
        notify(BookingMessage.APPROVED, recipient=booking.member, obj=booking)
    return booking


def booking_reject(*, booking: Booking, by: User, reason: str) -> Booking:
    _require_staff(by, booking, Action.MANAGE_BOOKINGS)
    reason = require_reason(reason)
    with transaction.atomic():
        booking = transition(
            booking,
            to=Status.REJECTED,
            allowed_from=[Status.PENDING],
            action="reject",
            actor=by,
            reason=reason,
        )
        notify(BookingMessage.REJECTED, recipient=booking.member, obj=booking)
    return booking


def booking_check_in(
    *,
    booking: Booking,
    by: User,
    code: str,
    now: datetime | None = None,
) -> Booking:
    """Staff enter or scan the member's check-in code; or the member enters the code shown at
    the venue. Open from ``check_in_opens_minutes`` before the start until the end."""
    now = now or timezone.now()
    space = booking.space
    if may_act_for(by, booking.member_id):
        expected = space.venue_code
    else:
        _require_staff(by, booking, Action.CHECK_IN)
        expected = booking.check_in_code
    if not expected or code.strip() != expected:
        raise errors.WrongCode()
    _ensure_check_in_open(booking, now)
    with transaction.atomic():
        return transition(
            booking,
            to=Status.CHECKED_IN,
            allowed_from=[Status.CONFIRMED],
            action="check_in",
            actor=by,
            error=errors.CheckInNotOpen,
            extra={"checked_in_at": now},
        )


def _ensure_check_in_open(booking: Booking, now: datetime) -> None:
    """Check-in runs from ``check_in_opens_minutes`` before the start until the end; each other
    case says what it is (checked in already, cancelled, too early, over)."""
    tz = booking.space.center.tz
    if booking.checked_in_at is not None:
        raise errors.AlreadyCheckedIn(clock(booking.checked_in_at, tz, now))
    if booking.status in (Status.CANCELLED, Status.REJECTED):
        raise errors.CodeCancelled()
    if booking.status == Status.PENDING:
        raise errors.CheckInNotOpen()
    if booking.status != Status.CONFIRMED or now >= booking.end:
        raise errors.CheckInClosed()
    opens = booking.start - timedelta(minutes=booking.space.check_in_opens_minutes)
    if now < opens:
        raise errors.CheckInNotYet(clock(opens, tz, now))


def booking_check_in_by_code(*, by: User, code: str, now: datetime | None = None) -> Booking:
    """Staff scan or type a member's code without picking the booking first: the booking is
    found among those of centers where ``by`` may check people in. A code shown again, or the
    code of a cancelled booking, says so (it is not a wrong code)."""
    now = now or timezone.now()
    code = code.strip()
    if not code:
        raise errors.WrongCode()
    bookings = Booking.objects.select_related("space__center").filter(check_in_code=code)
    allowed = centers_where(by, Action.CHECK_IN)
    if allowed is not None:
        bookings = bookings.filter(space__center_id__in=allowed)
    # Codes are random, so one code may (rarely) belong to an old booking too: the one still to
    # come or under way is meant, else the latest.
    booking = bookings.filter(status=Status.CONFIRMED, end__gt=now).order_by("start").first()
    booking = booking or bookings.order_by("-start").first()
    if booking is None:
        raise errors.WrongCode()
    return booking_check_in(booking=booking, by=by, code=code, now=now)
