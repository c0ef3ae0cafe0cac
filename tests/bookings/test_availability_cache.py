"""The availability API's per-(space, day) cache: a warm answer is the cold answer without
reading holds, and every change of holds (a booking, its cancellation, a blackout, a program
session), of the hours or of the space's grid shows at once. "Now" is 08:00 on Monday
2026-11-23 in Shanghai."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from bookings.availability_cache import KEY_PREFIX
from bookings.models import AvailabilityChange
from bookings.selectors import availability, center_bookable_spaces
from bookings.services.blackouts import blackout_create, blackout_delete
from bookings.services.lifecycle import booking_cancel
from centers.models import Center, OpeningException, OpeningRule
from services.services.sessions import session_cancel, session_create
from tests.factories import (
    ALL_DAY,
    BookableSpaceFactory,
    CenterFactory,
    ProgramFactory,
    StaffAssignmentFactory,
    book,
)
from tests.helpers import SHANGHAI, at, iso

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)


def free_on(api, space, day: date = TUESDAY) -> list[tuple[str, str, int]]:
    body = api.get(f"/api/v1/spaces/{space.id}/availability/", {"start": day, "days": 1}).json()
    return [(f["start"], f["end"], f["units_free"]) for f in body["days"][0]["free"]]


def center_answer(api, center, start: date) -> tuple[bytes, list]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(
            f"/api/v1/centers/{center.id}/availability/", {"start": start, "days": 7}
        )
    assert response.status_code == 200
    return response.content, queries.captured_queries


def reference_body(center: Center, start: date, days: int) -> bytes:
    """The answer as the API wrote it before it cached text: the selector's days as data,
    times in the center's zone, through DRF's JSON renderer."""
    spaces = center_bookable_spaces(center)
    tz = center.tz
    found = availability(spaces, start, days, timezone.now())

    def span(item) -> dict:
        return {
            "start": item.start.astimezone(tz).isoformat(),
            "end": item.end.astimezone(tz).isoformat(),
        }

    data = {
        "center": center.id,
        "spaces": [
            {
                "space": space.id,
                "days": [
                    {
                        "date": day.date.isoformat(),
                        "open": [span(i) for i in day.open],
                        "free": [{**span(f), "units_free": f.units_free} for f in day.free],
                    }
                    for day in found[space.id]
                ],
            }
            for space in spaces
        ],
    }
    return JSONRenderer().render(data)


def reads_holds(queries) -> bool:
    return any("bookings_spacehold" in q["sql"] for q in queries)


def test_a_warm_answer_is_the_cold_one_without_reading_holds(api) -> None:
    center = CenterFactory()
    spaces = [BookableSpaceFactory(center=center, units=n) for n in (1, 3)]
    book(spaces[0], at(TUESDAY, 10))
    book(spaces[1], at(TUESDAY, 14), at(TUESDAY, 16))

    cold, cold_queries = center_answer(api, center, TUESDAY)
    warm, warm_queries = center_answer(api, center, TUESDAY)
    cache.clear()
    again, _ = center_answer(api, center, TUESDAY)

    assert warm == cold == again
    assert b"units_free" in warm
    assert reads_holds(cold_queries)
    assert not reads_holds(warm_queries)
    assert len(warm_queries) == len(cold_queries) - 1


def cached_days() -> int:
    return len([k for k in cache._cache if f":{KEY_PREFIX}:" in k])  # locmem's own dict


def test_today_is_cached_until_its_next_slot_starts(api, clock) -> None:
    """Today's free time depends on the time of day only through the first slot a member may
    still book: its entry is keyed by that slot's start, so it serves until the next slot
    starts, and then today is computed again."""
    center = CenterFactory()
    space = BookableSpaceFactory(center=center, min_notice_minutes=20)
    book(space, at(MONDAY, 10))
    clock.move_to(at(MONDAY, 9, 5))  # 9:25 at the earliest: from 9:30 on

    first, _ = center_answer(api, center, MONDAY)
    clock.move_to(at(MONDAY, 9, 10))  # 9:30 at the earliest
    second, queries = center_answer(api, center, MONDAY)
    assert first == second == reference_body(center, MONDAY, 7)
    assert not reads_holds(queries)
    assert cached_days() == 7

    clock.move_to(at(MONDAY, 9, 11))  # 9:31: from 10:00 on, which the booking holds
    third, queries = center_answer(api, center, MONDAY)
    assert reads_holds(queries)
    assert third == reference_body(center, MONDAY, 7)
    assert iso(MONDAY, 9, 30).encode() in first
    assert iso(MONDAY, 9, 30).encode() not in third
    assert cached_days() == 8


def test_a_round_the_clock_room_is_computed_every_time(api) -> None:
    """A 24-hour room's day depends on its neighbours: its days never come from the cache."""
    center = CenterFactory()
    BookableSpaceFactory(center=center, hours=ALL_DAY)

    first, _ = center_answer(api, center, TUESDAY)
    second, queries = center_answer(api, center, TUESDAY)

    assert first == second == reference_body(center, TUESDAY, 7)
    assert reads_holds(queries)
    assert cached_days() == 0


