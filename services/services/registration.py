"""Registering for sessions: seats that cannot be oversold and a waitlist that is fair.

Every change to a session's seats happens under the session's row lock, inside one
transaction with the points it spends or refunds; ``seats_taken <= capacity`` is also a
database constraint, so even a bug could not oversell.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.permissions import Action, staff_can
from core.audit import record_event, transition
from core.codes import short_code
from core.errors import LinliError, NotFound
from core.locks import lock
from members import errors as member_errors
from members.models import User
from members.selectors import may_act_for
from members.services.eligibility import eligibility_check, member_is_free
from members.services.no_shows import member_ensure_not_suspended
from members.services.points import points_refund, points_spend
from notifications.notify import notify
from notifications.registry import clock_job, copy_readers
from services import errors, rules
from services.messages import REGISTERED, ProgramMessage
from services.models import Program, Registration, Session, VolunteerRole
from services.services.common import lock_session
from services.services.volunteering import role_check, role_seat_release, role_seat_take

logger = logging.getLogger(__name__)
Status = Registration.Status


def points_due(program: Program, member: User, session: Session, party_size: int) -> int:
    if program.points_cost == 0:
        return 0
    if program.free_for_elderly and member_is_free(
        member, session.start.astimezone(program.center.tz).date()
    ):
        return 0
    return program.points_cost * party_size


def _spend(registration: Registration, session: Session) -> None:
    program = session.program
    cost = points_due(program, registration.member, session, registration.party_size)
    if cost:
        points_spend(
            member=registration.member,
            amount=cost,
            reason=_("Registration: %(title)s") % {"title": program.title},
            center=program.center,
            cause=registration,
        )


def _check_can_register(session: Session, member: User, party_size: int, now: datetime) -> None:
    if not rules.registration_open(session, now):
        raise errors.RegistrationClosed()
    _check_member(session, member, party_size, now)
    _check_daily_limit(session, member)


def _check_member(session: Session, member: User, party_size: int, now: datetime) -> None:
    """What only the member decides (and a concurrent registration of theirs cannot change)."""
    program = session.program
    member_ensure_not_suspended(member, now)
    if program.verification_required and not member.is_verified:
        raise member_errors.VerificationRequired()
    eligibility_check(
        member=member,
        rule=program.eligibility,
        on=session.start.astimezone(program.center.tz).date(),
    )
    if not 1 <= party_size <= program.max_party_size:
        message = _("At most %(n)d people per registration.") % {"n": program.max_party_size}
        raise errors.PartyTooLarge(message, fields={"party_size": [message]})


def _check_daily_limit(session: Session, member: User) -> None:
    program = session.program
    if program.max_per_member_per_day:
        tz = program.center.tz
        day_start = datetime.combine(session.start.astimezone(tz).date(), datetime.min.time(), tz)
        # This session itself is not counted: registering twice is AlreadyRegistered.
        same_day = (
            Registration.objects.filter(
                member=member,
                session__program=program,
                status__in=Registration.ACTIVE,
                session__start__gte=day_start,
                session__start__lt=day_start + timedelta(days=1),
            )
            .exclude(session=session)
            .count()
        )
        if same_day >= program.max_per_member_per_day:
            raise errors.DailyLimitReached()


def registration_obstacle(
    *, session: Session, member: User, party_size: int = 1, now: datetime | None = None
) -> LinliError | None:
    """What would stop ``member`` registering now (closed, not eligible, not verified,
    suspended, the daily limit), as the error ``session_register`` would raise, or None: the
    session page shows it before anyone taps. Reads only; the service checks again under its
    locks."""
    try:
        _check_can_register(session, member, party_size, now or timezone.now())
    except LinliError as error:
        return error
    return None


def session_register(
    *,
    session: Session,
    member: User,
    party_size: int = 1,
    role: VolunteerRole | None = None,
    by: User | None = None,
    now: datetime | None = None,
) -> Registration:
    """A seat if one is free, else a place at the end of the waitlist (or an entry in the
    lottery). Points are spent when a seat is confirmed. In a volunteer session, a place in
    ``role`` or RoleFull: volunteers choose another role rather than wait. ``by`` is who acts:
    the member, or a family member acting for them."""
    now = now or timezone.now()
    by = by or member
    if not may_act_for(by, member):
        raise NotFound()
    role_check(session, role, party_size)
    try:
        with transaction.atomic():
            # Every registration of the session queues on its row lock, held until the commit:
            # what only the member decides is checked before taking it (in the same order of
            # errors as under it), and only the seats are counted under it.
            if not rules.registration_open(session, now):
                raise errors.RegistrationClosed()
            _check_member(session, member, party_size, now)
            # Who reads the member's messages too (family acting for them), asked now rather
            # than by the message under the lock.
            readers = copy_readers(member)
            # The session before the member, as cancelling and refunding take them: the other
            # order deadlocks with staff cancelling the session while its members register.
            # Only the session's row is read again: its program and center, read just before
            # and never changed by registering, are kept.
            program = session.program
            session = lock(session)
            session.program = program
            # A session cancelled or closed meanwhile is seen here.
            if not rules.registration_open(session, now):
                raise errors.RegistrationClosed()
            if session.program.max_per_member_per_day:
                # The member's lock keeps two registrations of theirs (for two sessions of the
                # day) from both passing the daily limit. Points need none: spending is a
                # conditional update of the balance.
                lock(member)
                _check_daily_limit(session, member)
            registration = Registration(
                session=session,
                member=member,
                party_size=party_size,
                role=role,
                check_in_code=short_code(8),
            )
            if role is not None:
                role_seat_take(session, role)
                registration.status = Status.CONFIRMED
                registration.save()
                _spend(registration, session)
                Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + 1)
                action = "confirm"
            elif session.program.mode == Program.Mode.LOTTERY:
                registration.status = Status.ENTERED
                registration.save()
                action = "enter_lottery"
            elif session.seats_left >= party_size and not _has_waitlist(session):
                registration.status = Status.CONFIRMED
                registration.save()
                _spend(registration, session)
                Session.objects.filter(pk=session.pk).update(
                    seats_taken=F("seats_taken") + party_size
                )
                action = "confirm"
            else:
                registration.status = Status.WAITLISTED
                registration.position = _next_position(session)
                registration.save()
                action = "waitlist"
            record_event(registration, action, "", registration.status, by)
            notify(
                REGISTERED[registration.status],
                recipient=member,
                obj=registration,
                readers=readers,
                fresh=True,
            )
    except IntegrityError:
        # The one-active-registration constraint says whether the member is registered already
        # (no query to ask first: the whole transaction, seats and place in line, rolls back).
        raise errors.AlreadyRegistered() from None
    logger.info("registration %s: %s", registration.pk, registration.status)
    return registration


def _has_waitlist(session: Session) -> bool:
    """Free seats with people still waiting means the first in line needs more seats than are
    free (offer_next gives seats strictly in order): a newcomer queues behind them. A session
    nobody was ever waitlisted for has none (no query)."""
    if not session.waitlist_counter:
        return False
    return Registration.objects.filter(session=session, status=Status.WAITLISTED).exists()


def _next_position(session: Session) -> int:
    """The next place in line, from the counter on the session's row (held locked): one
    UPDATE ... RETURNING."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Session._meta.db_table} SET waitlist_counter = waitlist_counter + 1 "
            "WHERE id = %s RETURNING waitlist_counter",
            [session.pk],
        )
        return cursor.fetchone()[0]


