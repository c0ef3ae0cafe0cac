"""session_register and registration_cancel: every check in the order a resident meets it,
seats that run out into a waitlist in arrival order, and points spent on a confirmed seat and
refunded exactly once by a cancellation before the program's deadline."""

import logging
import re
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from centers.models import StaffAssignment
from core.errors import NotFound
from members.errors import InsufficientPoints, MemberSuspended, NotEligible, VerificationRequired
from members.models import PointsEntry, Suspension, User
from members.services.points import AlreadyRecorded, points_earn, points_refund
from services import errors
from services.models import Program, Registration, Session
from services.services.registration import registration_cancel, session_register
from services.services.sessions import session_cancel
from tests.factories import (
    EligibilityRuleFactory,
    ProgramFactory,
    SessionFactory,
    StaffAssignmentFactory,
    UserFactory,
    VerifiedMemberFactory,
    staff_at,
)
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = MONDAY + timedelta(days=1)
Status = Registration.Status


at = hour_on(MONDAY)


NOW = at(8)
START = at(14, day=TUESDAY)  # a two-hour health lecture on Tuesday afternoon


@pytest.fixture
def program() -> Program:
    return ProgramFactory()


@pytest.fixture
def session(program) -> Session:
    return SessionFactory(program=program, start=START, capacity=2)


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def seats_taken(session: Session) -> int:
    return Session.objects.values_list("seats_taken", flat=True).get(pk=session.pk)


def status(registration: Registration) -> str:
    return Registration.objects.values_list("status", flat=True).get(pk=registration.pk)


def with_points(amount: int, **kwargs) -> User:
    member = UserFactory(**kwargs)
    points_earn(member=member, amount=amount, kind=PointsEntry.Kind.VOLUNTEER, reason="图书整理")
    return member


def ledger(member: User) -> list[tuple[str, int, int]]:
    """(kind, delta, balance after) of the member's points entries, oldest first."""
    return list(
        PointsEntry.objects.filter(member=member)
        .order_by("created", "id")
        .values_list("kind", "delta", "balance_after")
    )


def balance(member: User) -> int:
    return User.objects.values_list("points_balance", flat=True).get(pk=member.pk)


# --- Seats and the waitlist ----------------------------------------------------------------------


def test_seats_are_confirmed_while_they_last_then_the_waitlist_fills_in_arrival_order(
    session, caplog, django_capture_on_commit_callbacks
) -> None:
    members = UserFactory.create_batch(4)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        registrations = [session_register(session=session, member=m, now=NOW) for m in members]

    assert [(r.status, r.position) for r in registrations] == [
        (Status.CONFIRMED, None),
        (Status.CONFIRMED, None),
        (Status.WAITLISTED, 1),
        (Status.WAITLISTED, 2),
    ]
    assert seats_taken(session) == 2
    assert all(re.fullmatch(r"\d{8}", r.check_in_code) for r in registrations)
    assert [
        list(r.events.values_list("action", "from_status", "to_status", "actor"))
        for r in registrations
    ] == [
        [("confirm", "", "confirmed", members[0].pk)],
        [("confirm", "", "confirmed", members[1].pk)],
        [("waitlist", "", "waitlisted", members[2].pk)],
        [("waitlist", "", "waitlisted", members[3].pk)],
    ]
    assert notifications(caplog) == [
        f"notify registration_confirmed to member {members[0].pk} about "
        f"services.Registration:{registrations[0].pk}",
        f"notify registration_confirmed to member {members[1].pk} about "
        f"services.Registration:{registrations[1].pk}",
        f"notify registration_waitlisted to member {members[2].pk} about "
        f"services.Registration:{registrations[2].pk}",
        f"notify registration_waitlisted to member {members[3].pk} about "
        f"services.Registration:{registrations[3].pk}",
    ]


def test_a_party_takes_as_many_seats_as_people(session) -> None:
    session.program.max_party_size = 2
    session.program.save()

    registration = session_register(session=session, member=UserFactory(), party_size=2, now=NOW)

    assert (registration.status, registration.party_size) == (Status.CONFIRMED, 2)
    assert seats_taken(session) == 2
    late = session_register(session=session, member=UserFactory(), now=NOW)
    assert late.status == Status.WAITLISTED


