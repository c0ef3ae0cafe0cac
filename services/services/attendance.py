"""Check-in at a session, the points attendance earns, and no-shows after it ends."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings import errors as booking_errors
from centers.permissions import Action, centers_where, staff_can
from core.audit import transition
from core.errors import NotFound
from core.localtime import clock
from members.models import PointsEntry, User
from members.services.no_shows import no_show_record
from members.services.points import points_earn
from notifications.registry import clock_job
from services import errors as services_errors
from services.models import Registration, Session
from services.services.volunteering import shift_confirm

Status = Registration.Status
CHECK_IN_OPENS = timedelta(minutes=30)


def registration_check_in(
    *, registration: Registration, by: User, now: datetime | None = None
) -> Registration:
    """Staff check a member in (after scanning or typing their code); attendance earns the
    program's points, once."""
    now = now or timezone.now()
    session = registration.session
    program = session.program
    if not staff_can(by, Action.CHECK_IN, program.center_id):
        raise NotFound()
    _ensure_check_in_open(registration, now)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        _ensure_check_in_open(registration, now)
        transition(
            registration,
            to=Status.CHECKED_IN,
            allowed_from=[Status.CONFIRMED],
            action="check_in",
            actor=by,
            error=booking_errors.CheckInNotOpen,
            fields={"checked_in_at": now},
        )
        if registration.role_id:
            shift_confirm(registration, by)
        elif program.points_reward:
            points_earn(
                member=registration.member,
                amount=program.points_reward,
                kind=PointsEntry.Kind.ATTENDANCE,
                reason=program.title,
                center=program.center,
                cause=registration,
            )
    return registration


def _ensure_check_in_open(registration: Registration, now: datetime) -> None:
    """Seated members check in from half an hour before the start until the end; each other
    case says what it is (checked in already, cancelled, too early, over)."""
    session = registration.session
    tz = session.program.center.tz
    if registration.checked_in_at is not None:
        raise booking_errors.AlreadyCheckedIn(clock(registration.checked_in_at, tz, now))
    if registration.status in (Status.CANCELLED, Status.EXPIRED) or (
        session.status == Session.Status.CANCELLED
    ):
        raise booking_errors.CodeCancelled()
    if registration.status == Status.NO_SHOW or now >= session.end:
        raise booking_errors.CheckInClosed()
    if registration.status != Status.CONFIRMED:
        raise booking_errors.CheckInNotOpen()  # on the waitlist, offered, in the draw
    if now < session.start - CHECK_IN_OPENS:
        raise booking_errors.CheckInNotYet(clock(session.start - CHECK_IN_OPENS, tz, now))


def registration_check_in_by_code(*, by: User, code: str, now: datetime | None = None):
    """Staff scan or type a member's code: the registration is found among the sessions of
    centers where ``by`` may check people in; a code shown again says so."""
    now = now or timezone.now()
    code = code.strip()
    if not code:
        raise booking_errors.WrongCode()
    registrations = Registration.objects.select_related("session__program__center").filter(
        check_in_code=code
    )
    allowed = centers_where(by, Action.CHECK_IN)
    if allowed is not None:
        registrations = registrations.filter(session__program__center_id__in=allowed)
    # The registration still to come or under way is meant, else the latest with this code.
    registration = (
        registrations.filter(status=Status.CONFIRMED, session__end__gt=now)
        .order_by("session__start")
        .first()
    ) or registrations.order_by("-session__start").first()
    if registration is None:
        raise booking_errors.WrongCode()
    return registration_check_in(registration=registration, by=by, now=now)


@clock_job
def registrations_mark_no_shows(now: datetime | None = None) -> int:
    """Clock job: confirmed registrations of ended sessions without a check-in."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = list(
            Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=Status.CONFIRMED,
                session__end__lte=now,
                session__status=Session.Status.SCHEDULED,
            )
            .select_related("member", "session__program__center")[:200]
        )
        for registration in due:
            transition(
                registration,
                to=Status.NO_SHOW,
                allowed_from=[Status.CONFIRMED],
                action="no_show",
                actor=None,
                error=services_errors.InvalidTransition,
            )
            no_show_record(
                member=registration.member,
                center=registration.session.program.center,
                cause=registration,
                occurred_at=registration.session.start,
            )
            count += 1
    return count