def offer_next(session: Session, now: datetime) -> list[Registration]:
    """Offer freed seats to the waitlist in order. Caller holds the session lock.

    Strictly first come: if the first in line needs more seats than are free, later people
    wait too, rather than jump the queue."""
    session.refresh_from_db()
    offered = []
    expires_cap = session.start
    while True:
        first = (
            Registration.objects.filter(session=session, status=Status.WAITLISTED)
            .order_by("position")
            .select_related("member")
            .first()
        )
        if first is None or first.party_size > session.seats_left:
            return offered
        expires = min(now + timedelta(hours=session.program.offer_hours), expires_cap)
        if expires <= now:
            return offered
        Session.objects.filter(pk=session.pk).update(
            seats_taken=F("seats_taken") + first.party_size
        )
        session.refresh_from_db()
        transition(
            first,
            to=Status.OFFERED,
            allowed_from=[Status.WAITLISTED],
            action="offer",
            actor=None,
            error=errors.InvalidTransition,
            fields={"offer_expires_at": expires},
        )
        notify(ProgramMessage.WAITLIST_OFFER, recipient=first.member, obj=first)
        offered.append(first)


def _release_seats(session: Session, registration: Registration) -> None:
    Session.objects.filter(pk=session.pk).update(
        seats_taken=F("seats_taken") - registration.party_size
    )


