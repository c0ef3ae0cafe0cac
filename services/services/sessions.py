"""Staff schedule sessions: one by one, as a weekly series, or as a block of one-to-one
appointment slots. A session in a space holds every unit of it, under the same no-overlap
guarantee as bookings."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking, SpaceHold
from bookings.services import holds
from bookings.services.lifecycle import booking_cancel
from centers.models import Space
from centers.permissions import Action, staff_can
from core.audit import transition
from core.errors import Invalid, NotFound
from core.reasons import require_reason
from members.models import User
from members.services.points import points_refund
from notifications.notify import notify
from services import errors
from services.messages import ProgramMessage
from services.models import Program, Registration, Session, VolunteerRole
from services.services.common import lock_session
from services.services.registration import offer_next


def _require(by: User, program: Program) -> None:
    if not staff_can(by, Action.MANAGE_SESSIONS, program.center_id):
        raise NotFound()


def _hold_space(
    session: Session, space: Space, by: User, cancel_conflicting: bool, cancel_reason: str
) -> list[Booking]:
    """Take every unit of ``space`` for the session; bookings in the way fail the session
    unless staff chose to cancel them (with a reason) in the same step."""
    space = holds.lock_space(space)
    overlapping = SpaceHold.objects.filter(
        space=space, start__lt=session.end, end__gt=session.start
    )
    booking_ids = set(
        overlapping.filter(booking__isnull=False).values_list("booking_id", flat=True)
    )
    if overlapping.filter(booking__isnull=True).exclude(session=session).exists():
        raise errors.SessionConflict([])  # a blackout or another session
    conflicts = list(Booking.objects.filter(pk__in=booking_ids).select_related("member", "space"))
    if conflicts and not cancel_conflicting:
        raise errors.SessionConflict(conflicts)
    cancelled = [
        booking_cancel(booking=b, by=by, reason=cancel_reason or _("Used for a program session"))
        for b in conflicts
    ]
    holds.take_many(space, [(session.start, session.end)], session=session)
    return cancelled


def session_create(
    *,
    program: Program,
    start: datetime,
    end: datetime,
    capacity: int,
    by: User,
    space: Space | None = None,
    registration_opens: datetime | None = None,
    registration_closes: datetime | None = None,
    staff: User | None = None,
    note: str = "",
    cancel_conflicting: bool = False,
    cancel_reason: str = "",
) -> Session:
    _require(by, program)
    if end <= start:
        raise Invalid(_("The end must be after the start."), fields={"end": [_("After start.")]})
    if capacity < 1:
        raise Invalid(_("A session needs at least one seat."), fields={"capacity": [">= 1"]})
    if space is not None and space.center_id != program.center_id:
        raise Invalid(_("Choose a space of the program's center."), fields={"space": ["center"]})
    opens = registration_opens or timezone.now()
    closes = registration_closes or start
    if closes <= opens:
        raise Invalid(
            _("Registration must close after it opens."),
            fields={"registration_closes": [_("After opening.")]},
        )
    with transaction.atomic():
        session = Session.objects.create(
            program=program,
            start=start,
            end=end,
            capacity=capacity,
            space=space,
            registration_opens=opens,
            registration_closes=closes,
            staff=staff,
            note=note,
        )
        if space is not None:
            _hold_space(session, space, by, cancel_conflicting, cancel_reason)
    return session


@dataclass
class SeriesResult:
    sessions: list[Session] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)


def session_series_create(
    *,
    program: Program,
    weekday_list: list[int],
    start_time: time,
    end_time: time,
    first_date: date,
    last_date: date,
    capacity: int,
    by: User,
    space: Space | None = None,
    skip_dates: set[date] | None = None,
    opens_days_before: int = 7,
) -> SeriesResult:
    """Weekly sessions until a date; skipped dates (holidays) and dates whose space is taken
    are left out and reported."""
    _require(by, program)
    # Planning builds on session_create: imported here, the two modules need each other.
    from services.services.planning import plan_series, sessions_create_planned

    plans = plan_series(
        program=program,
        weekday_list=weekday_list,
        start_time=start_time,
        end_time=end_time,
        first_date=first_date,
        last_date=last_date,
        capacity=capacity,
        space=space,
        skip_dates=skip_dates,
        opens_days_before=opens_days_before,
    )
    outcome = sessions_create_planned(plans=plans, by=by, cancel_bookings=set())
    tz = program.center.tz
    return SeriesResult(
        outcome.created,
        [(plan.start.astimezone(tz).date(), code) for plan, code in outcome.skipped],
    )


def appointment_block_create(
    *,
    program: Program,
    start: datetime,
    end: datetime,
    slot_minutes: int,
    by: User,
    staff: User | None = None,
    space: Space | None = None,
) -> list[Session]:
    """A block of staff time split into one-seat slots (legal advice, counselling, TCM)."""
    _require(by, program)
    if program.kind != Program.Kind.APPOINTMENT:
        raise Invalid(_("Only appointment programs have slots."))
    if slot_minutes < 5 or (end - start) < timedelta(minutes=slot_minutes):
        raise Invalid(_("The block must hold at least one slot."), fields={"slot_minutes": ["≥5"]})
    slots = []
    with transaction.atomic():
        t = start
        while t + timedelta(minutes=slot_minutes) <= end:
            slots.append(
                session_create(
                    program=program,
                    start=t,
                    end=t + timedelta(minutes=slot_minutes),
                    capacity=1,
                    by=by,
                    space=space,
                    staff=staff,
                )
            )
            t += timedelta(minutes=slot_minutes)
    return slots


def session_update(
    *,
    session: Session,
    by: User,
    capacity: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Session:
    """Change a session; registered members are told. More seats go to the waitlist at once;
    fewer than already taken is refused (cancel registrations first)."""
    _require(by, session.program)
    now = now or timezone.now()
    with transaction.atomic():
        session = lock_session(session)
        if session.status != Session.Status.SCHEDULED:
            raise errors.InvalidTransition()
        changed_time = False
        if capacity is not None:
            if capacity < session.seats_taken:
                raise Invalid(
                    _("%(n)d seats are already taken.") % {"n": session.seats_taken},
                    fields={"capacity": [_("At least the seats already taken.")]},
                )
            session.capacity = capacity
        if start is not None or end is not None:
            session.start = start or session.start
            session.end = end or session.end
            if session.end <= session.start:
                raise Invalid(_("The end must be after the start."))
            changed_time = True
        if note is not None:
            session.note = note
        session.save()
        if changed_time and session.space_id:
            holds.release(SpaceHold.objects.filter(session=session))
            _hold_space(session, session.space, by, False, "")
        offer_next(session, now)
        for registration in session.registrations.filter(
            status__in=Registration.ACTIVE
        ).select_related("member"):
            notify(ProgramMessage.SESSION_CHANGED, recipient=registration.member, obj=session)
    return session


def session_cancel(*, session: Session, by: User, reason: str) -> Session:
    """Cancel a session: every registration is cancelled with its points refunded, the space
    is freed, and members are told why."""
    _require(by, session.program)
    reason = require_reason(reason)
    with transaction.atomic():
        session = lock_session(session)
        if session.status != Session.Status.SCHEDULED:
            raise errors.InvalidTransition()
        session.status = Session.Status.CANCELLED
        session.seats_taken = 0
        session.save(update_fields=["status", "seats_taken"])
        VolunteerRole.objects.filter(session=session).update(seats_taken=0)
        holds.release(SpaceHold.objects.filter(session=session))
        for registration in session.registrations.filter(
            status__in=Registration.ACTIVE
        ).select_related("member"):
            transition(
                registration,
                to=Registration.Status.CANCELLED,
                allowed_from=Registration.ACTIVE,
                action="session_cancelled",
                actor=by,
                reason=reason,
                error=errors.InvalidTransition,
            )
            points_refund(
                member=registration.member,
                cause=registration,
                reason=_("Session cancelled: %(title)s") % {"title": session.program.title},
            )
            notify(ProgramMessage.SESSION_CANCELLED, recipient=registration.member, obj=session)
    return session