def test_a_newcomer_does_not_jump_a_party_waiting_for_enough_seats(program) -> None:
    program.max_party_size = 2
    program.save()
    session = SessionFactory(program=program, start=START, capacity=3)
    session_register(session=session, member=UserFactory(), party_size=2, now=NOW)
    couple = session_register(session=session, member=UserFactory(), party_size=2, now=NOW)
    assert couple.status == Status.WAITLISTED  # one seat left, two needed

    single = session_register(session=session, member=UserFactory(), now=NOW)

    # The free seat stays free: the couple is first in line and the newcomer queues behind.
    assert (single.status, single.position) == (Status.WAITLISTED, 2)
    assert seats_taken(session) == 2


# --- Every check, in the order a resident meets it -----------------------------------------------


class TestChecks:
    @pytest.mark.parametrize(
        "now",
        [
            pytest.param(at(9) - timedelta(minutes=1), id="not-open-yet"),
            pytest.param(at(12, day=TUESDAY), id="closed"),
            pytest.param(at(14, 30, day=TUESDAY), id="started"),
        ],
    )
    def test_outside_the_window_or_after_the_start(self, program, member, now) -> None:
        # Open Monday 9:00 until Tuesday noon; the start itself (14:00) also ends registration
        # for a session whose window staff left open past it.
        session = SessionFactory(
            program=program,
            start=START,
            registration_opens=at(9),
            registration_closes=at(12, day=TUESDAY),
        )
        late_window = SessionFactory(
            program=program,
            start=START,
            registration_opens=at(9),
            registration_closes=at(16, day=TUESDAY),
        )

        for target in (session, late_window) if now > START else (session,):
            with pytest.raises(errors.RegistrationClosed) as caught:
                session_register(session=target, member=member, now=now)
            assert caught.value.code == "registration_closed"
        assert not Registration.objects.exists()
        assert session_register(session=session, member=member, now=at(9)).status == (
            Status.CONFIRMED
        )

    def test_a_cancelled_session(self, session, member) -> None:
        manager = staff_at(session.program.center)
        session_cancel(session=session, by=manager, reason="讲师生病")

        with pytest.raises(errors.RegistrationClosed):
            session_register(session=Session.objects.get(pk=session.pk), member=member, now=NOW)
        assert not Registration.objects.exists()

    def test_an_inactive_program(self, session, member) -> None:
        session.program.is_active = False
        session.program.save()

        with pytest.raises(errors.RegistrationClosed):
            session_register(session=session, member=member, now=NOW)

    def test_a_suspended_member(self, session, member) -> None:
        # Suspensions come from the no-show policy (test_services_attendance); a row stands in.
        Suspension.objects.create(
            member=member,
            center=session.program.center,
            starts_at=NOW - timedelta(days=1),
            ends_at=NOW + timedelta(days=29),
            reason="3次爽约",
        )

        with pytest.raises(MemberSuspended) as caught:
            session_register(session=session, member=member, now=NOW)
        assert caught.value.code == "member_suspended"
        assert seats_taken(session) == 0

    def test_real_name_verification_when_the_program_requires_it(self, session) -> None:
        session.program.verification_required = True
        session.program.save()

        with pytest.raises(VerificationRequired) as caught:
            session_register(session=session, member=UserFactory(), now=NOW)
        assert caught.value.code == "verification_required"
        verified = session_register(session=session, member=VerifiedMemberFactory(), now=NOW)
        assert verified.status == Status.CONFIRMED

    def test_eligibility_by_age_on_the_day_of_the_session(self, session) -> None:
        session.program.eligibility = EligibilityRuleFactory(min_age=60)
        session.program.save()
        # Turns 60 on the Tuesday of the session: 59 when registering, 60 when it matters.
        birthday = UserFactory(birth_date=date(1966, 11, 24))

        with pytest.raises(NotEligible) as caught:
            session_register(
                session=session, member=UserFactory(birth_date=date(1966, 11, 25)), now=NOW
            )
        assert caught.value.code == "not_eligible"
        with pytest.raises(NotEligible):  # age unknown
            session_register(session=session, member=UserFactory(), now=NOW)
        assert session_register(session=session, member=birthday, now=NOW).status == (
            Status.CONFIRMED
        )

    @pytest.mark.parametrize("party_size", [0, 3])
    def test_a_party_larger_than_the_program_allows(self, session, member, party_size) -> None:
        session.program.max_party_size = 2
        session.program.save()

        with pytest.raises(errors.PartyTooLarge) as caught:
            session_register(session=session, member=member, party_size=party_size, now=NOW)
        assert caught.value.code == "invalid"
        assert "party_size" in caught.value.fields
        assert not Registration.objects.exists()

    def test_the_daily_limit_per_program(self, program, member) -> None:
        program.max_per_member_per_day = 1
        program.save()
        morning = SessionFactory(program=program, start=at(9, day=TUESDAY))
        afternoon = SessionFactory(program=program, start=START)
        next_day = SessionFactory(program=program, start=START + timedelta(days=1))
        other_program = SessionFactory(program=ProgramFactory(center=program.center), start=START)
        first = session_register(session=morning, member=member, now=NOW)

        with pytest.raises(errors.DailyLimitReached) as caught:
            session_register(session=afternoon, member=member, now=NOW)
        assert caught.value.code == "quota_exceeded"
        # The same session again is a duplicate, whatever the limit says.
        with pytest.raises(errors.AlreadyRegistered):
            session_register(session=morning, member=member, now=NOW)
        session_register(session=next_day, member=member, now=NOW)
        session_register(session=other_program, member=member, now=NOW)
        # A cancelled registration no longer counts.
        registration_cancel(registration=first, by=member, now=NOW)
        assert session_register(session=afternoon, member=member, now=NOW).status == (
            Status.CONFIRMED
        )

    def test_the_day_is_the_centers_day(self, program, member) -> None:
        # 23:30 and 00:30 Shanghai time are two days, though both fall on Tuesday in UTC.
        program.max_per_member_per_day = 1
        program.save()
        late = SessionFactory(program=program, start=at(23, 30, day=TUESDAY))
        early = SessionFactory(program=program, start=at(0, 30, day=TUESDAY + timedelta(days=1)))

        session_register(session=late, member=member, now=NOW)
        assert session_register(session=early, member=member, now=NOW).status == (Status.CONFIRMED)

    @pytest.mark.parametrize("first", [Status.CONFIRMED, Status.WAITLISTED])
    def test_a_second_registration_for_the_same_session(self, program, member, first) -> None:
        session = SessionFactory(program=program, start=START, capacity=1)
        if first == Status.WAITLISTED:
            session_register(session=session, member=UserFactory(), now=NOW)
        registration = session_register(session=session, member=member, now=NOW)
        assert registration.status == first

        with pytest.raises(errors.AlreadyRegistered) as caught:
            session_register(session=session, member=member, now=NOW)
        assert (caught.value.code, caught.value.status) == ("already_registered", 409)
        assert Registration.objects.filter(member=member).count() == 1
        # After cancelling, the member may come back (at the end of the line).
        registration_cancel(registration=registration, by=member, now=NOW)
        assert session_register(session=session, member=member, now=NOW).status in (
            Status.CONFIRMED,
            Status.WAITLISTED,
        )

    def test_not_enough_points_creates_nothing_and_takes_no_seat(self, session) -> None:
        session.program.points_cost = 5
        session.program.save()
        member = with_points(4)

        with pytest.raises(InsufficientPoints) as caught:
            session_register(session=session, member=member, now=NOW)

        assert caught.value.code == "insufficient_points"
        assert not Registration.objects.exists()
        assert seats_taken(session) == 0
        assert balance(member) == 4
        assert ledger(member) == [("volunteer", 4, 4)]


