"""centers.selectors: hours loaded from the database, "today" in the center's zone, query counts."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centers import demo, selectors, weekdays
from centers.hours import Interval, is_open_at, merge
from centers.models import Center, Space
from tests.factories import (
    CenterFactory,
    OpeningExceptionFactory,
    OpeningRuleFactory,
    SpaceFactory,
)
from tests.helpers import MONDAY, at

pytestmark = pytest.mark.django_db

MON_THU = weekdays.to_mask([0, 1, 2, 3])
FRI_SUN = weekdays.to_mask([4, 5, 6])

TUESDAY = date(2026, 11, 24)
THURSDAY = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)
SUNDAY = date(2026, 11, 29)
# 23:30 UTC on Monday the 23rd is 07:30 on Tuesday the 24th in Shanghai.
LATE_MONDAY_UTC = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)


def clocks(day) -> list[tuple[str, str]]:
    return [(c["start"], c["end"]) for c in (i.clock() for i in day.intervals)]


def loaded(space: Space) -> Space:
    """The space as the selectors expect it: with its center loaded."""
    return Space.objects.select_related("center").get(pk=space.pk)


def one_space_hours(space: Space, start: date, end: date | None = None):
    return selectors.space_hours([loaded(space)], start, end or start)[space.id]


def one_center_hours(center: Center, start: date, end: date | None = None):
    return selectors.center_hours([center], start, end or start)[center.id]


# --- Active places -------------------------------------------------------------------------------


class TestActive:
    def test_active_centers_hide_inactive_ones(self):
        shown = CenterFactory()
        CenterFactory(is_active=False)

        assert list(selectors.active_centers()) == [shown]

    def test_active_spaces_hide_inactive_spaces_and_spaces_of_inactive_centers(self):
        shown = SpaceFactory()
        SpaceFactory(center=shown.center, is_active=False)
        SpaceFactory(center=CenterFactory(is_active=False))

        assert list(selectors.active_spaces()) == [shown]

    def test_active_spaces_load_their_center(self, django_assert_num_queries):
        SpaceFactory.create_batch(3)

        with django_assert_num_queries(1):
            names = [s.center.name for s in selectors.active_spaces()]

        assert len(names) == 3


# --- local_today ---------------------------------------------------------------------------------


class TestLocalToday:
    def test_today_is_the_date_in_the_centers_zone(self):
        center = CenterFactory()

        assert selectors.local_today(center, LATE_MONDAY_UTC) == TUESDAY

    def test_another_zone_gives_another_date_at_the_same_instant(self):
        center = CenterFactory(time_zone="America/New_York")

        assert selectors.local_today(center, LATE_MONDAY_UTC) == MONDAY

    @time_machine.travel(LATE_MONDAY_UTC, tick=False)
    def test_defaults_to_now(self):
        assert selectors.local_today(CenterFactory()) == TUESDAY


# --- space_hours ---------------------------------------------------------------------------------


class TestSpaceHours:
    def test_canteen_has_three_intervals(self):
        canteen = SpaceFactory(kind=Space.Kind.CANTEEN)
        OpeningRuleFactory(center=canteen.center)  # 8:30-17:30, ignored by the canteen
        for opens, closes in [
            (time(16, 30), time(20)),
            (time(6, 30), time(9)),
            (time(10, 30), time(14)),
        ]:
            OpeningRuleFactory(space=canteen, opens=opens, closes=closes)

        days = one_space_hours(canteen, MONDAY, SUNDAY)

        assert len(days) == 7
        for day in days:
            assert clocks(day) == [("06:30", "09:00"), ("10:30", "14:00"), ("16:30", "20:00")]
        assert days[0].intervals[0] == Interval(at(MONDAY, 6, 30), at(MONDAY, 9))

    def test_library_differs_between_thursday_and_friday(self):
        library = SpaceFactory(kind=Space.Kind.LIBRARY)
        OpeningRuleFactory(space=library, weekdays=MON_THU, opens=time(8, 30), closes=time(17, 30))
        OpeningRuleFactory(space=library, weekdays=FRI_SUN, opens=time(8, 30), closes=time(20, 30))

        days = {d.date: d for d in one_space_hours(library, MONDAY, SUNDAY)}

        assert clocks(days[MONDAY]) == [("08:30", "17:30")]
        assert clocks(days[THURSDAY]) == [("08:30", "17:30")]
        assert clocks(days[FRIDAY]) == [("08:30", "20:30")]
        assert clocks(days[SUNDAY]) == [("08:30", "20:30")]

    def test_gym_follows_its_center_every_day(self):
        gym = SpaceFactory(kind=Space.Kind.GYM)
        OpeningRuleFactory(center=gym.center, opens=time(8, 30), closes=time(20, 30))

        days = one_space_hours(gym, MONDAY, SUNDAY)

        assert [clocks(d) for d in days] == [[("08:30", "20:30")]] * 7

    def test_a_space_with_own_rules_ignores_its_centers(self):
        space = SpaceFactory()
        OpeningRuleFactory(center=space.center, opens=time(8, 30), closes=time(20, 30))
        OpeningRuleFactory(space=space, weekdays=weekdays.to_mask([5, 6]), opens=time(9))

        days = one_space_hours(space, MONDAY, SUNDAY)

        assert [clocks(d) for d in days] == [[]] * 5 + [[("09:00", "17:30")]] * 2

    def test_another_spaces_rules_do_not_leak(self):
        space = SpaceFactory()
        sibling = SpaceFactory(center=space.center)
        OpeningRuleFactory(center=space.center)
        OpeningRuleFactory(space=sibling, opens=time(6), closes=time(7))

        (day,) = one_space_hours(space, MONDAY)

        assert clocks(day) == [("08:30", "17:30")]

    def test_another_centers_rules_and_exceptions_do_not_leak(self):
        space = SpaceFactory()
        other = CenterFactory()
        OpeningRuleFactory(center=other, opens=time(6), closes=time(7))
        OpeningExceptionFactory(center=other, start_date=MONDAY, end_date=SUNDAY)

        days = one_space_hours(space, MONDAY, SUNDAY)

        assert not any(d.is_open for d in days)
        assert all(d.note == "" for d in days)

    def test_intervals_are_aware_in_shanghai(self):
        space = SpaceFactory()
        OpeningRuleFactory(space=space, opens=time(22), closes=time(6))

        (day,) = one_space_hours(space, MONDAY)

        (interval,) = day.intervals
        assert interval.start == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
        assert interval.end == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
        assert interval.start.utcoffset() == timedelta(hours=8)
        assert interval.end.date() == TUESDAY

    def test_a_center_closure_closes_a_space_with_its_own_rules(self):
        library = SpaceFactory(kind=Space.Kind.LIBRARY)
        OpeningRuleFactory(center=library.center)
        OpeningRuleFactory(space=library, opens=time(8, 30), closes=time(20, 30))
        OpeningExceptionFactory(
            center=library.center, start_date=TUESDAY, end_date=TUESDAY, note="中心停电检修"
        )

        days = one_space_hours(library, MONDAY, THURSDAY)

        assert [d.is_open for d in days] == [True, False, True, True]
        assert days[1].note == "中心停电检修"
        assert clocks(days[2]) == [("08:30", "20:30")]

    def test_a_center_change_replaces_a_space_own_rules(self):
        canteen = SpaceFactory(kind=Space.Kind.CANTEEN)
        OpeningRuleFactory(space=canteen, opens=time(6, 30), closes=time(9))
        OpeningRuleFactory(space=canteen, opens=time(16, 30), closes=time(20))
        OpeningExceptionFactory(
            center=canteen.center,
            start_date=MONDAY,
            end_date=MONDAY,
            opens=time(9),
            closes=time(17),
            note="缩短开放",
        )

        (day,) = one_space_hours(canteen, MONDAY)

        assert clocks(day) == [("09:00", "17:00")]

    def test_a_space_exception_beats_the_center_exception(self):
        rest_stop = SpaceFactory(kind=Space.Kind.REST_STOP)
        OpeningRuleFactory(center=rest_stop.center)
        OpeningExceptionFactory(
            center=rest_stop.center, start_date=MONDAY, end_date=SUNDAY, note="春节闭馆"
        )
        OpeningExceptionFactory(
            space=rest_stop,
            start_date=THURSDAY,
            end_date=THURSDAY,
            opens=time(10),
            closes=time(16),
            note="驿站照常开放",
        )

        days = {d.date: d for d in one_space_hours(rest_stop, MONDAY, SUNDAY)}

        assert clocks(days[THURSDAY]) == [("10:00", "16:00")]
        assert days[THURSDAY].note == "驿站照常开放"
        assert all(not d.is_open and d.note == "春节闭馆" for k, d in days.items() if k != THURSDAY)

    def test_a_multi_day_exception_partly_inside_the_range(self):
        space = SpaceFactory()
        OpeningRuleFactory(center=space.center)
        OpeningExceptionFactory(
            space=space, start_date=MONDAY - timedelta(days=3), end_date=TUESDAY
        )
        OpeningExceptionFactory(space=space, start_date=SUNDAY, end_date=SUNDAY + timedelta(days=9))

        days = one_space_hours(space, MONDAY, SUNDAY)

        assert [d.is_open for d in days] == [False, False, True, True, True, True, False]

    def test_a_space_exception_does_not_affect_its_sibling(self):
        space = SpaceFactory()
        sibling = SpaceFactory(center=space.center)
        OpeningRuleFactory(center=space.center)
        OpeningExceptionFactory(space=sibling, start_date=MONDAY, end_date=MONDAY)

        hours = selectors.space_hours([loaded(space), loaded(sibling)], MONDAY, MONDAY)

        assert hours[space.id][0].is_open
        assert not hours[sibling.id][0].is_open

    def test_spaces_on_their_centers_hours_share_them_and_the_others_keep_their_own(self):
        center = CenterFactory()
        plain, own_rules, own_exception, also_plain = (
            SpaceFactory(center=center) for _ in range(4)
        )
        OpeningRuleFactory(center=center, opens=time(8), closes=time(12))
        OpeningRuleFactory(space=own_rules, opens=time(13), closes=time(18))
        OpeningExceptionFactory(space=own_exception, start_date=MONDAY, end_date=MONDAY)
        spaces = [loaded(s) for s in (plain, own_rules, own_exception, also_plain)]

        hours = selectors.space_hours(spaces, MONDAY, TUESDAY)

        assert [clocks(d) for d in hours[plain.id]] == [[("08:00", "12:00")]] * 2
        assert [clocks(d) for d in hours[own_rules.id]] == [[("13:00", "18:00")]] * 2
        assert [clocks(d) for d in hours[own_exception.id]] == [[], [("08:00", "12:00")]]
        assert hours[also_plain.id] == hours[plain.id]
        assert hours[also_plain.id][0] is not hours[plain.id][0]  # each space its own days

    def test_spaces_of_different_centers_in_one_call(self):
        first = SpaceFactory()
        second = SpaceFactory()
        OpeningRuleFactory(center=first.center, opens=time(8), closes=time(12))
        OpeningRuleFactory(center=second.center, opens=time(13), closes=time(18))

        hours = selectors.space_hours([loaded(first), loaded(second)], MONDAY, MONDAY)

        assert clocks(hours[first.id][0]) == [("08:00", "12:00")]
        assert clocks(hours[second.id][0]) == [("13:00", "18:00")]

    def test_a_twenty_four_hour_space_is_one_stretch(self):
        study_room = SpaceFactory(kind=Space.Kind.STUDY_ROOM)
        OpeningRuleFactory(center=study_room.center)
        OpeningRuleFactory(space=study_room, opens=time(0), closes=time(0))

        days = one_space_hours(study_room, MONDAY, SUNDAY)

        assert all(clocks(d) == [("00:00", "24:00")] for d in days)
        assert merge(i for d in days for i in d.intervals) == [
            Interval(at(MONDAY, 0), at(SUNDAY + timedelta(days=1), 0))
        ]

    def test_no_spaces_no_queries(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert selectors.space_hours([], MONDAY, SUNDAY) == {}

    @pytest.mark.parametrize("count", [1, 30])
    def test_two_queries_however_many_spaces(self, count, django_assert_num_queries):
        centers = CenterFactory.create_batch(3)
        for index in range(count):
            space = SpaceFactory(center=centers[index % 3])
            OpeningRuleFactory(space=space, opens=time(7), closes=time(9))
            OpeningExceptionFactory(space=space, start_date=TUESDAY, end_date=TUESDAY)
        for center in centers:
            OpeningRuleFactory(center=center)
            OpeningExceptionFactory(center=center, start_date=FRIDAY, end_date=FRIDAY)
        spaces = list(Space.objects.select_related("center"))

        with django_assert_num_queries(2):
            hours = selectors.space_hours(spaces, MONDAY, SUNDAY)

        assert len(hours) == count
        assert all(
            [d.is_open for d in days] == [True, False, True, True, False, True, True]
            for days in hours.values()
        )


# --- center_hours --------------------------------------------------------------------------------


class TestCenterHours:
    def test_the_buildings_own_hours_ignore_its_spaces_rules(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center, weekdays=MON_THU, opens=time(8, 30), closes=time(17))
        OpeningRuleFactory(
            space=SpaceFactory(center=center), opens=time(0), closes=time(0)
        )  # a 24-hour room does not keep the building open
        OpeningExceptionFactory(
            space=SpaceFactory(center=center), start_date=MONDAY, end_date=SUNDAY
        )

        days = one_center_hours(center, MONDAY, SUNDAY)

        assert [clocks(d) for d in days] == [[("08:30", "17:00")]] * 4 + [[]] * 3

    def test_a_center_exception(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center)
        OpeningExceptionFactory(
            center=center,
            start_date=TUESDAY,
            end_date=THURSDAY,
            opens=time(10),
            closes=time(15),
            note="调整开放",
        )

        days = one_center_hours(center, MONDAY, FRIDAY)

        assert [clocks(d) for d in days] == [
            [("08:30", "17:30")],
            [("10:00", "15:00")],
            [("10:00", "15:00")],
            [("10:00", "15:00")],
            [("08:30", "17:30")],
        ]
        assert [d.note for d in days] == ["", "调整开放", "调整开放", "调整开放", ""]

    def test_a_center_in_another_zone_gets_intervals_in_that_zone(self):
        center = CenterFactory(time_zone="Asia/Tokyo")
        OpeningRuleFactory(center=center)

        (day,) = one_center_hours(center, MONDAY)

        assert day.intervals[0].start.utcoffset() == timedelta(hours=9)
        assert day.intervals[0].start == datetime(2026, 11, 22, 23, 30, tzinfo=UTC)

    def test_no_centers_no_queries(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert selectors.center_hours([], MONDAY, SUNDAY) == {}

    @pytest.mark.parametrize("count", [1, 30])
    def test_two_queries_however_many_centers(self, count, django_assert_num_queries):
        for center in CenterFactory.create_batch(count):
            OpeningRuleFactory(center=center)
            OpeningExceptionFactory(center=center, start_date=MONDAY, end_date=MONDAY)
        centers = list(Center.objects.all())

        with django_assert_num_queries(2):
            hours = selectors.center_hours(centers, MONDAY, SUNDAY)

        assert len(hours) == count
        assert all([d.is_open for d in days] == [False] + [True] * 6 for days in hours.values())


# --- annotate_today ------------------------------------------------------------------------------


class TestAnnotateToday:
    def test_today_is_the_centers_date_not_utcs(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center)

        (center,) = selectors.annotate_today([center], LATE_MONDAY_UTC)

        assert center.today_hours.date == TUESDAY  # 07:30 in Shanghai
        assert clocks(center.today_hours) == [("08:30", "17:30")]
        assert center.open_now is False

    @time_machine.travel(datetime(2026, 11, 24, 1, 0, tzinfo=UTC), tick=False)
    def test_open_now_uses_the_current_time(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center)  # 09:00 in Shanghai: open

        (center,) = selectors.annotate_today([center])

        assert center.today_hours.date == TUESDAY
        assert center.open_now is True

    @time_machine.travel(LATE_MONDAY_UTC, tick=False)
    def test_defaults_to_now_in_shanghai(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center, opens=time(6, 30), closes=time(9))

        (center,) = selectors.annotate_today([center])

        assert center.today_hours.date == TUESDAY
        assert center.open_now is True

    def test_open_at_one_in_the_morning_through_yesterdays_interval(self):
        bar = CenterFactory()
        OpeningRuleFactory(center=bar, opens=time(22), closes=time(6))
        one_am_wednesday = at(TUESDAY + timedelta(days=1), 1)

        (bar,) = selectors.annotate_today([bar], one_am_wednesday)

        assert bar.today_hours.date == TUESDAY + timedelta(days=1)
        assert clocks(bar.today_hours) == [("22:00", "06:00")]
        assert bar.open_now is True

    def test_yesterdays_interval_still_counts_when_today_is_closed(self):
        bar = CenterFactory()
        OpeningRuleFactory(center=bar, opens=time(22), closes=time(6))
        OpeningExceptionFactory(center=bar, start_date=TUESDAY, end_date=TUESDAY)

        (bar,) = selectors.annotate_today([bar], at(TUESDAY, 1))

        assert bar.today_hours.intervals == []
        assert bar.open_now is True  # Monday 22:00 to Tuesday 06:00

    def test_closed_after_yesterdays_interval_ended(self):
        bar = CenterFactory()
        OpeningRuleFactory(center=bar, opens=time(22), closes=time(6))

        (bar,) = selectors.annotate_today([bar], at(TUESDAY, 6))

        assert bar.open_now is False

    def test_a_twenty_four_hour_center_is_open_at_midnight(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center, opens=time(0), closes=time(0))

        (center,) = selectors.annotate_today([center], at(TUESDAY, 0))

        assert center.open_now is True
        assert clocks(center.today_hours) == [("00:00", "24:00")]

    def test_a_closed_day_shows_no_hours(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center, weekdays=MON_THU)

        (center,) = selectors.annotate_today([center], at(SUNDAY, 12))

        assert center.today_hours.date == SUNDAY
        assert center.today_hours.intervals == []
        assert center.open_now is False

    def test_centers_in_different_zones_get_their_own_today(self):
        shanghai = CenterFactory()
        new_york = CenterFactory(time_zone="America/New_York")
        for center in (shanghai, new_york):
            OpeningRuleFactory(center=center, opens=time(8), closes=time(19))

        shanghai, new_york = selectors.annotate_today([shanghai, new_york], LATE_MONDAY_UTC)

        assert shanghai.today_hours.date == TUESDAY
        assert shanghai.open_now is False  # 07:30
        assert new_york.today_hours.date == MONDAY
        assert new_york.open_now is True  # 18:30

    def test_no_centers(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert selectors.annotate_today([], LATE_MONDAY_UTC) == []

    @pytest.mark.parametrize("count", [1, 20])
    def test_two_queries_however_many_centers(self, count, django_assert_num_queries):
        for center in CenterFactory.create_batch(count):
            OpeningRuleFactory(center=center)
        centers = list(Center.objects.all())

        with django_assert_num_queries(2):
            selectors.annotate_today(centers, at(TUESDAY, 12))

        assert all(c.open_now for c in centers)


# --- center_detail -------------------------------------------------------------------------------


class TestCenterDetail:
    def test_a_week_of_hours_from_today_in_shanghai(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center, weekdays=MON_THU, opens=time(8, 30), closes=time(17, 30))
        OpeningRuleFactory(center=center, weekdays=FRI_SUN, opens=time(8, 30), closes=time(20, 30))
        OpeningExceptionFactory(center=center, start_date=THURSDAY, end_date=THURSDAY, note="闭馆")

        detail = selectors.center_detail(center.id, LATE_MONDAY_UTC)

        week = detail.opening_week
        assert [d.date for d in week] == [TUESDAY + timedelta(days=n) for n in range(7)]
        assert clocks(week[0]) == [("08:30", "17:30")]
        assert week[2].date == THURSDAY and week[2].intervals == [] and week[2].note == "闭馆"
        assert clocks(week[3]) == [("08:30", "20:30")]  # Friday
        assert detail.today_hours.date == TUESDAY
        assert detail.open_now is False

    @time_machine.travel(LATE_MONDAY_UTC, tick=False)
    def test_defaults_to_now(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center, opens=time(7), closes=time(8))

        detail = selectors.center_detail(center.id)

        assert detail.opening_week[0].date == TUESDAY
        assert detail.open_now is True

    def test_open_now_through_yesterdays_overnight_interval(self):
        center = CenterFactory()
        monday = weekdays.to_mask([0])
        OpeningRuleFactory(center=center, weekdays=monday, opens=time(22), closes=time(6))

        detail = selectors.center_detail(center.id, at(TUESDAY, 1))

        assert detail.today_hours.intervals == []  # Tuesday has no rule
        assert detail.open_now is True

    def test_only_active_spaces(self):
        center = CenterFactory()
        shown = SpaceFactory(center=center)
        SpaceFactory(center=center, is_active=False)
        SpaceFactory()  # another center's

        detail = selectors.center_detail(center.id, LATE_MONDAY_UTC)

        assert detail.active_spaces == [shown]

    def test_an_inactive_center_does_not_exist(self):
        center = CenterFactory(is_active=False)

        with pytest.raises(Center.DoesNotExist):
            selectors.center_detail(center.id, LATE_MONDAY_UTC)

    def test_an_unknown_center_does_not_exist(self):
        with pytest.raises(Center.DoesNotExist):
            selectors.center_detail(999_999, LATE_MONDAY_UTC)

    def test_query_count_does_not_grow_with_spaces(self):
        center = CenterFactory()
        OpeningRuleFactory(center=center)
        SpaceFactory(center=center)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                detail = selectors.center_detail(center.id, LATE_MONDAY_UTC)
            assert len(detail.opening_week) == 7
            return len(captured.captured_queries)

        one = queries()
        for space in SpaceFactory.create_batch(19, center=center):
            OpeningRuleFactory(space=space)
            OpeningExceptionFactory(space=space, start_date=TUESDAY, end_date=TUESDAY)

        assert queries() == one
        assert len(selectors.center_detail(center.id, LATE_MONDAY_UTC).active_spaces) == 20


# --- The seeds' real hours -----------------------------------------------------------------------


@pytest.fixture
def places() -> list[Center]:
    return demo.load_places()


def seeded_space(name: str) -> Space:
    return Space.objects.select_related("center").get(name=name)


class TestSeedHours:
    def test_jingansi_canteen_has_three_intervals(self, places):
        canteen = seeded_space("同心荟社区食堂")

        days = selectors.space_hours([canteen], MONDAY, SUNDAY)[canteen.id]

        for day in days:
            assert clocks(day) == [("06:30", "09:00"), ("10:30", "14:00"), ("16:30", "20:00")]

    def test_jingansi_library_thursday_and_friday(self, places):
        library = seeded_space("社区图书馆")

        days = {d.date: d for d in selectors.space_hours([library], THURSDAY, FRIDAY)[library.id]}

        assert clocks(days[THURSDAY]) == [("08:30", "17:30")]
        assert clocks(days[FRIDAY]) == [("08:30", "20:30")]
        assert not is_open_at(days.values(), at(THURSDAY, 18))
        assert is_open_at(days.values(), at(FRIDAY, 18))

    def test_jingansi_gym_daily(self, places):
        gym = seeded_space("市民健身驿站")

        days = selectors.space_hours([gym], MONDAY, SUNDAY)[gym.id]

        assert [clocks(d) for d in days] == [[("08:30", "20:30")]] * 7

    def test_new_years_day_library_closed_and_canteen_shortened(self, places):
        new_year = date(2027, 1, 1)
        library = seeded_space("社区图书馆")
        canteen = seeded_space("同心荟社区食堂")
        center = library.center

        hours = selectors.space_hours([library, canteen], new_year, new_year)
        building = selectors.center_hours([center], new_year, new_year)[center.id]

        # The library's own exception wins over the center's shortened hours.
        assert hours[library.id][0].intervals == []
        assert hours[library.id][0].note == "元旦闭馆（演示数据）"
        # The canteen has no exception of its own: the center's replaces its three intervals.
        assert clocks(hours[canteen.id][0]) == [("09:00", "17:00")]
        assert hours[canteen.id][0].note == "元旦缩短开放（演示数据）"
        assert clocks(building[0]) == [("09:00", "17:00")]

    def test_twenty_four_hour_rest_stop(self, places):
        rest_stop = seeded_space("24小时畅享驿站")

        days = selectors.space_hours([rest_stop], MONDAY, SUNDAY)[rest_stop.id]

        assert all(clocks(d) == [("00:00", "24:00")] for d in days)
        assert len(merge(i for d in days for i in d.intervals)) == 1
        # Its center closes at 21:00; the rest stop stays open.
        center_days = selectors.center_hours([rest_stop.center], MONDAY, MONDAY)
        assert clocks(center_days[rest_stop.center_id][0]) == [("08:30", "21:00")]

    def test_late_night_station_open_at_one_in_the_morning(self, places):
        station = Center.objects.get(name="大桶大足浴党群服务站")
        assert station.kind == Center.Kind.STATION

        (station,) = selectors.annotate_today([station], at(TUESDAY, 1))

        assert clocks(station.today_hours) == [("11:00", "02:00")]
        assert station.open_now is True

    def test_center_detail_of_a_seeded_center(self, places):
        center = Center.objects.get(name="静安寺街道社区党群服务中心")

        detail = selectors.center_detail(center.id, at(date(2026, 12, 30), 12))

        assert [d.date for d in detail.opening_week][2] == date(2027, 1, 1)
        assert clocks(detail.opening_week[2]) == [("09:00", "17:00")]
        assert clocks(detail.opening_week[0]) == [("08:30", "20:30")]
        assert {s.name for s in detail.active_spaces} >= {"同心荟社区食堂", "社区图书馆"}
        assert detail.open_now is True
