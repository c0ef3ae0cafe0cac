"""The waitlist: a freed seat is offered to the first in line and held for the program's
offer time (never past the start); accepting confirms and spends points, expiry passes the
seat on. Members may leave the line; raised capacity goes to it at once; order is strict."""

import logging
from datetime import timedelta

import pytest

from core.errors import Invalid, NotFound
from members.errors import InsufficientPoints
from members.models import PointsEntry, User
from members.services.points import points_earn
from services import errors
from services.models import Program, Registration, Session
from services.services.registration import (
    offers_expire,
    registration_accept,
    registration_cancel,
    session_register,
)
from services.services.sessions import session_update
from tests.factories import (
    ProgramFactory,
    SessionFactory,
    UserFactory,
    staff_at,
)
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = MONDAY + timedelta(days=1)
Status = Registration.Status


at = hour_on(MONDAY)


NOW = at(8)
START = at(14, day=TUESDAY)


@pytest.fixture
def program() -> Program:
    # Offers hold for 12 hours (the default); 3 points a person.
    return ProgramFactory(points_cost=3, max_party_size=2)


@pytest.fixture
def session(program) -> Session:
    return SessionFactory(program=program, start=START, capacity=1)


@pytest.fixture
def manager(program) -> User:
    return staff_at(program.center)


def member_with_points(amount: int = 10) -> User:
    member = UserFactory()
    points_earn(member=member, amount=amount, kind=PointsEntry.Kind.VOLUNTEER, reason="志愿服务")
    return member


def line_up(session: Session, count: int, **kwargs) -> list[Registration]:
    return [
        session_register(session=session, member=member_with_points(), now=NOW, **kwargs)
        for _ in range(count)
    ]


def fresh(registration: Registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


def statuses(registrations: list[Registration]) -> list[tuple[str, int | None]]:
    return [(fresh(r).status, fresh(r).position) for r in registrations]


def seats_taken(session: Session) -> int:
    return Session.objects.values_list("seats_taken", flat=True).get(pk=session.pk)


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def told(kind: str, registration: Registration) -> str:
    return (
        f"notify {kind} to member {registration.member_id} about "
        f"services.Registration:{registration.pk}"
    )


def balance(member_id: int) -> int:
    return User.objects.values_list("points_balance", flat=True).get(pk=member_id)


# --- Offers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cancelled_at", "expires"),
    [
        pytest.param(NOW, NOW + timedelta(hours=12), id="held-12-hours"),
        pytest.param(at(6, day=TUESDAY), START, id="cut-short-by-the-start"),
    ],
)
def test_a_cancellation_offers_the_seat_to_the_first_in_line(
    session, caplog, django_capture_on_commit_callbacks, cancelled_at, expires
) -> None:
    seated, first, second = line_up(session, 3)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        registration_cancel(registration=seated, by=seated.member, now=cancelled_at)

    offered = fresh(first)
    assert (offered.status, offered.offer_expires_at) == (Status.OFFERED, expires)
    assert fresh(second).status == Status.WAITLISTED
    assert seats_taken(session) == 1  # the offer holds the seat
    assert balance(first.member_id) == 10  # nothing spent until accepted
    assert list(offered.events.values_list("action", "from_status", "to_status", "actor")) == [
        ("waitlist", "", "waitlisted", first.member_id),
        ("offer", "waitlisted", "offered", None),
    ]
    assert notifications(caplog) == [told("waitlist_offer", first)]


def test_the_offer_time_is_the_programs(program) -> None:
    program.offer_hours = 2
    program.save()
    session = SessionFactory(program=program, start=START, capacity=1)
    seated, first = line_up(session, 2)

    registration_cancel(registration=seated, by=seated.member, now=NOW)

    assert fresh(first).offer_expires_at == NOW + timedelta(hours=2)