def registration_cancel(
    *, registration: Registration, by: User, reason: str = "", now: datetime | None = None
) -> Registration:
    """The member leaves (a seat, an offer, the waitlist or the lottery) before the session
    starts; points come back if it is before the program's cancel deadline. Staff may cancel
    any active registration of their center, with a reason."""
    now = now or timezone.now()
    as_staff = not may_act_for(by, registration.member_id)
    session = registration.session
    if as_staff and not staff_can(by, Action.MANAGE_SESSIONS, session.program.center_id):
        raise NotFound()
    with transaction.atomic():
        session = lock_session(session)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        registration.session = session  # as locked
        if not rules.can_cancel(registration, now, as_staff=as_staff):
            raise errors.NotCancellable()
        was_seated = registration.status in Registration.SEATED
        transition(
            registration,
            to=Status.CANCELLED,
            allowed_from=rules.CANCELLABLE,
            action="cancel_by_staff" if as_staff else "cancel",
            actor=by,
            reason=reason,
            error=errors.NotCancellable,
        )
        deadline = session.start - timedelta(hours=session.program.cancel_deadline_hours)
        if as_staff or now <= deadline:
            points_refund(
                member=registration.member,
                cause=registration,
                reason=_("Refund: %(title)s") % {"title": session.program.title},
            )
        if was_seated:
            _release_seats(session, registration)
            role_seat_release(registration)
            offer_next(session, now)
    return registration


def registration_accept(
    *,
    registration: Registration,
    member: User,
    by: User | None = None,
    now: datetime | None = None,
) -> Registration:
    """Take an offered seat before the offer expires (then points are spent)."""
    now = now or timezone.now()
    by = by or member
    if registration.member_id != member.pk or not may_act_for(by, member):
        raise NotFound()
    with transaction.atomic():
        session = lock_session(registration.session)  # session, then member (see above)
        lock(member)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.OFFERED:
            # The contract's code for "no open offer" (API.md lists only this one for accept).
            raise errors.OfferExpired(_("There is no open offer to accept."))
        if registration.offer_expires_at <= now:
            raise errors.OfferExpired()
        _spend(registration, session)
        transition(
            registration,
            to=Status.CONFIRMED,
            allowed_from=[Status.OFFERED],
            action="accept",
            actor=by,
            error=errors.InvalidTransition,
        )
        notify(ProgramMessage.REGISTRATION_CONFIRMED, recipient=member, obj=registration)
    return registration


@clock_job
def offers_expire(now: datetime | None = None) -> int:
    """Clock job: offers past their time lapse and pass to the next in line."""
    now = now or timezone.now()
    count = 0
    due = (
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
        .values_list("session_id", flat=True)
        .distinct()
    )
    for session_id in list(due):
        with transaction.atomic():
            session = lock_session(Session(pk=session_id))
            expired = list(
                Registration.objects.select_for_update(skip_locked=True)
                .filter(session=session, status=Status.OFFERED, offer_expires_at__lte=now)
                .select_related("member")
            )
            for registration in expired:
                transition(
                    registration,
                    to=Status.EXPIRED,
                    allowed_from=[Status.OFFERED],
                    action="offer_expired",
                    actor=None,
                    error=errors.InvalidTransition,
                )
                _release_seats(session, registration)
                notify(
                    ProgramMessage.OFFER_EXPIRED, recipient=registration.member, obj=registration
                )
                count += 1
            if expired:
                offer_next(session, now)
    return count
