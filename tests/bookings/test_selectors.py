"""bookings.selectors.availability: each day's opening intervals and the free stretches on the
slot grid, after the past, the notice period, the horizon, bookings with their buffers and
blackouts; units counted; three queries however many spaces."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bookings import errors
from bookings.selectors import availability, unit_holds
from bookings.services.blackouts import blackout_create
from centers import weekdays
from centers.models import Space
from tests.factories import (
    ALL_DAY,
    BookableSpaceFactory,
    CenterFactory,
    OpeningRuleFactory,
    SpaceFactory,
    book,
    staff_at,
)
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)
THURSDAY = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)


at = hour_on(MONDAY)


NOW = at(8)


def loaded(space: Space) -> Space:
    return Space.objects.select_related("center").get(pk=space.pk)


def days_of(space: Space, start: date = MONDAY, days: int = 1, now: datetime = NOW):
    return availability([loaded(space)], start, days, now=now)[space.id]


def free(space: Space, day: date = MONDAY, now: datetime = NOW) -> list[tuple]:
    (only,) = days_of(space, day, 1, now)
    return [(f.start, f.end, f.units_free) for f in only.free]


def opening(day) -> list[tuple[datetime, datetime]]:
    return [(i.start, i.end) for i in day.open]


# --- Open intervals ------------------------------------------------------------------------------


def test_open_lists_each_days_intervals() -> None:
    canteen = BookableSpaceFactory(
        hours=[(time(6, 30), time(9)), (time(10, 30), time(14)), (time(16, 30), time(20))]
    )

    days = days_of(canteen, MONDAY, 3)

    assert [d.date for d in days] == [MONDAY, TUESDAY, WEDNESDAY]
    assert [opening(d) for d in days] == [
        [(at(6, 30, d), at(9, 0, d)), (at(10, 30, d), at(14, 0, d)), (at(16, 30, d), at(20, 0, d))]
        for d in (MONDAY, TUESDAY, WEDNESDAY)
    ]
    assert [(f.start, f.end) for f in days[0].free] == [
        (at(8), at(9)),  # the breakfast already under way: from now
        (at(10, 30), at(14)),
        (at(16, 30), at(20)),
    ]


def test_the_library_shows_its_hours_and_nothing_free() -> None:
    library = SpaceFactory(kind=Space.Kind.LIBRARY, bookable=False)
    OpeningRuleFactory(space=library, weekdays=weekdays.to_mask([0, 1, 2, 3]), closes=time(17, 30))
    OpeningRuleFactory(space=library, weekdays=weekdays.to_mask([4, 5, 6]), closes=time(20, 30))

    thursday, friday = days_of(library, THURSDAY, 2)

    assert opening(thursday) == [(at(8, 30, THURSDAY), at(17, 30, THURSDAY))]
    assert opening(friday) == [(at(8, 30, FRIDAY), at(20, 30, FRIDAY))]
    assert thursday.free == friday.free == []


@pytest.mark.parametrize(
    "factory_kwargs",
    [{"bookable": False}, {"is_active": False}, {"center__is_active": False}],
    ids=["not_bookable", "inactive_space", "closed_center"],
)
def test_a_space_that_cannot_be_booked_has_nothing_free(factory_kwargs) -> None:
    space = BookableSpaceFactory(**factory_kwargs)

    (day,) = days_of(space, TUESDAY)

    assert opening(day) == [(at(8, 30, TUESDAY), at(20, 30, TUESDAY))]
    assert day.free == []
    with pytest.raises(errors.SpaceNotBookable):
        book(space, at(10, day=TUESDAY), now=NOW)


# --- The grid, the past, notice and horizon ------------------------------------------------------


def test_free_stretches_lie_on_the_slot_grid() -> None:
    space = BookableSpaceFactory(hours=[(time(8, 15), time(20, 45))])

    assert free(space, TUESDAY) == [(at(8, 30, TUESDAY), at(20, 30, TUESDAY), 1)]


def test_the_past_and_the_notice_period_are_not_free(clock) -> None:
    space = BookableSpaceFactory()
    with_notice = BookableSpaceFactory(min_notice_minutes=60)
    clock.move_to(at(10, 10))

    assert free(space, now=at(10, 10)) == [(at(10, 30), at(20, 30), 1)]
    assert free(with_notice, now=at(10, 10)) == [(at(11, 30), at(20, 30), 1)]
    assert free(with_notice, TUESDAY, now=at(10, 10)) == [
        (at(8, 30, TUESDAY), at(20, 30, TUESDAY), 1)
    ]
    # What availability offers first is what booking_create accepts first.
    with pytest.raises(errors.TooSoon):
        book(with_notice, at(11), now=at(10, 10))
    assert book(with_notice, at(11, 30), now=at(10, 10))


def test_days_beyond_the_horizon_are_open_but_not_free() -> None:
    space = BookableSpaceFactory(max_days_ahead=2)

    days = days_of(space, MONDAY, 4)

    assert [bool(d.open) for d in days] == [True, True, True, True]
    assert [bool(d.free) for d in days] == [True, True, True, False]


def test_the_horizon_in_the_centers_zone_after_midnight(clock) -> None:
    space = BookableSpaceFactory(max_days_ahead=1, hours=ALL_DAY)
    # 00:30 on Tuesday in Shanghai (Monday in UTC): Tuesday and Wednesday are within reach.
    just_after_midnight = at(0, 30, TUESDAY)
    clock.move_to(just_after_midnight)

    days = days_of(space, TUESDAY, 3, now=just_after_midnight)

    assert [d.free[0].start if d.free else None for d in days] == [
        just_after_midnight,
        at(0, 0, WEDNESDAY),
        None,
    ]


# --- Bookings, buffers, blackouts, units ---------------------------------------------------------


def test_bookings_and_their_buffers_are_not_free() -> None:
    space = BookableSpaceFactory(buffer_before_minutes=30, buffer_after_minutes=30)
    book(space, at(12), at(13), now=NOW)

    assert free(space) == [(at(8, 30), at(11), 1), (at(14), at(20, 30), 1)]
    # The edges of the free stretches are exactly what can be booked.
    with pytest.raises(errors.SlotTaken):
        book(space, at(10, 30), at(11, 30), now=NOW)
    with pytest.raises(errors.SlotTaken):
        book(space, at(13, 30), at(14, 30), now=NOW)
    book(space, at(10), at(11), now=NOW)
    book(space, at(14), at(15), now=NOW)


def test_blackouts_are_not_free() -> None:
    space = BookableSpaceFactory()
    staff = staff_at(space.center)
    blackout_create(
        space=space,
        start=at(14),
        end=at(16),
        reason="党员活动",
        by=staff,
        repeat_weekly_until=MONDAY + timedelta(weeks=1),
    )
    book(space, at(10), at(11), now=NOW)

    assert free(space) == [
        (at(8, 30), at(10), 1),
        (at(11), at(14), 1),
        (at(16), at(20, 30), 1),
    ]
    next_monday = MONDAY + timedelta(weeks=1)
    assert free(space, next_monday) == [
        (at(8, 30, next_monday), at(14, 0, next_monday), 1),
        (at(16, 0, next_monday), at(20, 30, next_monday), 1),
    ]


def test_six_washers_count_their_free_units() -> None:
    laundry = BookableSpaceFactory(
        kind=Space.Kind.LAUNDRY, units=6, slot_minutes=15, min_minutes=45, max_minutes=90
    )
    book(laundry, at(10), at(10, 45), now=NOW)
    book(laundry, at(10), at(11), now=NOW)

    assert free(laundry) == [
        (at(8, 30), at(10), 6),
        (at(10), at(10, 45), 4),
        (at(10, 45), at(11), 5),
        (at(11), at(20, 30), 6),
    ]


def test_gaps_shorter_than_the_minimum_are_dropped() -> None:
    space = BookableSpaceFactory(min_minutes=60)
    book(space, at(10), at(11), now=NOW)
    book(space, at(11, 30), at(12, 30), now=NOW)

    assert free(space) == [(at(8, 30), at(10), 1), (at(12, 30), at(20, 30), 1)]


def test_each_unit_must_be_free_for_the_minimum_on_its_own() -> None:
    # Two rooms, an hour at least: room 1 is free 10:00–10:30 and room 2 10:30–11:00. Together
    # they cover an hour, but no booking fits in either.
    space = BookableSpaceFactory(units=2, min_minutes=60)
    booked = [
        book(space, at(8, 30), at(10), now=NOW),
        book(space, at(8, 30), at(10, 30), now=NOW),
        book(space, at(10, 30), at(12, 30), now=NOW),
        book(space, at(11), at(13), now=NOW),
    ]
    assert [b.unit for b in booked] == [1, 2, 1, 2]

    assert free(space) == [(at(12, 30), at(13), 1), (at(13), at(20, 30), 2)]
    with pytest.raises(errors.SlotTaken):
        book(space, at(10), at(11), now=NOW)
    assert book(space, at(12, 30), at(13, 30), now=NOW).unit == 1


# --- Round the clock and overnight ---------------------------------------------------------------


def test_a_24_hour_space_is_free_across_midnight() -> None:
    study_room = BookableSpaceFactory(hours=ALL_DAY)
    book(study_room, at(23), at(1, day=TUESDAY), now=NOW)

    monday, tuesday = days_of(study_room, MONDAY, 2)

    assert opening(monday) == [(at(0), at(0, day=TUESDAY))]
    assert [(f.start, f.end) for f in monday.free] == [(at(8), at(23))]
    assert [(f.start, f.end) for f in tuesday.free] == [(at(1, day=TUESDAY), at(0, day=WEDNESDAY))]


def test_a_space_open_overnight() -> None:
    rest_stop = BookableSpaceFactory(hours=[(time(22), time(6))])

    monday, tuesday = days_of(rest_stop, MONDAY, 2)

    assert opening(monday) == [(at(22), at(6, day=TUESDAY))]
    assert [(f.start, f.end) for f in monday.free] == [(at(22), at(0, day=TUESDAY))]
    assert [(f.start, f.end) for f in tuesday.free] == [
        (at(0, day=TUESDAY), at(6, day=TUESDAY)),
        (at(22, day=TUESDAY), at(0, day=WEDNESDAY)),
    ]


# --- Many spaces ---------------------------------------------------------------------------------


def test_three_queries_for_one_space_or_thirty(django_assert_num_queries) -> None:
    center = CenterFactory()
    spaces = [BookableSpaceFactory(center=center) for _ in range(30)]
    for space in spaces[:5]:
        book(space, at(10), now=NOW)
    one = list(Space.objects.select_related("center").filter(pk=spaces[0].pk))
    thirty = list(Space.objects.select_related("center").filter(center=center))

    with django_assert_num_queries(3):
        single = availability(one, MONDAY, 7, now=NOW)
    with django_assert_num_queries(3):
        many = availability(thirty, MONDAY, 30, now=NOW)

    assert len(many) == 30
    assert single[spaces[0].id] == many[spaces[0].id][:7]
    assert [(f.start, f.end) for f in many[spaces[0].id][0].free] == [
        (at(8, 30), at(10)),
        (at(11), at(20, 30)),
    ]
    assert [(f.start, f.end) for f in many[spaces[29].id][0].free] == [(at(8, 30), at(20, 30))]


def test_no_spaces_no_queries(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert availability([], MONDAY, 7, now=NOW) == {}


def test_holds_are_read_as_exactly_their_timestamps() -> None:
    """On PostgreSQL the server turns holds into seconds since 1970: the same floats Python's
    ``timestamp()`` gives, to the microsecond."""
    space = loaded(BookableSpaceFactory(units=2))
    staff = staff_at(space.center)
    moments = [
        at(10, day=TUESDAY) + timedelta(microseconds=123_457),
        at(13, day=TUESDAY) - timedelta(microseconds=1),
        at(17, 59, day=WEDNESDAY) + timedelta(seconds=59, microseconds=999_999),
    ]
    for start in moments:
        blackout_create(
            space=space, start=start, end=start + timedelta(minutes=7), reason="检修", by=staff
        )

    holds = unit_holds([space], TUESDAY, WEDNESDAY)[space.id]

    expected = [m.timestamp() for m in moments]
    ends = [(m + timedelta(minutes=7)).timestamp() for m in moments]
    assert holds.of_unit(1) == holds.of_unit(2) == list(zip(expected, ends, strict=True))


def test_booking_choices_count_real_time_on_a_day_the_clocks_go_back() -> None:
    """Berlin, 25 October 2026: 03:00 summer time becomes 02:00 again. A free stretch of four
    real hours offers a start every 30 minutes of real time (the repeated hour too) and lengths
    of 30 and 60 real minutes; wall-clock arithmetic would skip the repeated hour and make
    'one hour' two."""
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from bookings.freetime import FreeStretch
    from bookings.selectors import DayAvailability, booking_choices

    berlin = ZoneInfo("Europe/Berlin")
    space = SimpleNamespace(
        center=SimpleNamespace(tz=berlin), slot_minutes=30, min_minutes=30, max_minutes=60
    )
    start = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # 01:00 summer time
    stretch = FreeStretch(start=start, end=start + timedelta(hours=4), units_free=1)

    choices = booking_choices(space, DayAvailability(date(2026, 10, 25), free=[stretch]))

    starts = [choice.start for choice in choices]
    # Compared as timestamps: Python never calls an ambiguous local time equal to a UTC one.
    assert [s.timestamp() for s in starts] == [
        (start + timedelta(minutes=30 * k)).timestamp() for k in range(8)
    ]
    assert [s.astimezone(berlin).strftime("%H:%M%z") for s in starts[2:4]] == [
        "02:00+0200",
        "02:30+0200",
    ]
    assert [s.astimezone(berlin).strftime("%H:%M%z") for s in starts[4:6]] == [
        "02:00+0100",
        "02:30+0100",
    ]
    for choice in choices:
        lengths = [(end.timestamp() - choice.start.timestamp()) / 60 for end in choice.ends]
        room = (stretch.end.timestamp() - choice.start.timestamp()) / 60
        assert lengths == ([30, 60] if room >= 60 else [30])
