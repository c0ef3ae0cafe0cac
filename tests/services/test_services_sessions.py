"""Staff schedule sessions: one by one, weekly until a date, or as one-seat appointment slots.
A session in a space holds all of it, so bookings cannot take that time and a session cannot
be put over bookings unless staff cancel them in the same step. Changing or cancelling a
session tells everyone registered."""

import logging
import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from bookings import errors as booking_errors
from bookings.models import Booking, SpaceHold
from bookings.services.blackouts import blackout_create
from centers.models import Space, StaffAssignment
from core.errors import Invalid, NotFound
from members.models import PointsEntry, User
from members.services.points import points_earn
from services import errors
from services.models import Program, Registration, Session
from services.services.registration import registration_cancel, session_register
from services.services.sessions import (
    appointment_block_create,
    session_cancel,
    session_create,
    session_series_create,
    session_update,
)
from tests.factories import (
    BookableSpaceFactory,
    ProgramFactory,
    SessionFactory,
    SpaceFactory,
    StaffAssignmentFactory,
    UserFactory,
    book,
    staff_at,
)
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = MONDAY + timedelta(days=1)
MON, WED = 0, 2


at = hour_on(TUESDAY)


NOW = at(8, day=MONDAY)


@pytest.fixture
def space() -> Space:
    # A lecture hall with three bookable tables: a session takes all of them.
    return BookableSpaceFactory(units=3)


@pytest.fixture
def program(space) -> Program:
    return ProgramFactory(center=space.center)


@pytest.fixture
def manager(space) -> User:
    return staff_at(space.center)


def holds(space: Space) -> list[tuple[int, datetime, datetime, int | None, int | None]]:
    return list(
        SpaceHold.objects.filter(space=space)
        .order_by("start", "unit")
        .values_list("unit", "start", "end", "session", "booking")
    )


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def kinds_told(caplog) -> list[str]:
    return [m.split()[1] for m in notifications(caplog)]


# --- One session ---------------------------------------------------------------------------------


def test_a_session_is_created_with_its_window_and_holds_every_unit_of_its_space(
    program, space, manager
) -> None:
    session = session_create(
        program=program,
        start=at(14),
        end=at(16),
        capacity=30,
        by=manager,
        space=space,
        note="请带医保卡",
    )

    session.refresh_from_db()
    assert (session.status, session.capacity, session.seats_taken) == ("scheduled", 30, 0)
    assert (session.registration_opens, session.registration_closes) == (NOW, at(14))
    assert session.note == "请带医保卡"
    assert holds(space) == [(unit, at(14), at(16), session.pk, None) for unit in (1, 2, 3)]


def test_a_session_needs_the_right_staff(program, space) -> None:
    front_desk = staff_at(space.center, StaffAssignment.Role.FRONT_DESK)
    other_manager = StaffAssignmentFactory().user

    for outsider in (UserFactory(), front_desk, other_manager):
        with pytest.raises(NotFound):
            session_create(program=program, start=at(14), end=at(16), capacity=5, by=outsider)
    assert not Session.objects.exists()
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert session_create(program=program, start=at(14), end=at(16), capacity=5, by=superuser)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": at(14)}, "end"),
        ({"capacity": 0}, "capacity"),
        ({"registration_opens": at(14), "registration_closes": at(12)}, "registration_closes"),
        ({"space": "elsewhere"}, "space"),
    ],
)
def test_a_session_must_make_sense(program, manager, changes, field) -> None:
    arguments = {"start": at(14), "end": at(16), "capacity": 10, **changes}
    if arguments.get("space") == "elsewhere":
        arguments["space"] = SpaceFactory()

    with pytest.raises(Invalid) as caught:
        session_create(program=program, by=manager, **arguments)

    assert field in caught.value.fields
    assert not Session.objects.exists()


# --- Sessions and bookings share the space -------------------------------------------------------


def test_a_session_in_a_space_blocks_bookings_there(program, space, manager) -> None:
    SessionFactory(program=program, start=at(14), end=at(16), space=space, by=manager)

    for start in (at(13, 30), at(14), at(15, 30)):
        with pytest.raises(booking_errors.SlotTaken) as caught:
            book(space, start, now=NOW)
        assert caught.value.code == "slot_taken"
    assert not Booking.objects.exists()
    # Next to it is free.
    assert book(space, at(13), at(14), now=NOW).status == Booking.Status.CONFIRMED
    assert book(space, at(16), at(17), now=NOW).status == Booking.Status.CONFIRMED


