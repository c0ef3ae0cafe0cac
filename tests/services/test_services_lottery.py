"""Lotteries for oversubscribed programs (the 9.9-yuan cinema): entries during the window,
one draw after it closes with a recorded seed, winners seated while seats last, everyone else
on the waitlist in drawn order. Anyone can replay the draw from the record."""

import logging
import re
from datetime import timedelta

import pytest

from centers.models import StaffAssignment
from core.errors import Conflict, NotFound
from members.models import PointsEntry, User
from members.services.points import points_earn
from services import errors
from services.models import LotteryDraw, Program, Registration, Session
from services.services.lottery import draw_order, session_draw_lottery
from services.services.registration import registration_cancel, session_register
from tests.factories import (
    ProgramFactory,
    SessionFactory,
    StaffAssignmentFactory,
    UserFactory,
    staff_at,
)
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

SATURDAY = MONDAY + timedelta(days=5)
Status = Registration.Status


at = hour_on(MONDAY)


NOW = at(8)
CLOSES = at(20)  # entries all Monday; the film is on Saturday afternoon
DRAW = at(21)


@pytest.fixture
def program() -> Program:
    return ProgramFactory(
        title="9.9元观影",
        category=Program.Category.CINEMA,
        mode=Program.Mode.LOTTERY,
        max_party_size=2,
        points_cost=2,
    )


@pytest.fixture
def session(program) -> Session:
    return SessionFactory(
        program=program,
        start=at(14, day=SATURDAY),
        capacity=4,
        registration_opens=NOW,
        registration_closes=CLOSES,
    )


@pytest.fixture
def manager(program) -> User:
    return staff_at(program.center)


def member_with_points(amount: int = 10) -> User:
    member = UserFactory()
    if amount:
        points_earn(
            member=member, amount=amount, kind=PointsEntry.Kind.VOLUNTEER, reason="志愿服务"
        )
    return member


def enter(session: Session, party_sizes: list[int]) -> list[Registration]:
    return [
        session_register(session=session, member=member_with_points(), party_size=size, now=NOW)
        for size in party_sizes
    ]


def fresh(registration_id: int) -> Registration:
    return Registration.objects.get(pk=registration_id)


def seats_taken(session: Session) -> int:
    return Session.objects.values_list("seats_taken", flat=True).get(pk=session.pk)


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def test_entries_take_no_seat_and_cost_nothing_until_the_draw(
    session, caplog, django_capture_on_commit_callbacks
) -> None:
    member = member_with_points()

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        entry = session_register(session=session, member=member, party_size=2, now=NOW)

    assert (entry.status, entry.position) == (Status.ENTERED, None)
    assert seats_taken(session) == 0
    assert User.objects.get(pk=member.pk).points_balance == 10
    assert list(entry.events.values_list("action", "to_status")) == [("enter_lottery", "entered")]
    assert notifications(caplog) == [
        f"notify registration_entered to member {member.pk} about services.Registration:{entry.pk}"
    ]
    # More entries than seats are fine: that is the point of a lottery.
    assert {r.status for r in enter(session, [2, 2, 2])} == {Status.ENTERED}
    with pytest.raises(errors.AlreadyRegistered):
        session_register(session=session, member=member, now=NOW)
    with pytest.raises(errors.RegistrationClosed):
        session_register(session=session, member=member_with_points(), now=CLOSES)


def test_the_draw_waits_for_registration_to_close_and_happens_once(session, manager) -> None:
    enter(session, [1, 1])

    with pytest.raises(errors.RegistrationClosed):
        session_draw_lottery(session=session, by=manager, now=CLOSES - timedelta(seconds=1))
    assert not LotteryDraw.objects.exists()

    session_draw_lottery(session=session, by=manager, now=CLOSES)

    with pytest.raises(Conflict) as caught:
        session_draw_lottery(session=session, by=manager, seed="again", now=DRAW)
    assert caught.value.code == "conflict"
    assert LotteryDraw.objects.count() == 1


def test_first_come_sessions_have_no_draw(manager, program) -> None:
    program.mode = Program.Mode.FIRST_COME
    program.save()
    session = SessionFactory(program=program, start=at(14, day=SATURDAY), capacity=4)

    with pytest.raises(Conflict):
        session_draw_lottery(session=session, by=manager, now=at(14, day=SATURDAY))


def test_only_managers_of_the_center_draw(session) -> None:
    enter(session, [1])
    front_desk = staff_at(session.program.center, StaffAssignment.Role.FRONT_DESK)

    for outsider in (UserFactory(), StaffAssignmentFactory().user, front_desk):
        with pytest.raises(NotFound):
            session_draw_lottery(session=session, by=outsider, now=DRAW)
    assert not LotteryDraw.objects.exists()
    assert fresh(Registration.objects.get().pk).status == Status.ENTERED