# --- Points --------------------------------------------------------------------------------------


class TestPoints:
    @pytest.fixture
    def program(self) -> Program:
        # 5 points a person; cancel with a refund until two hours before the start.
        return ProgramFactory(points_cost=5, max_party_size=3, cancel_deadline_hours=2)

    def test_a_confirmed_seat_costs_the_price_times_the_party(self, session) -> None:
        member = with_points(20)

        registration = session_register(session=session, member=member, party_size=2, now=NOW)

        assert balance(member) == 10
        assert ledger(member) == [("volunteer", 20, 20), ("spend", -10, 10)]
        spent = PointsEntry.objects.get(kind=PointsEntry.Kind.SPEND)
        assert (spent.cause, spent.center) == (registration, session.program.center)
        assert session.program.title in spent.reason

    def test_a_waitlisted_member_pays_nothing_yet(self, session) -> None:
        session_register(session=session, member=with_points(10), party_size=2, now=NOW)
        member = with_points(10)

        registration = session_register(session=session, member=member, now=NOW)

        assert registration.status == Status.WAITLISTED
        assert balance(member) == 10

    def test_members_aged_80_and_over_are_free(self, session) -> None:
        # 80 on the day of the session, though 79 on the day they register.
        elder = UserFactory(birth_date=date(1946, 11, 24))

        registration = session_register(session=session, member=elder, party_size=2, now=NOW)

        assert registration.status == Status.CONFIRMED
        assert ledger(elder) == []
        assert balance(elder) == 0

    def test_unless_the_program_charges_everyone(self, session) -> None:
        session.program.free_for_elderly = False
        session.program.save()
        elder = with_points(7, birth_date=date(1940, 1, 1))

        session_register(session=session, member=elder, now=NOW)

        assert balance(elder) == 2

    def test_a_cancellation_before_the_deadline_refunds_exactly_once(
        self, session, caplog, django_capture_on_commit_callbacks
    ) -> None:
        member = with_points(20)
        registration = session_register(session=session, member=member, party_size=2, now=NOW)
        deadline = START - timedelta(hours=2)

        with (
            caplog.at_level(logging.INFO, logger="notifications.notify"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            registration_cancel(registration=registration, by=member, now=deadline)

        assert status(registration) == Status.CANCELLED
        assert seats_taken(session) == 0
        assert ledger(member) == [("volunteer", 20, 20), ("spend", -10, 10), ("refund", 10, 20)]
        assert list(registration.events.values_list("action", "from_status", "to_status")) == [
            ("confirm", "", "confirmed"),
            ("cancel", "confirmed", "cancelled"),
        ]
        assert notifications(caplog) == []  # the member did it; nobody else was waiting
        # Cancelling again is refused, and the ledger would refuse a second refund anyway.
        with pytest.raises(errors.NotCancellable):
            registration_cancel(registration=registration, by=member, now=deadline)
        with pytest.raises(AlreadyRecorded):
            points_refund(member=member, cause=registration, reason="again")
        assert balance(member) == 20
        # A cancelled session refunds only active registrations: not this one a second time.
        session_cancel(
            session=session,
            by=staff_at(session.program.center),
            reason="场地维修",
        )
        assert balance(member) == 20
        assert PointsEntry.objects.filter(member=member, kind="refund").count() == 1

    def test_after_the_deadline_the_seat_is_freed_but_the_points_are_kept(self, session) -> None:
        member = with_points(20)
        registration = session_register(session=session, member=member, now=NOW)

        registration_cancel(
            registration=registration, by=member, now=START - timedelta(hours=2, seconds=-1)
        )

        assert status(registration) == Status.CANCELLED
        assert seats_taken(session) == 0
        assert balance(member) == 15
        assert ledger(member)[-1] == ("spend", -5, 15)

    def test_staff_cancel_with_a_refund_even_after_the_deadline(self, session) -> None:
        member = with_points(20)
        registration = session_register(session=session, member=member, now=NOW)
        staff = staff_at(session.program.center)

        registration_cancel(
            registration=registration, by=staff, reason="身体不适", now=START - timedelta(hours=1)
        )

        assert balance(member) == 20
        assert list(registration.events.values_list("action", "actor", "reason"))[-1] == (
            "cancel_by_staff",
            staff.pk,
            "身体不适",
        )

    def test_the_ledger_allows_one_spend_and_one_refund_per_registration(self, session) -> None:
        member = with_points(20)
        registration = session_register(session=session, member=member, now=NOW)

        with pytest.raises(IntegrityError), transaction.atomic():
            PointsEntry.objects.create(
                member=member,
                kind=PointsEntry.Kind.SPEND,
                delta=-5,
                balance_after=10,
                reason="twice",
                cause_type=ContentType.objects.get_for_model(Registration),
                cause_id=registration.pk,
            )


# --- Who may cancel, and when --------------------------------------------------------------------


class TestCancel:
    def test_members_cannot_cancel_once_the_session_has_started(self, session, member) -> None:
        registration = session_register(session=session, member=member, now=NOW)

        with pytest.raises(errors.NotCancellable) as caught:
            registration_cancel(registration=registration, by=member, now=START)
        assert (caught.value.code, caught.value.status) == ("not_cancellable", 409)
        assert status(registration) == Status.CONFIRMED

    def test_staff_of_another_center_or_front_desk_learn_nothing(self, session, member) -> None:
        registration = session_register(session=session, member=member, now=NOW)
        front_desk = staff_at(session.program.center, StaffAssignment.Role.FRONT_DESK)

        for outsider in (StaffAssignmentFactory().user, front_desk, UserFactory()):
            with pytest.raises(NotFound):
                registration_cancel(registration=registration, by=outsider, now=NOW)
        assert status(registration) == Status.CONFIRMED
