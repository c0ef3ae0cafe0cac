"""Volunteer sessions: roles with seats that are never oversold, signing up for a role like a
registration, and the hours and points staff confirm at check-in, once. "Now" is Monday 8:00
in Shanghai; the weekly convenience service is on Tuesday 8:30–11:30."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from bookings.errors import CheckInNotOpen
from core.errors import Conflict, Invalid, NotFound
from members.models import PointsEntry, VolunteerRecord
from members.services.volunteering import volunteer_shift_record
from services import errors
from services.models import Program, Registration, VolunteerRole
from services.services.attendance import registration_check_in
from services.services.registration import registration_cancel, session_register
from services.services.sessions import session_cancel
from services.services.volunteering import volunteer_role_add, volunteer_role_change
from tests.factories import ProgramFactory, SessionFactory, UserFactory, staff_at
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

at = hour_on(MONDAY)
TUESDAY = MONDAY.replace(day=24)
Status = Registration.Status


@pytest.fixture
def program() -> Program:
    return ProgramFactory(
        title="驿心便民周周享·志愿者", category="convenience", kind=Program.Kind.VOLUNTEER
    )


@pytest.fixture
def manager(program):
    return staff_at(program.center)


@pytest.fixture
def session(program, manager):
    session = SessionFactory(
        program=program, start=at(8, 30, day=TUESDAY), end=at(11, 30, day=TUESDAY), by=manager
    )
    volunteer_role_add(session=session, name="理发", seats=2, by=manager)
    volunteer_role_add(session=session, name="扦脚", seats=1, by=manager)
    session.refresh_from_db()
    return session


def role(session, name: str) -> VolunteerRole:
    return session.roles.get(name=name)


def test_roles_set_the_sessions_seats(session, manager):
    assert session.capacity == 3
    assert [(r.name, r.seats, r.seats_left) for r in session.roles.all()] == [
        ("理发", 2, 2),
        ("扦脚", 1, 1),
    ]

    volunteer_role_change(role=role(session, "理发"), seats=4, by=manager)
    session.refresh_from_db()
    assert session.capacity == 5


def test_role_refusals(session, manager, program):
    with pytest.raises(Invalid):
        volunteer_role_add(session=session, name="理发", seats=1, by=manager)  # same name
    with pytest.raises(Invalid):
        volunteer_role_add(session=session, name=" ", seats=1, by=manager)
    with pytest.raises(Invalid):
        volunteer_role_add(session=session, name="量血压", seats=0, by=manager)
    with pytest.raises(NotFound):
        volunteer_role_add(session=session, name="量血压", seats=1, by=UserFactory())
    lecture = SessionFactory(program=ProgramFactory(center=program.center), by=manager)
    with pytest.raises(Invalid):
        volunteer_role_add(session=lecture, name="讲师", seats=1, by=manager)
    assert VolunteerRole.objects.count() == 2


def test_signing_up_takes_a_seat_of_the_role(session):
    member = UserFactory()

    registration = session_register(session=session, member=member, role=role(session, "扦脚"))

    assert (registration.status, registration.role.name) == (Status.CONFIRMED, "扦脚")
    assert role(session, "扦脚").seats_taken == 1
    session.refresh_from_db()
    assert session.seats_taken == 1
    with pytest.raises(errors.RoleFull) as raised:
        session_register(session=session, member=UserFactory(), role=role(session, "扦脚"))
    assert (raised.value.code, raised.value.status) == ("role_full", 409)
    with pytest.raises(errors.AlreadyRegistered):
        session_register(session=session, member=member, role=role(session, "理发"))
    assert Registration.objects.count() == 1


def test_a_volunteer_session_needs_a_role_of_its_own(session, program, manager):
    other = SessionFactory(program=program, by=manager)
    volunteer_role_add(session=other, name="理发", seats=5, by=manager)

    for kwargs in (
        {},
        {"role": other.roles.get()},
        {"role": role(session, "理发"), "party_size": 2},
    ):
        with pytest.raises(errors.LinliError) as raised:
            session_register(session=session, member=UserFactory(), **kwargs)
        assert raised.value.code == "invalid"
    lecture = SessionFactory(program=ProgramFactory(center=program.center), by=manager)
    with pytest.raises(errors.RoleRequired):
        session_register(session=lecture, member=UserFactory(), role=role(session, "理发"))
    assert not Registration.objects.exists()


def test_leaving_frees_the_role_and_fewer_seats_than_taken_is_refused(session, manager):
    barber = role(session, "理发")
    first = session_register(session=session, member=UserFactory(), role=barber)
    session_register(session=session, member=UserFactory(), role=barber)
    with pytest.raises(Invalid):
        volunteer_role_change(role=barber, seats=1, by=manager)

    registration_cancel(registration=first, by=first.member)

    assert role(session, "理发").seats_taken == 1
    assert session_register(session=session, member=UserFactory(), role=barber).role == barber


def test_the_database_refuses_an_oversold_role(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        VolunteerRole.objects.filter(name="扦脚").update(seats_taken=2)


def test_cancelling_the_session_empties_its_roles(session, manager):
    session_register(session=session, member=UserFactory(), role=role(session, "理发"))

    session_cancel(session=session, by=manager, reason="暴雨")

    assert [r.seats_taken for r in session.roles.all()] == [0, 0]


def test_check_in_records_the_hours_and_points_once(session, manager, clock):
    volunteer = UserFactory()
    registration = session_register(session=session, member=volunteer, role=role(session, "理发"))
    clock.move_to(at(8, 20, day=TUESDAY))

    registration_check_in(registration=registration, by=manager)

    record = VolunteerRecord.objects.get(member=volunteer)
    assert (record.status, record.hours, record.day) == ("approved", Decimal("3.0"), TUESDAY)
    assert record.description == "驿心便民周周享·志愿者 · 理发"
    assert (record.cause_type, record.cause_id) == (
        ContentType.objects.get_for_model(Registration),
        registration.pk,
    )
    entry = PointsEntry.objects.get(member=volunteer)
    assert (entry.kind, entry.delta, entry.created_by) == ("volunteer", 30, manager)
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 30
    # A second confirmation is refused at every level: the status, and the unique cause.
    with pytest.raises(CheckInNotOpen):
        registration_check_in(registration=registration, by=manager)
    with pytest.raises(Conflict):
        volunteer_shift_record(
            member=volunteer,
            center=session.program.center,
            day=TUESDAY,
            hours=Decimal("3"),
            description="again",
            by=manager,
            cause=registration,
        )
    assert PointsEntry.objects.filter(member=volunteer).count() == 1
    assert VolunteerRecord.objects.filter(member=volunteer).count() == 1


def test_a_plain_program_still_earns_attendance_points(program, manager, clock):
    lecture = ProgramFactory(center=program.center, points_reward=2)
    session = SessionFactory(program=lecture, start=at(10), end=at(11), by=manager)
    registration = session_register(session=session, member=UserFactory())
    clock.move_to(at(10))

    registration_check_in(registration=registration, by=manager)

    assert PointsEntry.objects.get().kind == "attendance"
    assert not VolunteerRecord.objects.exists()
