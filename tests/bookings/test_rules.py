"""bookings.rules: each rule of a space, checked on its own, with the error code API.md names.

Times are Shanghai's; the edges that a UTC slip would move (midnight, the week's start, the slot
grid) are tested there on purpose.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings import errors, rules
from centers import weekdays
from centers.models import Space
from members.models import User
from tests.factories import (
    ALL_DAY,
    BookableSpaceFactory,
    CenterFactory,
    OpeningExceptionFactory,
    OpeningRuleFactory,
    TeamFactory,
    UserFactory,
    book,
)
from tests.helpers import MONDAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = date(2026, 11, 24)
THURSDAY = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)
SUNDAY = date(2026, 11, 29)
NEXT_MONDAY = date(2026, 11, 30)


NOW = at(MONDAY, 8)


def loaded(space: Space) -> Space:
    return Space.objects.select_related("center").get(pk=space.pk)


def code_of(check, *args) -> str | None:
    try:
        check(*args)
    except errors.LinliError as error:
        return error.code
    return None


# --- Times: past, grid, duration -----------------------------------------------------------------


class TestTimes:
    @pytest.fixture
    def space(self) -> Space:
        return loaded(BookableSpaceFactory(min_minutes=60, max_minutes=120))

    @pytest.mark.parametrize(
        ("start", "end", "code"),
        [
            ((10, 0), (11, 0), None),
            ((10, 0), (12, 0), None),
            ((7, 30), (8, 30), "in_past"),
            ((10, 15), (11, 15), "off_grid"),
            ((10, 0), (10, 45), "off_grid"),  # 45 minutes on a 30-minute grid
            ((10, 0), (10, 30), "too_short"),
            ((10, 0), (10, 0), "too_short"),
            ((11, 0), (10, 0), "too_short"),
            ((10, 0), (12, 30), "too_long"),
        ],
    )
    def test_times(self, space, start, end, code) -> None:
        args = (space, at(MONDAY, *start), at(MONDAY, *end), NOW)
        assert code_of(rules.check_times, *args) == code

    def test_seconds_are_off_grid(self, space) -> None:
        start = at(MONDAY, 10) + timedelta(seconds=1)
        with pytest.raises(errors.OffGrid):
            rules.check_times(space, start, start + timedelta(hours=1), NOW)

    def test_the_grid_counts_from_local_midnight(self) -> None:
        # 90-minute slots: 09:00 is on the grid in Shanghai (01:00 UTC would not be).
        space = loaded(BookableSpaceFactory(slot_minutes=90, min_minutes=90, max_minutes=180))

        rules.check_times(space, at(MONDAY, 9), at(MONDAY, 10, 30), NOW)
        rules.check_times(space, at(MONDAY, 22, 30), at(TUESDAY, 0), NOW)
        with pytest.raises(errors.OffGrid):
            rules.check_times(space, at(MONDAY, 10), at(MONDAY, 11, 30), NOW)

    def test_a_start_in_another_offset_is_the_same_moment(self, space) -> None:
        utc = ZoneInfo("UTC")
        rules.check_times(
            space, datetime(2026, 11, 23, 2, tzinfo=utc), datetime(2026, 11, 23, 3, tzinfo=utc), NOW
        )


# --- Notice and horizon --------------------------------------------------------------------------


class TestNotice:
    def test_too_soon_inside_the_notice_period(self) -> None:
        space = loaded(BookableSpaceFactory(min_notice_minutes=120))

        with pytest.raises(errors.TooSoon) as caught:
            rules.check_notice(space, at(MONDAY, 9, 30), NOW)
        assert (caught.value.code, caught.value.status) == ("too_soon", 400)
        rules.check_notice(space, at(MONDAY, 10), NOW)

    def test_the_horizon_counts_days_in_the_centers_zone(self, clock) -> None:
        space = loaded(BookableSpaceFactory(max_days_ahead=14))
        # 00:30 on Tuesday the 24th in Shanghai is still Monday the 23rd in UTC: the horizon
        # runs 14 local days from the 24th, to the 8th of December.
        just_after_midnight = at(TUESDAY, 0, 30)
        clock.move_to(just_after_midnight)

        rules.check_notice(space, at(date(2026, 12, 8), 20), just_after_midnight)
        with pytest.raises(errors.TooFarAhead) as caught:
            rules.check_notice(space, at(date(2026, 12, 9), 8, 30), just_after_midnight)
        assert caught.value.code == "too_far_ahead"

    def test_half_an_hour_earlier_the_horizon_is_a_day_shorter(self) -> None:
        space = loaded(BookableSpaceFactory(max_days_ahead=14))
        late_monday = at(MONDAY, 23, 30)

        rules.check_notice(space, at(date(2026, 12, 7), 20), late_monday)
        with pytest.raises(errors.TooFarAhead):
            rules.check_notice(space, at(date(2026, 12, 8), 8, 30), late_monday)


# --- Opening hours -------------------------------------------------------------------------------


CANTEEN_HOURS = [  # 同心荟社区食堂: breakfast, lunch, dinner
    (time(6, 30), time(9, 0)),
    (time(10, 30), time(14, 0)),
    (time(16, 30), time(20, 0)),
]


def opening_code(space: Space, start: datetime, end: datetime) -> str | None:
    return code_of(rules.check_opening_hours, loaded(space), start, end)


class TestOpeningHours:
    @pytest.mark.parametrize(
        ("start", "end", "code"),
        [
            ((6, 30), (7, 30), None),
            ((8, 30), (9, 0), None),
            ((9, 30), (10, 0), "outside_opening_hours"),
            ((10, 30), (11, 0), None),
            ((8, 30), (11, 0), "outside_opening_hours"),  # across the gap after breakfast
            ((13, 30), (14, 30), "outside_opening_hours"),
            ((14, 0), (16, 0), "outside_opening_hours"),  # meal cards, not meals
            ((19, 30), (20, 0), None),
            ((19, 30), (20, 30), "outside_opening_hours"),
        ],
    )
    def test_the_canteens_three_meals(self, start, end, code) -> None:
        canteen = BookableSpaceFactory(hours=CANTEEN_HOURS)
        assert opening_code(canteen, at(MONDAY, *start), at(MONDAY, *end)) == code

    def test_the_library_closes_earlier_mon_to_thu(self) -> None:
        library = BookableSpaceFactory(hours=[])
        OpeningRuleFactory(
            space=library, weekdays=weekdays.to_mask([0, 1, 2, 3]), closes=time(17, 30)
        )
        OpeningRuleFactory(space=library, weekdays=weekdays.to_mask([4, 5, 6]), closes=time(20, 30))

        assert opening_code(library, at(THURSDAY, 16, 30), at(THURSDAY, 17, 30)) is None
        assert opening_code(library, at(THURSDAY, 17), at(THURSDAY, 18)) == "outside_opening_hours"
        assert opening_code(library, at(FRIDAY, 17), at(FRIDAY, 18)) is None
        assert opening_code(library, at(FRIDAY, 20), at(FRIDAY, 21)) == "outside_opening_hours"

    def test_an_exception_closes_a_day(self) -> None:
        space = BookableSpaceFactory()
        OpeningExceptionFactory(space=space, start_date=THURSDAY, end_date=THURSDAY, note="消杀")

        assert opening_code(space, at(THURSDAY, 10), at(THURSDAY, 11)) == "outside_opening_hours"
        assert opening_code(space, at(FRIDAY, 10), at(FRIDAY, 11)) is None

    def test_the_centers_holiday_closes_its_spaces(self) -> None:
        center = CenterFactory()
        space = BookableSpaceFactory(center=center)
        OpeningExceptionFactory(center=center, start_date=FRIDAY, end_date=FRIDAY, note="闭馆")

        assert opening_code(space, at(FRIDAY, 10), at(FRIDAY, 11)) == "outside_opening_hours"

    def test_a_space_without_hours_of_its_own_follows_its_center(self) -> None:
        center = CenterFactory()
        OpeningRuleFactory(center=center, opens=time(9), closes=time(17))
        space = BookableSpaceFactory(center=center, hours=[])

        assert opening_code(space, at(MONDAY, 9), at(MONDAY, 10)) is None
        assert opening_code(space, at(MONDAY, 8, 30), at(MONDAY, 9, 30)) == "outside_opening_hours"

    def test_a_24_hour_space_books_across_midnight(self) -> None:
        study_room = BookableSpaceFactory(hours=ALL_DAY)

        assert opening_code(study_room, at(MONDAY, 23), at(TUESDAY, 1)) is None

    @pytest.mark.parametrize(
        ("start", "end", "code"),
        [
            ((MONDAY, 23, 0), (TUESDAY, 1, 0), None),
            ((MONDAY, 22, 0), (MONDAY, 23, 0), None),
            ((MONDAY, 5, 0), (MONDAY, 6, 0), None),  # the night that began on Sunday
            ((MONDAY, 5, 30), (MONDAY, 6, 30), "outside_opening_hours"),
            ((MONDAY, 21, 30), (MONDAY, 22, 30), "outside_opening_hours"),
            ((MONDAY, 12, 0), (MONDAY, 13, 0), "outside_opening_hours"),
        ],
    )
    def test_a_space_open_overnight(self, start, end, code) -> None:
        rest_stop = BookableSpaceFactory(hours=[(time(22), time(6))])
        assert opening_code(rest_stop, at(*start), at(*end)) == code


# --- Quotas --------------------------------------------------------------------------------------


class TestQuotas:
    @pytest.fixture
    def member(self) -> User:
        return UserFactory()

    def test_active_bookings_per_member_in_this_space(self, member) -> None:
        space = loaded(BookableSpaceFactory(max_active_per_member=2))
        book(space, at(MONDAY, 10), member=member)
        book(space, at(MONDAY, 12), member=member)
        book(BookableSpaceFactory(), at(MONDAY, 10), member=member)  # another space: not counted
        book(space, at(MONDAY, 14))  # another member: not counted

        with pytest.raises(errors.QuotaExceeded) as caught:
            rules.check_quotas(space, member, None, at(MONDAY, 16), at(MONDAY, 17), NOW)
        assert caught.value.code == "quota_exceeded"

    def test_a_finished_booking_no_longer_counts(self, member) -> None:
        space = loaded(BookableSpaceFactory(max_active_per_member=1))
        book(space, at(MONDAY, 10), member=member)

        with pytest.raises(errors.QuotaExceeded):
            rules.check_quotas(space, member, None, at(MONDAY, 16), at(MONDAY, 17), NOW)
        rules.check_quotas(space, member, None, at(MONDAY, 16), at(MONDAY, 17), at(MONDAY, 11))

    def test_a_team_has_its_own_quota_apart_from_its_leaders(self, member) -> None:
        space = loaded(BookableSpaceFactory(max_active_per_member=1, max_active_per_team=1))
        team = TeamFactory(center=space.center, leader=member)
        book(space, at(MONDAY, 10), member=member, team=team)

        with pytest.raises(errors.QuotaExceeded):
            rules.check_quotas(space, member, team, at(MONDAY, 16), at(MONDAY, 17), NOW)
        rules.check_quotas(space, member, None, at(MONDAY, 16), at(MONDAY, 17), NOW)

    def test_weekly_minutes_count_the_week_in_shanghai(self, member) -> None:
        space = loaded(BookableSpaceFactory(hours=ALL_DAY, weekly_quota_minutes=120))
        # Sunday 20:00–22:00 in Shanghai: 12:00–14:00 UTC, the whole quota of this week.
        book(space, at(SUNDAY, 20), at(SUNDAY, 22), member=member)

        with pytest.raises(errors.QuotaExceeded):
            rules.check_quotas(space, member, None, at(MONDAY, 10), at(MONDAY, 10, 30), NOW)
        # Monday 07:00 in Shanghai is still Sunday in UTC, but a new week here.
        rules.check_quotas(space, member, None, at(NEXT_MONDAY, 7), at(NEXT_MONDAY, 9), NOW)
        rules.check_quotas(space, member, None, at(NEXT_MONDAY, 0), at(NEXT_MONDAY, 2), NOW)
        with pytest.raises(errors.QuotaExceeded):
            rules.check_quotas(space, member, None, at(SUNDAY, 23), at(NEXT_MONDAY, 0), NOW)

    def test_weekly_minutes_add_up_to_the_quota(self, member) -> None:
        space = loaded(BookableSpaceFactory(weekly_quota_minutes=120))
        book(space, at(MONDAY, 10), member=member)

        rules.check_quotas(space, member, None, at(FRIDAY, 10), at(FRIDAY, 11), NOW)
        with pytest.raises(errors.QuotaExceeded):
            rules.check_quotas(space, member, None, at(FRIDAY, 10), at(FRIDAY, 11, 30), NOW)


# --- "May I still ...?": one answer, asked by every layer ---------------------------------------


class TestMayIStill:
    def test_bookable_means_taking_bookings_and_open(self) -> None:
        space = loaded(BookableSpaceFactory())
        assert rules.is_bookable(space)
        for change in ({"bookable": False}, {"is_active": False}):
            assert not rules.is_bookable(loaded(BookableSpaceFactory(**change)))
        space.center.is_active = False
        assert not rules.is_bookable(space)

    def test_the_window_is_the_notice_period_to_the_horizon(self) -> None:
        space = loaded(BookableSpaceFactory(min_notice_minutes=90, max_days_ahead=3))
        assert rules.earliest_start(space, NOW) == NOW + timedelta(minutes=90)
        assert rules.last_day(space, NOW) == THURSDAY
        # Late on Monday evening in Shanghai is still Monday there, whatever UTC says.
        assert rules.last_day(space, at(MONDAY, 23, 30)) == THURSDAY
        assert code_of(rules.check_notice, space, NOW + timedelta(minutes=60), NOW) == "too_soon"
        friday = datetime.combine(FRIDAY, time(9), tzinfo=ZoneInfo("Asia/Shanghai"))
        assert code_of(rules.check_notice, space, friday, NOW) == "too_far_ahead"

    @pytest.mark.parametrize(
        ("moment", "anyone", "the_member"),
        [
            pytest.param(at(TUESDAY, 7), True, True, id="before-the-deadline"),
            pytest.param(at(TUESDAY, 9), True, False, id="after-the-deadline"),
            pytest.param(at(TUESDAY, 11), False, False, id="over"),
        ],
    )
    def test_who_may_still_cancel(self, moment, anyone, the_member) -> None:
        # Cancel online until two hours before: Tuesday 8:00 for a booking at 10:00.
        space = BookableSpaceFactory(cancel_deadline_minutes=120)
        booking = book(space, at(TUESDAY, 10), now=NOW)
        assert booking.cancel_until == at(TUESDAY, 8)
        assert rules.is_cancellable(booking, moment) is anyone
        assert rules.member_can_cancel(booking, moment) is the_member

    def test_the_service_asks_the_same_question(self) -> None:
        from bookings.services.lifecycle import booking_cancel

        booking = book(BookableSpaceFactory(cancel_deadline_minutes=120), at(TUESDAY, 10), now=NOW)
        late = at(TUESDAY, 9)
        assert not rules.member_can_cancel(booking, late)
        with pytest.raises(errors.CancelDeadlinePassed):
            booking_cancel(booking=booking, by=booking.member, now=late)
        assert rules.member_can_cancel(booking, NOW)
        assert booking_cancel(booking=booking, by=booking.member, now=NOW).status == "cancelled"
        assert not rules.is_cancellable(booking, NOW)