def test_accepting_before_expiry_confirms_and_spends_points(
    session, caplog, django_capture_on_commit_callbacks
) -> None:
    seated, first = line_up(session, 2)
    registration_cancel(registration=seated, by=seated.member, now=NOW)
    last_moment = NOW + timedelta(hours=12, seconds=-1)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        registration = registration_accept(registration=first, member=first.member, now=last_moment)

    assert registration.status == Status.CONFIRMED
    assert fresh(first).status == Status.CONFIRMED
    assert seats_taken(session) == 1
    assert balance(first.member_id) == 7
    spent = PointsEntry.objects.get(member_id=first.member_id, kind=PointsEntry.Kind.SPEND)
    assert spent.cause == fresh(first)
    assert notifications(caplog) == [told("registration_confirmed", first)]
    with pytest.raises(errors.OfferExpired):  # no second spend
        registration_accept(registration=first, member=first.member, now=last_moment)
    assert balance(first.member_id) == 7
    # Cancelled in time, the seat paid for on acceptance is refunded, once.
    registration_cancel(registration=first, by=first.member, now=last_moment)
    assert balance(first.member_id) == 10
    assert list(
        PointsEntry.objects.filter(member_id=first.member_id)
        .order_by("id")
        .values_list("kind", "delta")
    ) == [("volunteer", 10), ("spend", -3), ("refund", 3)]


def test_accepting_after_expiry_is_refused(session) -> None:
    seated, first = line_up(session, 2)
    registration_cancel(registration=seated, by=seated.member, now=NOW)

    with pytest.raises(errors.OfferExpired) as caught:
        registration_accept(registration=first, member=first.member, now=NOW + timedelta(hours=12))

    assert caught.value.code == "offer_expired"
    assert fresh(first).status == Status.OFFERED  # until the clock passes it on
    assert balance(first.member_id) == 10


def test_only_the_member_offered_may_accept_and_only_an_offer(session) -> None:
    seated, first, second = line_up(session, 3)
    registration_cancel(registration=seated, by=seated.member, now=NOW)

    with pytest.raises(NotFound):
        registration_accept(registration=first, member=second.member, now=NOW)
    with pytest.raises(errors.OfferExpired):
        registration_accept(registration=second, member=second.member, now=NOW)


def test_an_offer_without_the_points_to_pay_stays_an_offer(session) -> None:
    seated = line_up(session, 1)[0]
    poor = session_register(session=session, member=UserFactory(), now=NOW)
    registration_cancel(registration=seated, by=seated.member, now=NOW)

    with pytest.raises(InsufficientPoints):
        registration_accept(registration=poor, member=poor.member, now=NOW)

    assert fresh(poor).status == Status.OFFERED
    assert not PointsEntry.objects.filter(member_id=poor.member_id).exists()


def test_an_expired_offer_passes_to_the_next_in_line(
    session, clock, caplog, django_capture_on_commit_callbacks
) -> None:
    seated, first, second, third = line_up(session, 4)
    registration_cancel(registration=seated, by=seated.member, now=NOW)
    expiry = NOW + timedelta(hours=12)

    assert offers_expire(now=expiry - timedelta(seconds=1)) == 0
    clock.move_to(expiry)
    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert offers_expire(now=expiry) == 1

    assert statuses([first, second, third]) == [
        (Status.EXPIRED, 1),
        (Status.OFFERED, 2),
        (Status.WAITLISTED, 3),
    ]
    # The next offer is held for its own 12 hours, from the moment it is made.
    assert fresh(second).offer_expires_at == at(8, day=TUESDAY)
    assert seats_taken(session) == 1
    assert notifications(caplog) == [
        told("offer_expired", first),
        told("waitlist_offer", second),
    ]
    assert list(fresh(first).events.values_list("action", "to_status"))[-1] == (
        "offer_expired",
        "expired",
    )
    # Safe to run twice; the lapsed offer cannot be accepted any more.
    assert offers_expire(now=expiry) == 0
    with pytest.raises(errors.OfferExpired):
        registration_accept(registration=first, member=first.member, now=expiry)
    # The second accepts in time.
    assert registration_accept(registration=second, member=second.member, now=expiry).status == (
        Status.CONFIRMED
    )


def test_the_last_offer_lapses_at_the_start_with_nobody_left_to_offer(session) -> None:
    seated, first = line_up(session, 2)
    registration_cancel(registration=seated, by=seated.member, now=at(6, day=TUESDAY))

    assert offers_expire(now=START) == 1

    assert fresh(first).status == Status.EXPIRED
    assert seats_taken(session) == 0