def test_the_draw_is_recorded_and_replays_exactly_from_its_seed(session, manager) -> None:
    entries = enter(session, [1] * 8)

    draw = session_draw_lottery(session=session, by=manager, seed="cinema-2026-11-28", now=DRAW)

    draw.refresh_from_db()
    assert draw.seed == "cinema-2026-11-28"
    assert draw.entrant_ids == sorted(r.pk for r in entries)
    assert sorted(draw.drawn_ids) == draw.entrant_ids
    # Anyone holding the record gets the same order, whatever order the ids are given in.
    assert draw_order(draw.entrant_ids, draw.seed) == draw.drawn_ids
    assert draw_order(list(reversed(draw.entrant_ids)), draw.seed) == draw.drawn_ids
    assert draw_order(draw.entrant_ids, "another seed") != draw.drawn_ids
    assert (draw.drawn_by, draw.session) == (manager, session)
    session.refresh_from_db()
    assert (session.lottery_seed, session.lottery_drawn_at) == ("cinema-2026-11-28", DRAW)
    # The first four drawn are seated, the rest wait in drawn order.
    assert [fresh(pk).status for pk in draw.drawn_ids] == [Status.CONFIRMED] * 4 + [
        Status.WAITLISTED
    ] * 4
    assert [fresh(pk).position for pk in draw.drawn_ids[4:]] == [1, 2, 3, 4]


def test_without_a_seed_one_is_made_up_and_kept(session, manager) -> None:
    enter(session, [1, 1])

    draw = session_draw_lottery(session=session, by=manager, now=DRAW)

    assert re.fullmatch(r"[0-9a-f]{32}", draw.seed)
    assert draw_order(draw.entrant_ids, draw.seed) == draw.drawn_ids


def test_winners_fill_the_seats_by_party_size_and_pay_losers_wait_in_drawn_order(
    session, manager, caplog, django_capture_on_commit_callbacks
) -> None:
    entries = enter(session, [2, 1, 2, 2, 1, 2])
    sizes = {r.pk: r.party_size for r in entries}

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        draw = session_draw_lottery(session=session, by=manager, seed="seed-7", now=DRAW)

    # Walk the drawn order: seated while the party fits in the seats left.
    left, winners, losers = 4, [], []
    for pk in draw.drawn_ids:
        if sizes[pk] <= left:
            winners.append(pk)
            left -= sizes[pk]
        else:
            losers.append(pk)
    assert winners and losers
    assert {pk: fresh(pk).status for pk in winners} == dict.fromkeys(winners, Status.CONFIRMED)
    assert [(fresh(pk).status, fresh(pk).position) for pk in losers] == [
        (Status.WAITLISTED, position) for position in range(1, len(losers) + 1)
    ]
    assert seats_taken(session) == 4 - left
    for pk in winners:
        assert fresh(pk).member.points_balance == 10 - 2 * sizes[pk]
    for pk in losers:
        assert fresh(pk).member.points_balance == 10
    kinds = sorted(m.split()[1] for m in notifications(caplog))
    assert kinds == sorted(
        ["lottery_confirmed"] * len(winners) + ["lottery_waitlisted"] * len(losers)
    )
    assert fresh(winners[0]).events.last().action == "lottery_win"
    assert fresh(losers[0]).events.last().action == "lottery_waitlist"


def test_a_winner_without_enough_points_goes_to_the_waitlist(session, manager) -> None:
    rich = enter(session, [1, 1])
    poor = session_register(session=session, member=member_with_points(1), now=NOW)

    session_draw_lottery(session=session, by=manager, seed="x", now=DRAW)

    assert [fresh(r.pk).status for r in rich] == [Status.CONFIRMED] * 2
    poor = fresh(poor.pk)
    assert (poor.status, poor.position) == (Status.WAITLISTED, 1)
    assert poor.member.points_balance == 1
    assert seats_taken(session) == 2
    assert not PointsEntry.objects.filter(member=poor.member, kind="spend").exists()


def test_a_winner_who_cancels_frees_the_seat_for_the_first_loser(session, manager) -> None:
    enter(session, [1] * 6)
    draw = session_draw_lottery(session=session, by=manager, seed="seed-3", now=DRAW)
    winner = fresh(draw.drawn_ids[0])

    registration_cancel(registration=winner, by=winner.member, now=DRAW)

    assert fresh(draw.drawn_ids[4]).status == Status.OFFERED
    assert fresh(draw.drawn_ids[5]).status == Status.WAITLISTED
    # Refunded: days before the deadline.
    assert User.objects.get(pk=winner.member_id).points_balance == 10
