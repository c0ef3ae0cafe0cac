"""bookings.services.series: weekly bookings made by staff or a team leader, each date booked
on its own (dates that fail are skipped and reported), and cancelled together."""

from datetime import date, time

import pytest

from bookings.models import Booking, BookingSeries
from bookings.services.lifecycle import booking_check_in
from bookings.services.series import booking_series_cancel, booking_series_create
from centers.models import Space, StaffAssignment
from core.errors import Invalid, NotFound
from members.errors import NotEligible
from members.models import User
from tests.factories import (
    BookableSpaceFactory,
    OpeningExceptionFactory,
    StaffAssignmentFactory,
    TeamFactory,
    UserFactory,
    book,
    staff_at,
)
from tests.helpers import MONDAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

MON, WED = 0, 2
Status = Booking.Status


NOW = at(MONDAY, 8)
# Mondays and Wednesdays from the 23rd of November to the 9th of December.
DATES = [date(2026, 11, d) for d in (23, 25, 30)] + [date(2026, 12, d) for d in (2, 7, 9)]


@pytest.fixture
def space() -> Space:
    # Members may hold two bookings and book a week ahead; a series is not held to that.
    return BookableSpaceFactory(max_active_per_member=2, max_days_ahead=7)


@pytest.fixture
def staff(space) -> User:
    return staff_at(space.center, StaffAssignment.Role.FRONT_DESK)


def create(space: Space, member: User, by: User, **kwargs):
    return booking_series_create(
        space=space,
        member=member,
        by=by,
        weekday_list=kwargs.pop("weekday_list", [MON, WED]),
        start_time=time(18),
        end_time=time(20),
        first_date=kwargs.pop("first_date", DATES[0]),
        last_date=kwargs.pop("last_date", DATES[-1]),
        purpose="合唱团排练",
        **kwargs,
    )


def test_staff_book_the_chosen_weekdays_until_the_last_date(space, staff, member) -> None:
    result = create(space, member, staff)

    series = result.series
    assert (series.weekdays, series.first_date, series.last_date, series.created_by) == (
        0b101,
        DATES[0],
        DATES[-1],
        staff,
    )
    assert result.skipped == []
    assert [(b.start, b.end) for b in result.created] == [
        (at(day, 18), at(day, 20)) for day in DATES
    ]
    assert {(b.series_id, b.member_id, b.created_by_id, b.status) for b in result.created} == {
        (series.pk, member.pk, staff.pk, Status.CONFIRMED)
    }
    assert list(series.bookings.order_by("start")) == result.created


def test_dates_that_fail_are_skipped_with_their_code(space, staff, member) -> None:
    book(space, at(DATES[2], 19), now=NOW)  # someone else has the 30th
    OpeningExceptionFactory(space=space, start_date=DATES[4], end_date=DATES[4], note="闭馆")

    result = create(space, member, staff)

    assert result.skipped == [(DATES[2], "slot_taken"), (DATES[4], "outside_opening_hours")]
    assert [b.start.date() for b in result.created] == [DATES[0], DATES[1], DATES[3], DATES[5]]


def test_a_date_already_past_is_skipped(clock, space, staff, member) -> None:
    clock.move_to(at(MONDAY, 19))

    result = create(space, member, staff)

    assert result.skipped == [(DATES[0], "in_past")]
    assert len(result.created) == 5


def test_a_team_leader_books_for_the_team(space, member) -> None:
    team = TeamFactory(center=space.center, leader=member)

    result = create(space, member, member, team=team, last_date=DATES[3])

    assert result.skipped == []
    assert [(b.team_id, b.created_by_id) for b in result.created] == [(team.pk, member.pk)] * 4
    assert result.series.team == team


def test_a_leader_is_still_held_to_the_team_quota(member) -> None:
    space = BookableSpaceFactory(max_active_per_team=3)
    team = TeamFactory(center=space.center, leader=member)

    result = create(space, member, member, team=team)

    assert len(result.created) == 3
    assert result.skipped == [(day, "quota_exceeded") for day in DATES[3:]]


@pytest.mark.parametrize("who", ["member", "team_member", "other_center_staff", "viewer"])
def test_only_staff_and_team_leaders_make_a_series(space, member, who) -> None:
    team = TeamFactory(center=space.center)
    if who == "member":
        by, kwargs = member, {}
    elif who == "team_member":
        by, kwargs = member, {"team": team}  # a member of no standing: not the leader
    elif who == "other_center_staff":
        by, kwargs = StaffAssignmentFactory().user, {}
    else:
        by = staff_at(space.center, StaffAssignment.Role.VIEWER)
        kwargs = {}

    with pytest.raises(NotEligible):
        create(space, member, by, **kwargs)
    assert not BookingSeries.objects.exists()
    assert not Booking.objects.exists()


def test_a_leader_books_only_for_themself(space, member) -> None:
    team = TeamFactory(center=space.center)

    with pytest.raises(NotEligible):
        create(space, member, team.leader, team=team)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weekday_list": []},
        {"weekday_list": [7]},
        {"first_date": DATES[-1], "last_date": DATES[0]},
        {"last_date": date(2027, 12, 31)},
    ],
)
def test_invalid_days_and_dates(space, staff, member, kwargs) -> None:
    with pytest.raises(Invalid):
        create(space, member, staff, **kwargs)
    assert not BookingSeries.objects.exists()


class TestCancel:
    def test_cancels_the_bookings_still_to_come(self, clock, space, staff, member) -> None:
        result = create(space, member, staff)
        first, second, *rest = result.created
        clock.move_to(at(DATES[1], 18, 10))
        booking_check_in(
            booking=second, by=staff, code=second.check_in_code, now=at(DATES[1], 18, 10)
        )

        cancelled = booking_series_cancel(series=result.series, by=staff, reason="合唱团解散")

        assert sorted(b.pk for b in cancelled) == sorted(b.pk for b in rest)
        assert Booking.objects.get(pk=second.pk).status == Status.CHECKED_IN  # under way
        assert Booking.objects.get(pk=first.pk).status == Status.CONFIRMED  # over, for the clock
        assert set(
            Booking.objects.filter(pk__in=[b.pk for b in rest]).values_list("status", flat=True)
        ) == {Status.CANCELLED}
        assert {b.events.order_by("id").last().reason for b in cancelled} == {"合唱团解散"}

    def test_staff_give_a_reason(self, space, staff, member) -> None:
        result = create(space, member, staff)

        with pytest.raises(Invalid):
            booking_series_cancel(series=result.series, by=staff, reason="")
        assert not Booking.objects.filter(status=Status.CANCELLED).exists()

    def test_others_do_not_find_the_series(self, space, staff, member) -> None:
        result = create(space, member, staff)

        with pytest.raises(NotFound):
            booking_series_cancel(series=result.series, by=UserFactory(), reason="不要了")
        assert not Booking.objects.filter(status=Status.CANCELLED).exists()

    def test_a_leader_cancels_before_each_deadline(self, clock, space, member) -> None:
        team = TeamFactory(center=space.center, leader=member)
        result = create(space, member, member, team=team, last_date=DATES[2])
        # Less than an hour before Wednesday's start: too late online for that one.
        clock.move_to(at(DATES[1], 17, 30))

        cancelled = booking_series_cancel(series=result.series, by=member)

        assert [b.start.date() for b in cancelled] == [DATES[2]]
        assert Booking.objects.get(pk=result.created[1].pk).status == Status.CONFIRMED
