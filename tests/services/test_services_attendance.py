"""Check-in at a session (staff pick the registration, or scan or type the member's code),
the points attendance earns (once), and no-shows recorded after the end, which count toward
the center's no-show policy."""

import logging
from datetime import timedelta

import pytest

from bookings import errors as booking_errors
from centers.models import StaffAssignment
from core.errors import NotFound
from members.errors import MemberSuspended
from members.models import NoShow, PointsEntry, Suspension, User
from members.services.points import points_earn
from services import errors
from services.models import Program, Registration, Session
from services.services.attendance import (
    registration_check_in,
    registration_check_in_by_code,
    registrations_mark_no_shows,
)
from services.services.registration import registration_cancel, session_register
from services.services.sessions import session_cancel
from tests.factories import (
    ProgramFactory,
    SessionFactory,
    StaffAssignmentFactory,
    UserFactory,
    staff_at,
)
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = MONDAY + timedelta(days=1)
Status = Registration.Status


at = hour_on(TUESDAY)


NOW = at(8, day=MONDAY)
START, END = at(14), at(16)


@pytest.fixture
def program() -> Program:
    # Costs 2 points, attending earns 5.
    return ProgramFactory(points_cost=2, points_reward=5)


@pytest.fixture
def session(program) -> Session:
    return SessionFactory(program=program, start=START, end=END, capacity=5)


def member_with_points() -> User:
    member = UserFactory()
    points_earn(member=member, amount=10, kind=PointsEntry.Kind.VOLUNTEER, reason="志愿服务")
    return member


@pytest.fixture
def member() -> User:
    return member_with_points()


@pytest.fixture
def registration(session, member) -> Registration:
    return session_register(session=session, member=member, now=NOW)


@pytest.fixture
def front_desk(program) -> User:
    return staff_at(program.center, StaffAssignment.Role.FRONT_DESK)


def status(registration: Registration) -> str:
    return Registration.objects.values_list("status", flat=True).get(pk=registration.pk)


def balance(member: User) -> int:
    return User.objects.values_list("points_balance", flat=True).get(pk=member.pk)


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


# --- Check-in ------------------------------------------------------------------------------------


def test_check_in_earns_the_programs_points_once(registration, member, front_desk) -> None:
    checked_in = registration_check_in(
        registration=registration, by=front_desk, now=START - timedelta(minutes=30)
    )

    assert checked_in.status == Status.CHECKED_IN
    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_at) == (
        Status.CHECKED_IN,
        START - timedelta(minutes=30),
    )
    assert list(registration.events.values_list("action", "actor"))[-1] == (
        "check_in",
        front_desk.pk,
    )
    earned = PointsEntry.objects.get(member=member, kind=PointsEntry.Kind.ATTENDANCE)
    assert (earned.delta, earned.cause, earned.center) == (
        5,
        registration,
        registration.session.program.center,
    )
    assert balance(member) == 10 - 2 + 5
    # Twice is refused, and earns nothing more.
    with pytest.raises(booking_errors.CheckInNotOpen):
        registration_check_in(registration=registration, by=front_desk, now=START)
    assert balance(member) == 13
    # A member who came cannot cancel afterwards (and so cannot get the cost back).
    with pytest.raises(errors.NotCancellable):
        registration_cancel(registration=registration, by=member, now=START)


def test_a_program_without_a_reward_earns_nothing(session, member, front_desk) -> None:
    session.program.points_reward = 0
    session.program.save()
    registration = session_register(session=session, member=member, now=NOW)

    registration_check_in(registration=registration, by=front_desk, now=START)

    assert not PointsEntry.objects.filter(kind=PointsEntry.Kind.ATTENDANCE).exists()


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(START - timedelta(minutes=31), id="too-early"),
        pytest.param(END, id="over"),
    ],
)
def test_check_in_is_open_from_half_an_hour_before_until_the_end(
    registration, front_desk, now
) -> None:
    with pytest.raises(booking_errors.CheckInNotOpen) as caught:
        registration_check_in(registration=registration, by=front_desk, now=now)

    assert caught.value.code == "check_in_not_open"
    assert status(registration) == Status.CONFIRMED


def test_only_confirmed_registrations_check_in(program, front_desk) -> None:
    session = SessionFactory(program=program, start=START, end=END, capacity=1)
    session_register(session=session, member=member_with_points(), now=NOW)
    waiting = session_register(session=session, member=member_with_points(), now=NOW)

    with pytest.raises(booking_errors.CheckInNotOpen):
        registration_check_in(registration=waiting, by=front_desk, now=START)
    assert status(waiting) == Status.WAITLISTED


