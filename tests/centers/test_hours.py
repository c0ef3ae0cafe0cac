"""centers.hours: weekly rules and dated exceptions in, dated aware intervals out (no database).

Rules and exceptions are unsaved model instances: ``days_for`` only reads their attributes.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from centers import weekdays
from centers.hours import DayHours, Interval, days_for, is_open_at, make_interval, merge
from centers.models import OpeningException, OpeningRule
from tests.helpers import MONDAY, SHANGHAI, at

UTC = ZoneInfo("UTC")
MON_THU = weekdays.to_mask([0, 1, 2, 3])
FRI_SUN = weekdays.to_mask([4, 5, 6])

THURSDAY = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)
SUNDAY = date(2026, 11, 29)


def rule(opens: str, closes: str, days: int = weekdays.ALL_DAYS) -> OpeningRule:
    return OpeningRule(weekdays=days, opens=_t(opens), closes=_t(closes))


def closed(start: date, end: date | None = None, note: str = "") -> OpeningException:
    return OpeningException(start_date=start, end_date=end or start, note=note)


def changed(
    start: date, opens: str, closes: str, end: date | None = None, note: str = ""
) -> OpeningException:
    return OpeningException(
        start_date=start, end_date=end or start, opens=_t(opens), closes=_t(closes), note=note
    )


def _t(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def clocks(day: DayHours) -> list[tuple[str, str]]:
    return [(c["start"], c["end"]) for c in (i.clock() for i in day.intervals)]


def hours(start, end=None, *, rules=(), exceptions=()):
    """Days for a single scope (one layer of rules, one of exceptions)."""
    return days_for(
        start=start,
        end=end or start,
        tz=SHANGHAI,
        rule_layers=[list(rules)],
        exception_layers=[list(exceptions)],
    )


# --- make_interval -------------------------------------------------------------------------------


class TestMakeInterval:
    def test_same_day_interval_is_aware_in_the_given_zone(self):
        interval = make_interval(MONDAY, time(8, 30), time(17, 30), SHANGHAI)

        assert interval.start == at(MONDAY, 8, 30)
        assert interval.end == at(MONDAY, 17, 30)
        assert interval.start.utcoffset() == timedelta(hours=8)
        assert interval.start.tzinfo == SHANGHAI
        assert interval.end.tzinfo == SHANGHAI

    def test_closing_before_opening_ends_the_next_day(self):
        interval = make_interval(MONDAY, time(22, 0), time(6, 0), SHANGHAI)

        assert interval.start == at(MONDAY, 22)
        assert interval.end == at(MONDAY + timedelta(days=1), 6)
        assert interval.end - interval.start == timedelta(hours=8)

    def test_closing_at_midnight_ends_at_the_next_midnight(self):
        interval = make_interval(MONDAY, time(20, 0), time(0, 0), SHANGHAI)

        assert interval.end == at(MONDAY + timedelta(days=1), 0)
        assert interval.clock() == {"start": "20:00", "end": "24:00"}

    def test_opens_equal_to_closes_is_twenty_four_hours(self):
        interval = make_interval(MONDAY, time(0, 0), time(0, 0), SHANGHAI)

        assert interval.start == at(MONDAY, 0)
        assert interval.end == at(MONDAY + timedelta(days=1), 0)
        assert interval.end - interval.start == timedelta(hours=24)

    def test_opens_equal_to_closes_at_another_time_is_also_a_full_day(self):
        interval = make_interval(MONDAY, time(6, 0), time(6, 0), SHANGHAI)

        assert interval.start == at(MONDAY, 6)
        assert interval.end == at(MONDAY + timedelta(days=1), 6)


# --- Interval ------------------------------------------------------------------------------------


class TestInterval:
    def test_contains_includes_the_start_and_excludes_the_end(self):
        interval = Interval(at(MONDAY, 8, 30), at(MONDAY, 17, 30))

        assert not interval.contains(at(MONDAY, 8, 29))
        assert interval.contains(at(MONDAY, 8, 30))
        assert interval.contains(at(MONDAY, 17, 29))
        assert not interval.contains(at(MONDAY, 17, 30))

    def test_contains_compares_instants_not_wall_clocks(self):
        interval = Interval(at(MONDAY, 8, 30), at(MONDAY, 17, 30))

        # 01:00 UTC is 09:00 in Shanghai.
        assert interval.contains(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
        # 10:00 UTC is 18:00 in Shanghai.
        assert not interval.contains(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))

    def test_clock_prints_hours_and_minutes(self):
        interval = Interval(at(MONDAY, 8, 30), at(MONDAY, 17, 30))

        assert interval.clock() == {"start": "08:30", "end": "17:30"}
        assert interval.text == "08:30–17:30"

    def test_clock_of_a_twenty_four_hour_interval_ends_at_24(self):
        interval = make_interval(MONDAY, time(0, 0), time(0, 0), SHANGHAI)

        assert interval.clock() == {"start": "00:00", "end": "24:00"}
        assert interval.text == "00:00–24:00"

    def test_clock_of_an_overnight_interval_keeps_the_next_days_time(self):
        interval = make_interval(MONDAY, time(22, 0), time(6, 0), SHANGHAI)

        assert interval.clock() == {"start": "22:00", "end": "06:00"}

    def test_clock_converts_to_the_given_zone(self):
        interval = Interval(
            datetime(2026, 11, 23, 0, 30, tzinfo=UTC), datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
        )

        assert interval.clock() == {"start": "00:30", "end": "09:30"}
        assert interval.clock(SHANGHAI) == {"start": "08:30", "end": "17:30"}

    def test_clock_shows_24_only_for_the_next_midnight_in_the_display_zone(self):
        # 16:00 UTC is midnight in Shanghai: the next local day's midnight.
        interval = Interval(
            datetime(2026, 11, 23, 12, 0, tzinfo=UTC), datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
        )

        assert interval.clock(SHANGHAI) == {"start": "20:00", "end": "24:00"}
        assert interval.clock(UTC) == {"start": "12:00", "end": "16:00"}

    def test_intervals_order_by_start(self):
        early = Interval(at(MONDAY, 6, 30), at(MONDAY, 9))
        late = Interval(at(MONDAY, 16, 30), at(MONDAY, 20))

        assert sorted([late, early]) == [early, late]


# --- days_for: weekly rules ----------------------------------------------------------------------


class TestWeeklyRules:
    def test_one_day_per_date_inclusive_of_both_ends(self):
        days = hours(MONDAY, SUNDAY, rules=[rule("8:30", "20:30")])

        assert [d.date for d in days] == [MONDAY + timedelta(days=n) for n in range(7)]

    def test_start_equal_to_end_gives_one_day(self):
        assert len(hours(MONDAY, rules=[rule("8:30", "20:30")])) == 1

    def test_end_before_start_gives_no_days(self):
        assert hours(MONDAY, MONDAY - timedelta(days=1), rules=[rule("8:30", "20:30")]) == []

    def test_gym_is_open_the_same_hours_every_day(self):
        days = hours(MONDAY, SUNDAY, rules=[rule("8:30", "20:30")])

        assert all(clocks(d) == [("08:30", "20:30")] for d in days)
        assert all(d.is_open for d in days)
        assert all(d.note == "" for d in days)

    def test_canteen_has_three_intervals_a_day_in_order(self):
        # Given out of order on purpose: the day lists them by start.
        canteen = [rule("16:30", "20:00"), rule("6:30", "9:00"), rule("10:30", "14:00")]

        (day,) = hours(MONDAY, rules=canteen)

        assert clocks(day) == [("06:30", "09:00"), ("10:30", "14:00"), ("16:30", "20:00")]
        assert is_open_at([day], at(MONDAY, 7))
        assert not is_open_at([day], at(MONDAY, 9))
        assert not is_open_at([day], at(MONDAY, 15))
        assert is_open_at([day], at(MONDAY, 19, 59))
        assert not is_open_at([day], at(MONDAY, 20))

    def test_library_hours_differ_by_weekday(self):
        library = [rule("8:30", "17:30", MON_THU), rule("8:30", "20:30", FRI_SUN)]

        days = {d.date: d for d in hours(MONDAY, SUNDAY, rules=library)}

        for offset in range(4):  # Monday to Thursday
            assert clocks(days[MONDAY + timedelta(days=offset)]) == [("08:30", "17:30")]
        for offset in range(4, 7):  # Friday to Sunday
            assert clocks(days[MONDAY + timedelta(days=offset)]) == [("08:30", "20:30")]
        assert not is_open_at([days[THURSDAY]], at(THURSDAY, 19))
        assert is_open_at([days[FRIDAY]], at(FRIDAY, 19))

    def test_a_weekday_without_rules_is_closed(self):
        weekdays_only = [rule("8:30", "17:00", weekdays.to_mask([0, 1, 2, 3, 4]))]

        saturday, sunday = hours(SUNDAY - timedelta(days=1), SUNDAY, rules=weekdays_only)

        assert saturday.intervals == [] and not saturday.is_open
        assert sunday.intervals == [] and not sunday.is_open

    def test_no_rules_at_all_is_closed_every_day(self):
        days = hours(MONDAY, SUNDAY)

        assert len(days) == 7
        assert not any(d.is_open for d in days)

    def test_all_datetimes_are_aware_in_the_zone(self):
        days = hours(MONDAY, SUNDAY, rules=[rule("6:30", "9:00"), rule("22:00", "6:00")])

        for day in days:
            for interval in day.intervals:
                for moment in (interval.start, interval.end):
                    assert moment.tzinfo == SHANGHAI
                    assert moment.utcoffset() == timedelta(hours=8)

    def test_intervals_use_the_zone_passed_in(self):
        tokyo = ZoneInfo("Asia/Tokyo")

        (day,) = days_for(
            start=MONDAY,
            end=MONDAY,
            tz=tokyo,
            rule_layers=[[rule("8:30", "17:30")]],
            exception_layers=[[]],
        )

        assert day.intervals[0].start == datetime(2026, 11, 23, 8, 30, tzinfo=tokyo)
        assert day.intervals[0].start.utcoffset() == timedelta(hours=9)


class TestRuleLayers:
    def test_the_first_non_empty_layer_wins(self):
        space_rules = [rule("9:00", "11:00")]
        center_rules = [rule("8:30", "20:30")]

        (day,) = days_for(
            start=MONDAY,
            end=MONDAY,
            tz=SHANGHAI,
            rule_layers=[space_rules, center_rules],
            exception_layers=[[], []],
        )

        assert clocks(day) == [("09:00", "11:00")]

    def test_own_rules_win_even_on_weekdays_they_do_not_cover(self):
        # A space open only at weekends does not fall back to its center's weekday hours.
        space_rules = [rule("9:00", "12:00", weekdays.to_mask([5, 6]))]
        center_rules = [rule("8:30", "20:30")]

        days = days_for(
            start=MONDAY,
            end=SUNDAY,
            tz=SHANGHAI,
            rule_layers=[space_rules, center_rules],
            exception_layers=[[], []],
        )

        assert [clocks(d) for d in days] == [[]] * 5 + [[("09:00", "12:00")]] * 2

    def test_an_empty_first_layer_falls_back_to_the_next(self):
        (day,) = days_for(
            start=MONDAY,
            end=MONDAY,
            tz=SHANGHAI,
            rule_layers=[[], [rule("8:30", "21:00")]],
            exception_layers=[[], []],
        )

        assert clocks(day) == [("08:30", "21:00")]


# --- days_for: exceptions ------------------------------------------------------------------------


class TestExceptions:
    def test_a_single_day_closure_closes_only_that_day(self):
        days = hours(
            MONDAY,
            MONDAY + timedelta(days=2),
            rules=[rule("8:30", "20:30")],
            exceptions=[closed(MONDAY + timedelta(days=1), note="设备检修")],
        )

        assert [clocks(d) for d in days] == [[("08:30", "20:30")], [], [("08:30", "20:30")]]
        assert [d.note for d in days] == ["", "设备检修", ""]
        assert not days[1].is_open

    def test_a_multi_day_closure_covers_every_date_inclusive(self):
        days = hours(
            MONDAY,
            SUNDAY,
            rules=[rule("8:30", "20:30")],
            exceptions=[closed(THURSDAY, FRIDAY, note="春节闭馆")],
        )

        closed_days = [d.date for d in days if not d.is_open]
        assert closed_days == [THURSDAY, FRIDAY]
        assert sum(d.is_open for d in days) == 5
        assert {d.note for d in days if not d.is_open} == {"春节闭馆"}

    def test_changed_hours_replace_every_weekly_interval(self):
        canteen = [rule("6:30", "9:00"), rule("10:30", "14:00"), rule("16:30", "20:00")]

        (day,) = hours(
            MONDAY, rules=canteen, exceptions=[changed(MONDAY, "9:00", "17:00", note="缩短开放")]
        )

        assert clocks(day) == [("09:00", "17:00")]
        assert day.note == "缩短开放"

    def test_changed_hours_over_a_range(self):
        days = hours(
            MONDAY,
            SUNDAY,
            rules=[rule("8:30", "17:30")],
            exceptions=[changed(FRIDAY, "10:00", "16:00", end=SUNDAY)],
        )

        assert [clocks(d) for d in days] == [[("08:30", "17:30")]] * 4 + [[("10:00", "16:00")]] * 3

    def test_changed_hours_on_a_day_without_weekly_hours_open_it(self):
        (sunday,) = hours(
            SUNDAY,
            rules=[rule("8:30", "17:00", weekdays.to_mask([0, 1, 2, 3, 4]))],
            exceptions=[changed(SUNDAY, "9:00", "12:00", note="周日加开")],
        )

        assert clocks(sunday) == [("09:00", "12:00")]

    def test_several_exceptions_on_one_date_give_several_intervals_and_one_note(self):
        (day,) = hours(
            MONDAY,
            rules=[rule("8:30", "20:30")],
            exceptions=[
                changed(MONDAY, "14:00", "18:00", note="节日调整"),
                changed(MONDAY, "9:00", "12:00", note="节日调整"),
            ],
        )

        assert clocks(day) == [("09:00", "12:00"), ("14:00", "18:00")]
        assert day.note == "节日调整"  # the same note once

    def test_different_notes_on_one_date_are_joined(self):
        (day,) = hours(
            MONDAY,
            exceptions=[
                changed(MONDAY, "9:00", "12:00", note="上午开放"),
                changed(MONDAY, "14:00", "18:00", note="下午开放"),
            ],
        )

        assert day.note == "上午开放；下午开放"

    def test_exception_hours_may_cross_midnight(self):
        (day,) = hours(MONDAY, exceptions=[changed(MONDAY, "20:00", "2:00", note="跨年夜")])

        assert day.intervals == [Interval(at(MONDAY, 20), at(MONDAY + timedelta(days=1), 2))]

    def test_exceptions_outside_the_range_change_nothing(self):
        days = hours(
            MONDAY,
            THURSDAY,
            rules=[rule("8:30", "17:30")],
            exceptions=[closed(FRIDAY, SUNDAY), closed(MONDAY - timedelta(days=3))],
        )

        assert all(clocks(d) == [("08:30", "17:30")] for d in days)


class TestExceptionLayers:
    """Layers are [space's, center's]: the space's exception decides a date it covers."""

    def test_a_space_exception_beats_the_center_exception(self):
        (day,) = days_for(
            start=MONDAY,
            end=MONDAY,
            tz=SHANGHAI,
            rule_layers=[[], [rule("8:30", "20:30")]],
            exception_layers=[
                [changed(MONDAY, "10:00", "12:00", note="照常开放")],
                [closed(MONDAY, note="中心闭馆")],
            ],
        )

        assert clocks(day) == [("10:00", "12:00")]
        assert day.note == "照常开放"

    def test_a_space_closure_beats_the_center_changed_hours(self):
        (day,) = days_for(
            start=MONDAY,
            end=MONDAY,
            tz=SHANGHAI,
            rule_layers=[[], [rule("8:30", "20:30")]],
            exception_layers=[
                [closed(MONDAY, note="图书馆闭馆")],
                [changed(MONDAY, "9:00", "17:00")],
            ],
        )

        assert day.intervals == []
        assert day.note == "图书馆闭馆"

    def test_a_center_exception_overrides_the_space_own_weekly_rules(self):
        canteen = [rule("6:30", "9:00"), rule("10:30", "14:00"), rule("16:30", "20:00")]

        days = days_for(
            start=MONDAY,
            end=MONDAY + timedelta(days=1),
            tz=SHANGHAI,
            rule_layers=[canteen, [rule("8:30", "20:30")]],
            exception_layers=[[], [closed(MONDAY, note="中心闭馆")]],
        )

        assert days[0].intervals == []
        assert days[0].note == "中心闭馆"
        assert len(days[1].intervals) == 3

    def test_a_space_exception_on_other_dates_does_not_shield_it_from_the_center(self):
        days = days_for(
            start=MONDAY,
            end=MONDAY + timedelta(days=1),
            tz=SHANGHAI,
            rule_layers=[[rule("8:30", "17:30")], []],
            exception_layers=[
                [changed(MONDAY, "9:00", "10:00")],
                [closed(MONDAY, MONDAY + timedelta(days=1))],
            ],
        )

        assert clocks(days[0]) == [("09:00", "10:00")]
        assert days[1].intervals == []


