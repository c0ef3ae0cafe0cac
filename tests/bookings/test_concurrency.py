"""The proof that a unit is never sold twice: many members at once through the real API, and the
exclusion constraint itself. PostgreSQL only (SQLite serializes every writer anyway)."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Blackout, Booking, SpaceHold
from centers.models import Space
from tests.factories import ALL_DAY, BookableSpaceFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


def open_round_the_clock(**rules) -> Space:
    """No rule but the free units decides: open 24 hours, no notice, no quota in the way."""
    return BookableSpaceFactory(
        hours=ALL_DAY, min_notice_minutes=0, max_active_per_member=100, **rules
    )


def slot(space: Space) -> tuple[datetime, datetime]:
    """10:00–11:00 three days from now, on the grid, in the center's zone."""
    day = timezone.localdate(timezone=space.center.tz) + timedelta(days=3)
    start = datetime.combine(day, time(10), tzinfo=space.center.tz)
    return start, start + timedelta(hours=1)


def book_all_at_once(space: Space) -> list:
    """THREADS members, each with a client of their own, post the same slot together."""
    members = [UserFactory() for _ in range(THREADS)]
    start, end = slot(space)
    body = {"space": space.id, "start": start.isoformat(), "end": end.isoformat()}
    barrier = threading.Barrier(THREADS)
    results: list = []
    lock = threading.Lock()

    def attempt(member) -> None:
        client = APIClient()
        client.force_authenticate(member)
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/v1/bookings/", body, format="json")
            outcome = (response.status_code, response.json())
        except Exception as error:  # recorded, so that the assertions name it
            outcome = (None, repr(error))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == THREADS, results
    return results


def test_fifty_members_one_room_one_booking():
    space = open_round_the_clock(units=1)

    results = book_all_at_once(space)

    statuses = [status for status, _ in results]
    assert statuses.count(201) == 1, results
    assert statuses.count(409) == THREADS - 1, results
    assert {data["code"] for status, data in results if status == 409} == {"slot_taken"}
    booking = Booking.objects.get()
    assert SpaceHold.objects.get().booking == booking
    (winner,) = [data for status, data in results if status == 201]
    assert winner["id"] == booking.id
    assert winner["unit"] == 1


def test_fifty_members_six_washers_six_bookings():
    laundry = open_round_the_clock(units=6, kind=Space.Kind.LAUNDRY)

    results = book_all_at_once(laundry)

    won = [data for status, data in results if status == 201]
    lost = [data for status, data in results if status == 409]
    assert len(won) == 6, results
    assert sorted(data["unit"] for data in won) == [1, 2, 3, 4, 5, 6]
    assert len(lost) == THREADS - 6
    assert {data["code"] for data in lost} == {"slot_taken"}
    assert Booking.objects.count() == SpaceHold.objects.count() == 6
    assert sorted(SpaceHold.objects.values_list("unit", flat=True)) == [1, 2, 3, 4, 5, 6]


# --- The constraint itself -----------------------------------------------------------------------


@pytest.fixture
def blackout_factory():
    """Holds need a source; blackouts are the simplest (no member rules)."""
    space = open_round_the_clock(units=2)
    start, _ = slot(space)

    def make(start_hour: float, end_hour: float, unit: int = 1) -> SpaceHold:
        s = start + timedelta(hours=start_hour - 10)
        e = start + timedelta(hours=end_hour - 10)
        blackout = Blackout.objects.create(
            space=space, start=s, end=e, reason="测试", created_by=UserFactory()
        )
        with transaction.atomic():
            return SpaceHold.objects.create(
                space=space, unit=unit, start=s, end=e, blackout=blackout
            )

    return make


def test_overlapping_holds_on_one_unit_are_impossible(blackout_factory):
    blackout_factory(10, 11)

    with pytest.raises(IntegrityError, match="spacehold_no_overlap"):
        blackout_factory(10.5, 11.5)
    with pytest.raises(IntegrityError, match="spacehold_no_overlap"):
        blackout_factory(9, 12)


def test_adjacent_holds_and_other_units_are_fine(blackout_factory):
    blackout_factory(10, 11)
    blackout_factory(11, 12)  # [10:00, 11:00) and [11:00, 12:00) touch without overlapping
    blackout_factory(9, 10)
    blackout_factory(10, 11, unit=2)

    assert SpaceHold.objects.count() == 4
