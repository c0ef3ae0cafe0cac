"""bookings.services.clock: the jobs that move bookings as time passes. Each is safe to run
twice; no-shows count toward the center's suspension policy."""

import logging
from datetime import datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bookings.models import AvailabilityChange, Booking, BookingEvent, SpaceHold
from bookings.services.clock import (
    availability_changes_prune,
    bookings_complete_past,
    bookings_mark_no_shows,
    bookings_release_unclaimed,
)
from bookings.services.lifecycle import booking_check_in
from centers.models import Space, StaffAssignment
from members.errors import MemberSuspended
from members.models import NoShow, Suspension
from tests.factories import BookableSpaceFactory, book, staff_at
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

Status = Booking.Status


at = hour_on(MONDAY)


NOW = at(8)


@pytest.fixture
def space() -> Space:
    return BookableSpaceFactory(release_after_minutes=15)


def status(booking: Booking) -> str:
    return Booking.objects.values_list("status", flat=True).get(pk=booking.pk)


def last_event(booking: Booking) -> tuple:
    return (
        booking.events.order_by("id")
        .values_list("action", "from_status", "to_status", "actor", "reason")
        .last()
    )


def run_all(now: datetime) -> tuple[int, int, int]:
    return (
        bookings_release_unclaimed(now=now),
        bookings_mark_no_shows(now=now),
        bookings_complete_past(now=now),
    )


def travel(clock, moment: datetime) -> datetime:
    clock.move_to(moment)
    return moment


# --- Releasing unclaimed bookings ----------------------------------------------------------------


def test_an_unclaimed_booking_is_released_after_the_release_time(clock, space, member) -> None:
    booking = book(space, at(10), at(12), member=member, now=NOW)

    assert bookings_release_unclaimed(now=travel(clock, at(10, 14))) == 0
    assert status(booking) == Status.CONFIRMED

    assert bookings_release_unclaimed(now=travel(clock, at(10, 15))) == 1

    assert status(booking) == Status.NO_SHOW
    assert not SpaceHold.objects.filter(booking=booking).exists()
    assert last_event(booking) == ("release", "confirmed", "no_show", None, "")
    no_show = NoShow.objects.get(member=member)
    assert (no_show.center, no_show.occurred_at, no_show.cause) == (
        space.center,
        at(10),
        Booking.objects.get(pk=booking.pk),
    )
    # The unit is free again for the rest of the time (staff book a walk-in at once).
    staff = staff_at(space.center, StaffAssignment.Role.FRONT_DESK)
    walk_in = book(space, at(10, 30), at(12), by=staff, now=at(10, 15))
    assert walk_in.unit == booking.unit

    # Again: nothing more happens.
    assert run_all(at(10, 16)) == (0, 0, 0)
    assert NoShow.objects.filter(member=member).count() == 1
    assert booking.events.count() == 2


def test_a_checked_in_booking_is_not_released(clock, space, member) -> None:
    booking = book(space, at(10), member=member, now=NOW)
    staff = staff_at(space.center)
    booking_check_in(
        booking=booking, by=staff, code=booking.check_in_code, now=travel(clock, at(10))
    )

    assert bookings_release_unclaimed(now=travel(clock, at(10, 30))) == 0
    assert status(booking) == Status.CHECKED_IN
    assert not NoShow.objects.exists()


def test_each_space_has_its_own_release_time(clock, member) -> None:
    quick = book(BookableSpaceFactory(release_after_minutes=10), at(10), member=member, now=NOW)
    slow = book(BookableSpaceFactory(release_after_minutes=30), at(10), member=member, now=NOW)

    assert bookings_release_unclaimed(now=travel(clock, at(10, 10))) == 1
    assert (status(quick), status(slow)) == (Status.NO_SHOW, Status.CONFIRMED)
    assert bookings_release_unclaimed(now=travel(clock, at(10, 30))) == 1
    assert status(slow) == Status.NO_SHOW


def test_spaces_that_never_release_mark_the_no_show_at_the_end(clock, member) -> None:
    space = BookableSpaceFactory(release_after_minutes=0)
    booking = book(space, at(10), at(11), member=member, now=NOW)

    assert run_all(travel(clock, at(10, 59))) == (0, 0, 0)
    assert status(booking) == Status.CONFIRMED

    assert run_all(travel(clock, at(11))) == (0, 1, 0)

    assert status(booking) == Status.NO_SHOW
    assert last_event(booking) == ("no_show", "confirmed", "no_show", None, "")
    assert not SpaceHold.objects.filter(booking=booking).exists()
    assert NoShow.objects.filter(member=member, occurred_at=at(10)).count() == 1
    assert run_all(at(11, 1)) == (0, 0, 0)


def test_spaces_without_check_in_complete_at_the_end_without_no_shows(clock, member) -> None:
    space = BookableSpaceFactory(requires_check_in=False)
    booking = book(space, at(10), at(11), member=member, now=NOW)

    assert run_all(travel(clock, at(10, 30))) == (0, 0, 0)
    assert run_all(travel(clock, at(11))) == (0, 0, 1)

    assert status(booking) == Status.COMPLETED
    assert last_event(booking) == ("complete", "confirmed", "completed", None, "")
    assert not SpaceHold.objects.filter(booking=booking).exists()
    assert not NoShow.objects.exists()
    assert run_all(at(11, 1)) == (0, 0, 0)