def test_a_booking_blocks_a_session_and_is_listed(program, space, manager) -> None:
    # One table of three is booked: the session needs the whole room.
    booking = book(space, at(15), at(16), purpose="书法小组", now=NOW)

    with pytest.raises(errors.SessionConflict) as caught:
        session_create(
            program=program, start=at(14), end=at(16), capacity=30, by=manager, space=space
        )

    assert (caught.value.code, caught.value.status) == ("session_conflict", 409)
    assert caught.value.bookings == [booking]
    assert caught.value.fields == {"bookings": [str(booking.pk)]}
    assert not Session.objects.exists()
    assert holds(space) == [(1, at(15), at(16), None, booking.pk)]
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


def test_staff_may_cancel_the_bookings_in_the_way(
    program, space, manager, caplog, django_capture_on_commit_callbacks
) -> None:
    booking = book(space, at(15), at(16), now=NOW)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session = session_create(
            program=program,
            start=at(14),
            end=at(16),
            capacity=30,
            by=manager,
            space=space,
            cancel_conflicting=True,
            cancel_reason="华东医院义诊",
        )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert list(booking.events.values_list("action", "actor", "reason"))[-1] == (
        "cancel_by_staff",
        manager.pk,
        "华东医院义诊",
    )
    assert holds(space) == [(unit, at(14), at(16), session.pk, None) for unit in (1, 2, 3)]
    assert notifications(caplog) == [
        f"notify booking_cancelled_by_staff to member {booking.member_id} about "
        f"bookings.Booking:{booking.pk}"
    ]


def test_a_blackout_or_another_session_blocks_a_session(program, space, manager) -> None:
    blackout_create(space=space, start=at(9), end=at(10), reason="消防检查", by=manager)
    SessionFactory(program=program, start=at(14), end=at(16), space=space, by=manager)

    for start in (at(9, 30), at(15)):
        with pytest.raises(errors.SessionConflict) as caught:
            session_create(
                program=program,
                start=start,
                end=start + timedelta(hours=1),
                capacity=5,
                by=manager,
                space=space,
                cancel_conflicting=True,
            )
        assert caught.value.bookings == []
    assert Session.objects.count() == 1


# --- A weekly series -----------------------------------------------------------------------------


def test_a_weekly_series_skips_chosen_dates_and_reports_conflicts(program, space, manager) -> None:
    booking = book(space, at(15, day=date(2026, 12, 2)), now=NOW)

    result = session_series_create(
        program=program,
        weekday_list=[MON, WED],
        start_time=time(14),
        end_time=time(16),
        first_date=MONDAY,
        last_date=date(2026, 12, 9),
        capacity=20,
        by=manager,
        space=space,
        skip_dates={date(2026, 11, 30)},
        opens_days_before=3,
    )

    days = [date(2026, 11, 23), date(2026, 11, 25), date(2026, 12, 7), date(2026, 12, 9)]
    assert [s.start for s in result.sessions] == [at(14, day=d) for d in days]
    assert [s.end for s in result.sessions] == [at(16, day=d) for d in days]
    assert [s.registration_opens for s in result.sessions] == [
        at(14, day=d - timedelta(days=3)) for d in days
    ]
    assert result.skipped == [
        (date(2026, 11, 30), "skipped"),
        (date(2026, 12, 2), "session_conflict"),
    ]
    assert Session.objects.count() == 4
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


def test_a_series_overnight_ends_the_next_day(program, manager) -> None:
    result = session_series_create(
        program=program,
        weekday_list=[TUESDAY.weekday()],
        start_time=time(22),
        end_time=time(1),
        first_date=TUESDAY,
        last_date=TUESDAY,
        capacity=5,
        by=manager,
    )

    assert [(s.start, s.end) for s in result.sessions] == [
        (at(22), at(1, day=TUESDAY + timedelta(days=1)))
    ]


def test_a_series_is_at_most_a_year_and_runs_forwards(program, manager) -> None:
    for first, last in ((TUESDAY, MONDAY), (MONDAY, MONDAY + timedelta(days=367))):
        with pytest.raises(Invalid):
            session_series_create(
                program=program,
                weekday_list=[MON],
                start_time=time(14),
                end_time=time(16),
                first_date=first,
                last_date=last,
                capacity=5,
                by=manager,
            )
    with pytest.raises(NotFound):
        session_series_create(
            program=program,
            weekday_list=[MON],
            start_time=time(14),
            end_time=time(16),
            first_date=MONDAY,
            last_date=TUESDAY,
            capacity=5,
            by=UserFactory(),
        )
    assert not Session.objects.exists()