def test_staff_of_other_centers_and_viewers_cannot_check_in(registration, program) -> None:
    viewer = staff_at(program.center, StaffAssignment.Role.VIEWER)

    for outsider in (viewer, StaffAssignmentFactory().user, UserFactory()):
        with pytest.raises(NotFound):
            registration_check_in(registration=registration, by=outsider, now=START)
    assert status(registration) == Status.CONFIRMED


class TestByCode:
    def test_staff_type_or_scan_the_members_code(self, registration, front_desk) -> None:
        checked_in = registration_check_in_by_code(
            by=front_desk, code=f" {registration.check_in_code} ", now=START
        )

        assert checked_in.pk == registration.pk
        assert status(registration) == Status.CHECKED_IN

    def test_only_in_the_staff_members_own_centers(self, registration, front_desk) -> None:
        elsewhere = StaffAssignmentFactory(role=StaffAssignment.Role.FRONT_DESK).user

        with pytest.raises(booking_errors.WrongCode) as caught:
            registration_check_in_by_code(by=elsewhere, code=registration.check_in_code, now=START)

        assert caught.value.code == "wrong_code"
        assert status(registration) == Status.CONFIRMED
        superuser = UserFactory(is_superuser=True, is_staff=True)
        registration_check_in_by_code(by=superuser, code=registration.check_in_code, now=START)
        assert status(registration) == Status.CHECKED_IN

    def test_wrong_empty_or_finished_codes(self, registration, front_desk) -> None:
        wrong = "0" * 8 if registration.check_in_code != "0" * 8 else "1" * 8
        for code, now in ((wrong, START), ("", START), (" ", START)):
            with pytest.raises(booking_errors.WrongCode):
                registration_check_in_by_code(by=front_desk, code=code, now=now)
        # The session is over: the code is right, and says so.
        with pytest.raises(booking_errors.CheckInClosed):
            registration_check_in_by_code(by=front_desk, code=registration.check_in_code, now=END)
        assert status(registration) == Status.CONFIRMED


# --- No-shows ------------------------------------------------------------------------------------


def test_a_confirmed_registration_nobody_checked_in_becomes_a_no_show_after_the_end(
    session, registration, member, front_desk, clock, caplog, django_capture_on_commit_callbacks
) -> None:
    came = session_register(session=session, member=member_with_points(), now=NOW)
    registration_check_in(registration=came, by=front_desk, now=START)
    left = session_register(session=session, member=member_with_points(), now=NOW)
    registration_cancel(registration=left, by=left.member, now=NOW)

    assert registrations_mark_no_shows(now=END - timedelta(seconds=1)) == 0
    clock.move_to(END)
    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert registrations_mark_no_shows(now=END) == 1

    assert [status(r) for r in (registration, came, left)] == [
        Status.NO_SHOW,
        Status.CHECKED_IN,
        Status.CANCELLED,
    ]
    no_show = NoShow.objects.get()
    assert (no_show.member, no_show.cause, no_show.occurred_at, no_show.center) == (
        member,
        registration,
        START,
        session.program.center,
    )
    assert list(registration.events.values_list("action", "actor"))[-1] == ("no_show", None)
    assert notifications(caplog) == [
        f"notify no_show_warning to member {member.pk} about "
        f"services.Registration:{registration.pk}"
    ]
    assert balance(member) == 8  # the seat was paid for and not used: no refund
    assert registrations_mark_no_shows(now=END) == 0  # safe to run twice
    assert NoShow.objects.count() == 1


def test_a_cancelled_session_leaves_no_no_shows(session, registration, clock) -> None:
    session_cancel(
        session=session,
        by=staff_at(session.program.center),
        reason="暴雨",
    )
    clock.move_to(END + timedelta(hours=1))

    assert registrations_mark_no_shows(now=END + timedelta(hours=1)) == 0
    assert not NoShow.objects.exists()


def test_the_third_no_show_suspends_registering(program, member, clock) -> None:
    days = [TUESDAY + timedelta(days=n) for n in range(3)]
    sessions = [
        SessionFactory(program=program, start=at(14, day=d), end=at(16, day=d)) for d in days
    ]
    for session in sessions:
        session_register(session=session, member=member, now=NOW)
    later = SessionFactory(program=program, start=at(14, day=TUESDAY + timedelta(days=7)))
    after = at(17, day=days[-1])
    clock.move_to(after)

    assert registrations_mark_no_shows(now=after) == 3

    suspension = Suspension.objects.get(member=member)
    assert suspension.center == program.center
    assert suspension.ends_at == after + timedelta(days=program.center.suspension_days)
    with pytest.raises(MemberSuspended):
        session_register(session=later, member=member, now=after)