def test_a_booking_and_its_cancellation_show_at_once(api) -> None:
    space = BookableSpaceFactory()
    assert free_on(api, space) == [(iso(TUESDAY, 8, 30), iso(TUESDAY, 20, 30), 1)]

    booking = book(space, at(TUESDAY, 10))
    assert free_on(api, space) == [
        (iso(TUESDAY, 8, 30), iso(TUESDAY, 10), 1),
        (iso(TUESDAY, 11), iso(TUESDAY, 20, 30), 1),
    ]

    booking_cancel(booking=booking, by=booking.member)
    assert free_on(api, space) == [(iso(TUESDAY, 8, 30), iso(TUESDAY, 20, 30), 1)]


def test_a_hold_change_bumps_the_version_of_the_days_it_bears_on() -> None:
    space = BookableSpaceFactory(hours=ALL_DAY, buffer_before_minutes=30)
    book(space, at(TUESDAY, 10))
    # Until midnight: with the buffer kept before each booking, Wednesday's first slot too.
    book(space, at(TUESDAY, 23), at(TUESDAY + timedelta(days=1), 0))

    days = sorted(AvailabilityChange.objects.filter(space=space).values_list("day", flat=True))

    assert days == [TUESDAY, TUESDAY, TUESDAY + timedelta(days=1)]


def test_blackouts_show_and_go_at_once(api) -> None:
    space = BookableSpaceFactory()
    staff = StaffAssignmentFactory(center=space.center).user
    assert len(free_on(api, space)) == 1

    blackout, _ = blackout_create(
        space=space, start=at(TUESDAY, 12), end=at(TUESDAY, 14), reason="消防检查", by=staff
    )
    assert free_on(api, space) == [
        (iso(TUESDAY, 8, 30), iso(TUESDAY, 12), 1),
        (iso(TUESDAY, 14), iso(TUESDAY, 20, 30), 1),
    ]

    blackout_delete(blackout=blackout, by=staff)
    assert free_on(api, space) == [(iso(TUESDAY, 8, 30), iso(TUESDAY, 20, 30), 1)]


def test_program_sessions_show_and_go_at_once(api) -> None:
    space = BookableSpaceFactory(units=2)
    staff = StaffAssignmentFactory(center=space.center).user
    program = ProgramFactory(center=space.center)
    assert free_on(api, space) == [(iso(TUESDAY, 8, 30), iso(TUESDAY, 20, 30), 2)]

    session = session_create(
        program=program,
        start=at(TUESDAY, 9),
        end=at(TUESDAY, 11),
        capacity=20,
        by=staff,
        space=space,
    )
    assert free_on(api, space) == [
        (iso(TUESDAY, 8, 30), iso(TUESDAY, 9), 2),
        (iso(TUESDAY, 11), iso(TUESDAY, 20, 30), 2),
    ]

    session_cancel(session=session, by=staff, reason="老师生病")
    assert free_on(api, space) == [(iso(TUESDAY, 8, 30), iso(TUESDAY, 20, 30), 2)]


def test_new_hours_and_a_new_grid_show_at_once(api) -> None:
    space = BookableSpaceFactory()
    assert free_on(api, space) == [(iso(TUESDAY, 8, 30), iso(TUESDAY, 20, 30), 1)]

    OpeningRule.objects.filter(space=space).update(closes=time(12))
    assert free_on(api, space) == [(iso(TUESDAY, 8, 30), iso(TUESDAY, 12), 1)]

    space.min_minutes = space.slot_minutes = 60
    space.save()
    assert free_on(api, space) == [(iso(TUESDAY, 9), iso(TUESDAY, 12), 1)]


def test_a_round_the_clock_room_is_right_across_midnight_from_the_cache(api) -> None:
    study = BookableSpaceFactory(hours=ALL_DAY)
    book(study, at(TUESDAY, 23), at(TUESDAY + timedelta(days=1), 1))

    expected = [(iso(TUESDAY, 0), iso(TUESDAY, 23), 1)]
    assert free_on(api, study) == free_on(api, study) == expected


