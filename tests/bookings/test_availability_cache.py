"""The availability API's per-(space, day) cache: a warm answer is the cold answer without
reading holds, and every change of holds (a booking, its cancellation, a blackout, a program
session), of the hours or of the space's grid shows at once. "Now" is 08:00 on Monday
2026-11-23 in Shanghai."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import AvailabilityChange
from bookings.services.blackouts import blackout_create, blackout_delete
from bookings.services.lifecycle import booking_cancel
from centers.models import OpeningRule
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


def test_today_is_computed_every_time(api) -> None:
    """Today's free time depends on the time of day (and a 24-hour room's on its neighbours):
    it is never taken from the cache, while the days after it are."""
    center = CenterFactory()
    BookableSpaceFactory(center=center)

    first, _ = center_answer(api, center, MONDAY)
    second, queries = center_answer(api, center, MONDAY)

    assert first == second
    assert reads_holds(queries)
    assert len([k for k in cache._cache if ":avail1:" in k]) == 6  # locmem's own dict


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