# --- Appointment slots ---------------------------------------------------------------------------


@pytest.fixture
def legal_advice(space) -> Program:
    return ProgramFactory(
        center=space.center,
        title="法律咨询",
        category=Program.Category.LEGAL,
        kind=Program.Kind.APPOINTMENT,
    )


def test_a_block_of_staff_time_is_split_into_one_seat_slots(legal_advice, manager) -> None:
    lawyer = UserFactory(display_name="王律师")

    slots = appointment_block_create(
        program=legal_advice, start=at(9), end=at(10, 50), slot_minutes=30, by=manager, staff=lawyer
    )

    # 9:00–10:50 holds three half hours; the last 20 minutes are left over.
    assert [(s.start, s.end, s.capacity, s.staff) for s in slots] == [
        (at(9), at(9, 30), 1, lawyer),
        (at(9, 30), at(10), 1, lawyer),
        (at(10), at(10, 30), 1, lawyer),
    ]
    first = session_register(session=slots[0], member=UserFactory(), now=NOW)
    second = session_register(session=slots[0], member=UserFactory(), now=NOW)
    assert (first.status, second.status) == (
        Registration.Status.CONFIRMED,
        Registration.Status.WAITLISTED,
    )


def test_a_block_in_a_space_is_all_or_nothing(legal_advice, space, manager) -> None:
    booking = book(space, at(10), at(10, 30), now=NOW)

    with pytest.raises(errors.SessionConflict) as caught:
        appointment_block_create(
            program=legal_advice, start=at(9), end=at(11), slot_minutes=30, by=manager, space=space
        )

    assert caught.value.bookings == [booking]
    assert not Session.objects.exists()
    assert not SpaceHold.objects.filter(session__isnull=False).exists()


def test_slots_only_for_appointment_programs_and_at_least_one(
    program, legal_advice, manager
) -> None:
    cases = [
        (program, at(9), at(11), 30),  # a group program
        (legal_advice, at(9), at(11), 4),  # slots under five minutes
        (legal_advice, at(9), at(9, 20), 30),  # shorter than one slot
    ]
    for target, start, end, minutes in cases:
        with pytest.raises(Invalid):
            appointment_block_create(
                program=target, start=start, end=end, slot_minutes=minutes, by=manager
            )
    assert not Session.objects.exists()


# --- Changing a session --------------------------------------------------------------------------


@pytest.fixture
def session(program, space, manager) -> Session:
    return SessionFactory(
        program=program, start=at(14), end=at(16), capacity=1, space=space, by=manager
    )


def test_a_change_tells_every_registered_member_and_moves_the_space_hold(
    session, space, manager, caplog, django_capture_on_commit_callbacks
) -> None:
    seated = session_register(session=session, member=UserFactory(), now=NOW)
    waiting = session_register(session=session, member=UserFactory(), now=NOW)
    left = session_register(session=session, member=UserFactory(), now=NOW)
    registration_cancel(registration=left, by=left.member, now=NOW)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        updated = session_update(
            session=session, by=manager, start=at(18), end=at(20), note="改到晚上", now=NOW
        )

    assert (updated.start, updated.end, updated.note) == (at(18), at(20), "改到晚上")
    assert sorted(notifications(caplog)) == sorted(
        f"notify session_changed to member {r.member_id} about services.Session:{session.pk}"
        for r in (seated, waiting)
    )
    assert holds(space) == [(unit, at(18), at(20), session.pk, None) for unit in (1, 2, 3)]
    assert book(space, at(14), now=NOW).status == Booking.Status.CONFIRMED
    with pytest.raises(booking_errors.SlotTaken):
        book(space, at(18), now=NOW)


def test_a_session_cannot_be_moved_onto_bookings(session, space, manager) -> None:
    booking = book(space, at(18), now=NOW)

    with pytest.raises(errors.SessionConflict) as caught:
        session_update(session=session, by=manager, start=at(18), end=at(20), now=NOW)

    assert caught.value.bookings == [booking]
    session.refresh_from_db()
    assert (session.start, session.end) == (at(14), at(16))
    assert holds(space) == [
        *[(unit, at(14), at(16), session.pk, None) for unit in (1, 2, 3)],
        (1, at(18), at(19), None, booking.pk),
    ]