def test_a_checked_in_booking_completes_after_its_end(clock, space, member) -> None:
    booking = book(space, at(10), at(11), member=member, now=NOW)
    staff = staff_at(space.center)
    booking_check_in(
        booking=booking, by=staff, code=booking.check_in_code, now=travel(clock, at(10))
    )

    assert run_all(travel(clock, at(10, 59))) == (0, 0, 0)
    assert run_all(travel(clock, at(11))) == (0, 0, 1)

    assert status(booking) == Status.COMPLETED
    assert last_event(booking) == ("complete", "checked_in", "completed", None, "")
    assert not SpaceHold.objects.filter(booking=booking).exists()
    assert run_all(at(11, 1)) == (0, 0, 0)


def test_a_pending_booking_nobody_approved_expires_at_its_start(
    clock, member, caplog, django_capture_on_commit_callbacks
) -> None:
    space = BookableSpaceFactory(requires_approval=True)
    booking = book(space, at(10), member=member, now=NOW)

    assert bookings_complete_past(now=travel(clock, at(9, 59))) == 0
    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert bookings_complete_past(now=travel(clock, at(10))) == 1

    assert status(booking) == Status.REJECTED
    action, before, after, actor, reason = last_event(booking)
    assert (action, before, after, actor) == ("expire", "pending", "rejected", None)
    assert reason
    assert not SpaceHold.objects.filter(booking=booking).exists()
    assert [r.getMessage() for r in caplog.records if r.name == "notifications.notify"] == [
        f"notify booking_rejected to member {member.pk} about bookings.Booking:{booking.pk}"
    ]
    assert run_all(at(10, 1)) == (0, 0, 0)
    assert not NoShow.objects.exists()


def test_the_jobs_leave_finished_and_future_bookings_alone(clock, space, member) -> None:
    today = book(space, at(10), member=member, now=NOW)
    tomorrow = book(space, at(10, day=MONDAY + timedelta(days=1)), member=member, now=NOW)

    assert run_all(travel(clock, at(12))) == (1, 0, 0)
    events_before = BookingEvent.objects.count()
    assert run_all(at(12)) == (0, 0, 0)
    assert run_all(at(12, 1)) == (0, 0, 0)

    assert (status(today), status(tomorrow)) == (Status.NO_SHOW, Status.CONFIRMED)
    assert BookingEvent.objects.count() == events_before


# --- No-shows and suspension ---------------------------------------------------------------------


def test_the_third_no_show_at_a_center_suspends_the_member(
    clock, space, member, caplog, django_capture_on_commit_callbacks
) -> None:
    days = [MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)]
    bookings = [book(space, at(10, day=day), member=member, now=NOW) for day in days]
    elsewhere = book(BookableSpaceFactory(), at(14), member=member, now=NOW)

    bookings_release_unclaimed(now=travel(clock, at(14, 15)))  # Monday's, and the other center's
    bookings_release_unclaimed(now=travel(clock, at(10, 15, day=days[1])))
    assert not Suspension.objects.exists()

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        bookings_release_unclaimed(now=travel(clock, at(10, 15, day=days[2])))

    suspension = Suspension.objects.get(member=member)
    assert (suspension.center, suspension.starts_at, suspension.ends_at) == (
        space.center,
        at(10, 15, day=days[2]),
        at(10, 15, day=days[2]) + timedelta(days=space.center.suspension_days),
    )
    assert NoShow.objects.filter(member=member, center=space.center).count() == 3
    assert set(NoShow.objects.filter(member=member).values_list("cause_type", "cause_id")) == {
        (ContentType.objects.get_for_model(Booking).pk, b.pk) for b in [*bookings, elsewhere]
    }
    assert f"notify suspended to member {member.pk} about members.Suspension:{suspension.pk}" in [
        r.getMessage() for r in caplog.records if r.name == "notifications.notify"
    ]
    with pytest.raises(MemberSuspended):
        book(space, at(10, day=MONDAY + timedelta(days=7)), member=member)


def test_a_stricter_center_suspends_sooner(clock, member) -> None:
    space = BookableSpaceFactory(center__no_show_limit=1, center__suspension_days=7)
    book(space, at(10), member=member, now=NOW)

    bookings_release_unclaimed(now=travel(clock, at(10, 15)))

    assert Suspension.objects.get(member=member).ends_at == at(10, 15) + timedelta(days=7)


def test_availability_versions_of_days_gone_by_are_pruned() -> None:
    space = BookableSpaceFactory()
    today = timezone.now().date()
    for days in (-10, -3, -2, 0, 5):
        AvailabilityChange.objects.create(space=space, day=today + timedelta(days=days))

    assert availability_changes_prune() == 2
    left = sorted(
        (d - today).days for d in AvailabilityChange.objects.values_list("day", flat=True)
    )
    assert left == [-2, 0, 5]
