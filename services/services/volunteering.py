"""Volunteer sessions: roles with seats (理发 2 人, 扦脚 1 人), signing up for one, and the
hours and points staff confirm at check-in.

A role's seats are counted like a session's: a conditional ``seats_taken + 1`` under the
session's row lock, with ``seats_taken <= seats`` a database constraint, so no role is ever
oversold. A volunteer session's capacity is the sum of its roles' seats, kept by the services
here, so a free role always has a free session seat too.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from centers.permissions import Action, staff_can
from core.errors import Invalid, NotFound
from members.models import User
from members.services.volunteering import volunteer_shift_record
from services import errors
from services.models import Program, Registration, Session, VolunteerRole
from services.services.common import lock_session

ONE_HOUR = Decimal(3600)


def _require(by: User, session: Session) -> None:
    if not staff_can(by, Action.MANAGE_SESSIONS, session.program.center_id):
        raise NotFound()


def _sync_capacity(session: Session) -> None:
    seats = session.roles.aggregate(total=Sum("seats"))["total"] or 0
    Session.objects.filter(pk=session.pk).update(capacity=seats)


def volunteer_role_add(*, session: Session, name: str, seats: int, by: User) -> VolunteerRole:
    """A role in a volunteer program's session; the session's seats grow with it."""
    _require(by, session)
    name = " ".join(name.split())
    if session.program.kind != Program.Kind.VOLUNTEER:
        raise Invalid(_("Only sessions of volunteer programs have roles."))
    if not name:
        raise Invalid(_("Name the role."), fields={"name": [_("Required.")]})
    if seats < 1:
        raise Invalid(fields={"seats": [_("At least one.")]})
    try:
        with transaction.atomic():
            session = lock_session(session)
            if session.status != Session.Status.SCHEDULED:
                raise errors.InvalidTransition()
            role = VolunteerRole.objects.create(session=session, name=name[:50], seats=seats)
            _sync_capacity(session)
    except IntegrityError:
        message = _("This session already has a role of that name.")
        raise Invalid(message, fields={"name": [message]}) from None
    return role


def volunteer_role_change(*, role: VolunteerRole, seats: int, by: User) -> VolunteerRole:
    """More or fewer places in a role; never fewer than volunteers already signed up."""
    _require(by, role.session)
    with transaction.atomic():
        session = lock_session(role.session)
        role = VolunteerRole.objects.get(pk=role.pk)
        if seats < max(role.seats_taken, 1):
            message = _("%(n)d volunteers have already signed up.") % {"n": role.seats_taken}
            raise Invalid(message, fields={"seats": [message]})
        VolunteerRole.objects.filter(pk=role.pk).update(seats=seats)
        _sync_capacity(session)
    role.refresh_from_db()
    return role


def role_check(session: Session, role: VolunteerRole | None, party_size: int) -> None:
    """What a sign-up must say before any lock: a role of this very session for a volunteer
    session, none for any other, and one person."""
    if session.program.kind != Program.Kind.VOLUNTEER:
        if role is not None:
            raise errors.RoleRequired(_("This session has no volunteer roles."))
        return
    if role is None or role.session_id != session.pk:
        raise errors.RoleRequired()
    if party_size != 1:
        message = _("Volunteers sign up one by one.")
        raise errors.PartyTooLarge(message, fields={"party_size": [message]})


def role_seat_take(session: Session, role: VolunteerRole) -> None:
    """Under the session's lock: one seat of the role, or RoleFull."""
    if session.seats_left < 1:
        raise errors.RoleFull()
    taken = VolunteerRole.objects.filter(pk=role.pk, seats_taken__lt=F("seats")).update(
        seats_taken=F("seats_taken") + 1
    )
    if not taken:
        raise errors.RoleFull()


def role_seat_release(registration: Registration) -> None:
    """Under the session's lock: the seat of a volunteer who is no longer coming."""
    if registration.role_id:
        VolunteerRole.objects.filter(pk=registration.role_id, seats_taken__gt=0).update(
            seats_taken=F("seats_taken") - 1
        )


def shift_confirm(registration: Registration, by: User) -> None:
    """Staff confirmed the volunteer came (checked them in): the session's hours become an
    approved volunteer record with its points, once per sign-up."""
    session = registration.session
    center = session.program.center
    hours = Decimal((session.end - session.start).total_seconds()) / ONE_HOUR
    volunteer_shift_record(
        member=registration.member,
        center=center,
        day=session.start.astimezone(center.tz).date(),
        hours=hours.quantize(Decimal("0.1")),
        description=f"{session.program.title} · {registration.role.name}",
        by=by,
        cause=registration,
    )