def test_a_change_must_make_sense_and_needs_a_manager(session, manager) -> None:
    with pytest.raises(Invalid):
        session_update(session=session, by=manager, end=at(13), now=NOW)
    with pytest.raises(NotFound):
        session_update(session=session, by=StaffAssignmentFactory().user, capacity=5, now=NOW)
    session.refresh_from_db()
    assert (session.end, session.capacity) == (at(16), 1)


# --- Cancelling a session ------------------------------------------------------------------------


def test_cancelling_a_session_cancels_its_registrations_refunds_and_frees_the_space(
    session, space, manager, caplog, django_capture_on_commit_callbacks
) -> None:
    session.program.points_cost = 4
    session.program.save()
    payer = UserFactory()
    points_earn(member=payer, amount=10, kind=PointsEntry.Kind.VOLUNTEER, reason="志愿服务")
    seated = session_register(session=session, member=payer, now=NOW)
    waiting = session_register(session=session, member=UserFactory(), now=NOW)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cancelled = session_cancel(session=session, by=manager, reason="  讲师生病  ")

    assert (cancelled.status, cancelled.seats_taken) == ("cancelled", 0)
    session.refresh_from_db()
    assert (session.status, session.seats_taken) == ("cancelled", 0)
    for registration in (seated, waiting):
        registration.refresh_from_db()
        assert registration.status == Registration.Status.CANCELLED
        assert list(registration.events.values_list("action", "actor", "reason"))[-1] == (
            "session_cancelled",
            manager.pk,
            "讲师生病",
        )
    assert User.objects.get(pk=payer.pk).points_balance == 10
    assert PointsEntry.objects.filter(member=payer, kind="refund").count() == 1
    assert sorted(notifications(caplog)) == sorted(
        f"notify session_cancelled to member {r.member_id} about services.Session:{session.pk}"
        for r in (seated, waiting)
    )
    assert holds(space) == []
    assert book(space, at(14), now=NOW).status == Booking.Status.CONFIRMED
    with pytest.raises(errors.InvalidTransition):
        session_cancel(session=session, by=manager, reason="again")
    with pytest.raises(errors.InvalidTransition):
        session_update(session=session, by=manager, capacity=5, now=NOW)


def test_a_session_is_cancelled_only_with_a_reason_by_a_manager(session, manager) -> None:
    with pytest.raises(Invalid) as caught:
        session_cancel(session=session, by=manager, reason="  ")
    assert "reason" in caught.value.fields
    with pytest.raises(NotFound):
        session_cancel(session=session, by=StaffAssignmentFactory().user, reason="x")
    assert Session.objects.get(pk=session.pk).status == "scheduled"


# --- PostgreSQL: the database has the last word --------------------------------------------------


@pytest.mark.postgres
def test_the_database_refuses_a_booking_hold_over_a_session(program, space, manager) -> None:
    session = SessionFactory(program=program, start=at(14), end=at(16), space=space, by=manager)
    elsewhere = book(space, at(10), now=NOW)

    # Past every Python check: a second hold for the booking, inside the session's time.
    with pytest.raises(IntegrityError), transaction.atomic():
        SpaceHold.objects.create(space=space, unit=2, start=at(15), end=at(17), booking=elsewhere)

    assert SpaceHold.objects.filter(space=space, session=session).count() == 3


def race(**actions) -> dict[str, str]:
    """Run the actions at the same moment, each in its own thread and connection; return
    "ok" or the error code of each."""
    barrier = threading.Barrier(len(actions))
    results: dict[str, str] = {}

    def attempt(name: str, action) -> None:
        try:
            barrier.wait(timeout=30)
            action()
            results[name] = "ok"
        except Exception as error:  # recorded, so that the assertion names it
            results[name] = getattr(error, "code", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=item) for item in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_a_booking_and_a_session_racing_for_the_same_time_one_wins(round_) -> None:
    space = BookableSpaceFactory(units=2)
    program = ProgramFactory(center=space.center)
    manager = staff_at(space.center)

    results = race(
        booking=lambda: book(space, at(14), at(15), now=NOW),
        session=lambda: session_create(
            program=program, start=at(14), end=at(16), capacity=9, by=manager, space=space
        ),
    )

    assert results in (
        {"booking": "ok", "session": "session_conflict"},
        {"booking": "slot_taken", "session": "ok"},
    ), results
    holds_now = SpaceHold.objects.filter(space=space)
    if results["booking"] == "ok":
        # One hold, and it is the booking's: the session took none.
        assert [hold.booking_id is not None for hold in holds_now] == [True]
    else:
        assert holds_now.filter(session__isnull=False).count() == 2
        assert not Booking.objects.exists()