def varied_center(time_zone: str = "Asia/Shanghai") -> Center:
    """Spaces on several grids, with units, buffers, notice, overnight and 24-hour hours and
    bookings."""
    center = CenterFactory(time_zone=time_zone)
    tz = center.tz
    plain = BookableSpaceFactory(center=center, units=3, buffer_before_minutes=15)
    odd = BookableSpaceFactory(
        center=center,
        slot_minutes=45,
        min_minutes=90,
        max_minutes=180,
        min_notice_minutes=70,
        max_days_ahead=3,
    )
    BookableSpaceFactory(center=center, hours=[(time(20), time(2))], buffer_after_minutes=30)
    BookableSpaceFactory(center=center, hours=ALL_DAY, slot_minutes=60, min_minutes=60)
    BookableSpaceFactory(
        center=center,
        hours=[(time(7, 10), time(11, 50))],
        slot_minutes=25,
        min_minutes=50,
        max_minutes=200,
    )
    for hour in (9, 9, 10):  # two units at 9
        book(plain, datetime.combine(TUESDAY, time(hour), tzinfo=tz))
    book(
        odd,
        datetime.combine(TUESDAY, time(9), tzinfo=tz),
        datetime.combine(TUESDAY, time(10, 30), tzinfo=tz),
    )
    return center


def test_the_text_is_the_answer_the_data_gave_at_any_time_of_day(api, clock) -> None:
    """Through a day, with what earlier moments cached: every answer is the one computed then."""
    center = varied_center()
    for hour, minute in [(0, 0), (8, 0), (8, 29), (8, 30), (8, 31), (9, 59), (13, 17), (23, 59)]:
        clock.move_to(at(MONDAY, hour, minute))
        for start in (MONDAY - timedelta(days=1), MONDAY, TUESDAY):
            expected = reference_body(center, start, 7)
            response = api.get(
                f"/api/v1/centers/{center.id}/availability/", {"start": start, "days": 7}
            )
            assert response["Content-Type"] == "application/json"
            assert response.content == expected
            assert center_answer(api, center, start)[0] == expected  # warm


def test_the_text_is_right_where_the_clocks_change(api, clock) -> None:
    """Berlin's clocks go back at 3:00 on 2026-10-25, and 2:10 comes twice: that day is never
    cached by the time of day (the slot after 2:10 is not the same slot the second time)."""
    center = varied_center("Europe/Berlin")
    BookableSpaceFactory(center=center, hours=[(time(0, 30), time(23, 30))])  # through 2:00–3:00
    fall_back = date(2026, 10, 25)
    for hour, minute, fold in [(1, 10, 0), (2, 10, 0), (2, 10, 1), (2, 40, 1), (3, 10, 0)]:
        now = datetime.combine(fall_back, time(hour, minute), tzinfo=center.tz).replace(fold=fold)
        clock.move_to(now)
        expected = reference_body(center, fall_back, 7)
        assert center_answer(api, center, fall_back)[0] == expected
        assert center_answer(api, center, fall_back)[0] == expected


def test_indented_json_when_asked_for(api) -> None:
    center = varied_center()
    response = api.get(
        f"/api/v1/centers/{center.id}/availability/",
        {"start": TUESDAY, "days": 2},
        HTTP_ACCEPT="application/json; indent=2",
    )
    assert response.content.startswith(b'{\n  "center"')
    assert (
        response.json()
        == api.get(
            f"/api/v1/centers/{center.id}/availability/", {"start": TUESDAY, "days": 2}
        ).json()
    )


@pytest.mark.parametrize(
    "change",
    [
        {"units": 1},
        {"buffer_before_minutes": 0},
        {"buffer_after_minutes": 30},
        {"min_minutes": 120},
        {"slot_minutes": 60, "min_minutes": 60},
    ],
)
def test_a_changed_space_shows_at_once(api, change) -> None:
    center = varied_center()
    space = center_bookable_spaces(center)[0]
    center_answer(api, center, TUESDAY)

    for field, value in change.items():
        setattr(space, field, value)
    space.save()
    answer, queries = center_answer(api, center, TUESDAY)

    assert reads_holds(queries)
    assert answer == reference_body(center, TUESDAY, 7)


def test_a_new_time_zone_and_an_exception_to_the_hours_show_at_once(api) -> None:
    center = varied_center()
    before, _ = center_answer(api, center, TUESDAY)

    center.time_zone = "Asia/Tokyo"
    center.save()
    center = Center.objects.get(pk=center.pk)  # its zone is a cached property
    moved, _ = center_answer(api, center, TUESDAY)
    assert moved != before
    assert moved == reference_body(center, TUESDAY, 7)

    OpeningException.objects.create(
        center=center, start_date=TUESDAY, end_date=TUESDAY, opens=time(13), closes=time(15)
    )
    closed, _ = center_answer(api, center, TUESDAY)
    assert closed != moved
    assert closed == reference_body(center, TUESDAY, 7)