# --- merge ---------------------------------------------------------------------------------------


class TestMerge:
    def test_empty(self):
        assert merge([]) == []

    def test_disjoint_intervals_stay_apart_and_come_out_sorted(self):
        morning = Interval(at(MONDAY, 6, 30), at(MONDAY, 9))
        noon = Interval(at(MONDAY, 10, 30), at(MONDAY, 14))

        assert merge([noon, morning]) == [morning, noon]

    def test_touching_intervals_join(self):
        assert merge(
            [Interval(at(MONDAY, 8), at(MONDAY, 12)), Interval(at(MONDAY, 12), at(MONDAY, 17))]
        ) == [Interval(at(MONDAY, 8), at(MONDAY, 17))]

    def test_overlapping_intervals_join(self):
        assert merge(
            [Interval(at(MONDAY, 8), at(MONDAY, 13)), Interval(at(MONDAY, 12), at(MONDAY, 17))]
        ) == [Interval(at(MONDAY, 8), at(MONDAY, 17))]

    def test_a_contained_interval_disappears(self):
        outer = Interval(at(MONDAY, 8), at(MONDAY, 20))

        assert merge([outer, Interval(at(MONDAY, 9), at(MONDAY, 10))]) == [outer]

    def test_a_twenty_four_hour_space_is_one_stretch_across_days(self):
        days = hours(MONDAY, SUNDAY, rules=[rule("0:00", "0:00")])

        stretch = merge(i for d in days for i in d.intervals)

        assert stretch == [Interval(at(MONDAY, 0), at(SUNDAY + timedelta(days=1), 0))]
        assert all(clocks(d) == [("00:00", "24:00")] for d in days)

    def test_overnight_intervals_join_with_the_next_morning(self):
        days = hours(MONDAY, MONDAY + timedelta(days=1), rules=[rule("6:00", "22:00")])
        overnight = make_interval(MONDAY, time(22), time(6), SHANGHAI)

        stretch = merge([overnight, *(i for d in days for i in d.intervals)])

        assert stretch == [Interval(at(MONDAY, 6), at(MONDAY + timedelta(days=1), 22))]

    def test_a_closed_day_breaks_the_stretch(self):
        days = hours(
            MONDAY,
            MONDAY + timedelta(days=2),
            rules=[rule("0:00", "0:00")],
            exceptions=[closed(MONDAY + timedelta(days=1))],
        )

        stretch = merge(i for d in days for i in d.intervals)

        assert stretch == [
            Interval(at(MONDAY, 0), at(MONDAY + timedelta(days=1), 0)),
            Interval(at(MONDAY + timedelta(days=2), 0), at(MONDAY + timedelta(days=3), 0)),
        ]


# --- is_open_at ----------------------------------------------------------------------------------


class TestIsOpenAt:
    def test_an_overnight_interval_keeps_the_next_morning_open(self):
        tuesday = MONDAY + timedelta(days=1)
        days = hours(MONDAY, tuesday, rules=[rule("22:00", "6:00")])

        assert days[0].intervals == [Interval(at(MONDAY, 22), at(tuesday, 6))]
        # 01:00 on Tuesday is inside Monday's interval, not Tuesday's (which starts at 22:00).
        assert is_open_at(days, at(tuesday, 1))
        assert not is_open_at(days[1:], at(tuesday, 1))
        assert not is_open_at(days, at(tuesday, 6))
        assert not is_open_at(days, at(MONDAY, 21, 59))
        assert is_open_at(days, at(tuesday, 23))

    def test_closed_days_are_never_open(self):
        days = hours(MONDAY, exceptions=[closed(MONDAY)], rules=[rule("0:00", "0:00")])

        assert not is_open_at(days, at(MONDAY, 12))

    def test_no_days(self):
        assert not is_open_at([], at(MONDAY, 12))