def test_declining_an_offer_passes_it_on(session) -> None:
    seated, first, second = line_up(session, 3)
    registration_cancel(registration=seated, by=seated.member, now=NOW)

    registration_cancel(registration=first, by=first.member, now=NOW)

    assert statuses([first, second]) == [(Status.CANCELLED, 1), (Status.OFFERED, 2)]
    assert seats_taken(session) == 1


def test_no_offer_once_the_session_has_started(session, manager) -> None:
    seated, first = line_up(session, 2)

    registration_cancel(
        registration=seated, by=manager, reason="临时有事", now=START + timedelta(minutes=5)
    )

    assert fresh(first).status == Status.WAITLISTED
    assert seats_taken(session) == 0


# --- Leaving the line ----------------------------------------------------------------------------


def test_a_member_may_leave_the_waitlist(session) -> None:
    seated, first, second = line_up(session, 3)

    registration_cancel(registration=first, by=first.member, now=NOW)

    assert statuses([first, second]) == [(Status.CANCELLED, 1), (Status.WAITLISTED, 2)]
    assert seats_taken(session) == 1
    assert balance(first.member_id) == 10
    assert list(fresh(first).events.values_list("action", "from_status", "to_status")) == [
        ("waitlist", "", "waitlisted"),
        ("cancel", "waitlisted", "cancelled"),
    ]
    # The next free seat skips the member who left.
    registration_cancel(registration=seated, by=seated.member, now=NOW)
    assert fresh(second).status == Status.OFFERED


# --- Capacity ------------------------------------------------------------------------------------


def test_raising_the_capacity_offers_the_new_seats_in_order(
    session, manager, caplog, django_capture_on_commit_callbacks
) -> None:
    seated, first, second, third = line_up(session, 4)
    gone = session_register(session=session, member=member_with_points(), now=NOW)
    registration_cancel(registration=gone, by=gone.member, now=NOW)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session_update(session=session, by=manager, capacity=3, now=NOW)

    assert statuses([seated, first, second, third]) == [
        (Status.CONFIRMED, None),
        (Status.OFFERED, 1),
        (Status.OFFERED, 2),
        (Status.WAITLISTED, 3),
    ]
    assert seats_taken(session) == 3
    changed = [m for m in notifications(caplog) if " session_changed " in m]
    # Everyone still registered hears of the change; the member who left does not.
    assert sorted(m.split(" to member ")[1].split()[0] for m in changed) == sorted(
        str(r.member_id) for r in (seated, first, second, third)
    )
    assert told("waitlist_offer", first) in notifications(caplog)
    assert told("waitlist_offer", second) in notifications(caplog)


def test_capacity_cannot_go_below_the_seats_taken(program, manager) -> None:
    session = SessionFactory(program=program, start=START, capacity=3)
    line_up(session, 2)

    with pytest.raises(Invalid) as caught:
        session_update(session=session, by=manager, capacity=1, now=NOW)

    assert "capacity" in caught.value.fields
    assert Session.objects.get(pk=session.pk).capacity == 3
    assert session_update(session=session, by=manager, capacity=2, now=NOW).capacity == 2


def test_a_party_too_large_for_the_free_seats_waits_and_so_does_everyone_behind_it(
    program,
) -> None:
    session = SessionFactory(program=program, start=START, capacity=2)
    one, two = line_up(session, 2)
    couple = line_up(session, 1, party_size=2)[0]
    single = line_up(session, 1)[0]
    assert statuses([couple, single]) == [(Status.WAITLISTED, 1), (Status.WAITLISTED, 2)]

    registration_cancel(registration=one, by=one.member, now=NOW)

    # One seat is free, the couple needs two: nobody jumps the line.
    assert statuses([couple, single]) == [(Status.WAITLISTED, 1), (Status.WAITLISTED, 2)]
    assert seats_taken(session) == 1

    registration_cancel(registration=two, by=two.member, now=NOW)

    assert statuses([couple, single]) == [(Status.OFFERED, 1), (Status.WAITLISTED, 2)]
    assert seats_taken(session) == 2
    registration_accept(registration=couple, member=couple.member, now=NOW)
    assert balance(couple.member_id) == 4  # 3 points × 2 people
