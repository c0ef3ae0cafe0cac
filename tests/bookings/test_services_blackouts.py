"""bookings.services.blackouts: staff block a space (every unit), once or weekly; bookings in
the way stop them unless staff cancel those bookings in the same step."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings import errors
from bookings.models import Blackout, Booking, SpaceHold
from bookings.selectors import availability
from bookings.services.blackouts import blackout_create, blackout_delete
from centers.models import Space, StaffAssignment
from core.errors import Invalid, NotFound
from members.models import User
from tests.factories import (
    BookableSpaceFactory,
    CenterFactory,
    StaffAssignmentFactory,
    UserFactory,
    book,
    staff_at,
)
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

Status = Booking.Status


at = hour_on(MONDAY)


NOW = at(8)


@pytest.fixture
def space() -> Space:
    return BookableSpaceFactory(units=2)


@pytest.fixture
def staff(space) -> User:
    return staff_at(space.center, StaffAssignment.Role.FRONT_DESK)


def block(space: Space, staff: User, start: datetime, end: datetime, **kwargs):
    return blackout_create(space=space, start=start, end=end, reason="消防检查", by=staff, **kwargs)


def free_on(space: Space, day: date) -> list[tuple[datetime, datetime, int]]:
    loaded = Space.objects.select_related("center").get(pk=space.pk)
    days = availability([loaded], day, 1, now=NOW)[space.id]
    return [(f.start, f.end, f.units_free) for f in days[0].free]


def blackout_holds(blackout: Blackout) -> list[tuple[int, datetime, datetime]]:
    return list(
        SpaceHold.objects.filter(blackout=blackout)
        .order_by("start", "unit")
        .values_list("unit", "start", "end")
    )


def test_a_block_takes_every_unit_for_its_time(space, staff) -> None:
    blackout, cancelled = block(space, staff, at(14), at(16))

    assert cancelled == []
    assert (blackout.reason, blackout.created_by, blackout.repeat_weekly_until) == (
        "消防检查",
        staff,
        None,
    )
    assert blackout_holds(blackout) == [(1, at(14), at(16)), (2, at(14), at(16))]
    with pytest.raises(errors.SlotTaken):
        book(space, at(15), now=NOW)
    with pytest.raises(errors.SlotTaken):
        book(space, at(13, 30), now=NOW)
    assert book(space, at(13), now=NOW).unit == 1
    assert book(space, at(16), now=NOW).unit == 1
    assert free_on(space, MONDAY) == [
        (at(8, 30), at(13), 2),
        (at(13), at(14), 1),
        (at(16), at(17), 1),
        (at(17), at(20, 30), 2),
    ]


def test_a_weekly_block_keeps_its_clock_time_until_the_last_date(space, staff) -> None:
    blackout, _ = block(space, staff, at(18), at(20), repeat_weekly_until=date(2026, 12, 14))

    mondays = [MONDAY + timedelta(weeks=w) for w in range(4)]
    assert blackout_holds(blackout) == [
        (unit, at(18, day=day), at(20, day=day)) for day in mondays for unit in (1, 2)
    ]
    with pytest.raises(errors.SlotTaken):
        book(space, at(18, day=date(2026, 12, 14)), now=NOW)
    assert book(space, at(18, day=date(2026, 12, 21)), now=NOW)
    assert book(space, at(18, day=date(2026, 12, 15)), now=NOW)


def test_a_weekly_block_stays_at_local_time_across_a_clock_change() -> None:
    # Shanghai keeps one offset all year; a center in a zone with summer time shows that the
    # weekly block follows the wall clock, not a fixed number of hours.
    berlin = ZoneInfo("Europe/Berlin")
    space = BookableSpaceFactory(center=CenterFactory(time_zone="Europe/Berlin"))
    staff = staff_at(space.center)
    start = datetime(2026, 10, 19, 14, tzinfo=berlin)  # summer time, +02:00

    blackout, _ = blackout_create(
        space=space,
        start=start,
        end=start + timedelta(hours=2),
        reason="Wartung",
        by=staff,
        repeat_weekly_until=date(2026, 11, 2),
    )

    starts = [s.astimezone(berlin) for _, s, _ in blackout_holds(blackout)]
    assert [(s.date(), s.hour, s.utcoffset()) for s in starts] == [
        (date(2026, 10, 19), 14, timedelta(hours=2)),
        (date(2026, 10, 26), 14, timedelta(hours=1)),
        (date(2026, 11, 2), 14, timedelta(hours=1)),
    ]


class TestConflicts:
    def test_bookings_in_the_way_stop_the_block(self, space, staff) -> None:
        first = book(space, at(14), now=NOW)
        next_week = book(space, at(15, day=MONDAY + timedelta(weeks=1)), now=NOW)
        book(space, at(16), now=NOW)  # touches the block: no conflict

        with pytest.raises(errors.BlackoutConflict) as caught:
            block(space, staff, at(13), at(16), repeat_weekly_until=date(2026, 12, 7))

        assert (caught.value.code, caught.value.status) == ("blackout_conflict", 409)
        assert {b.pk for b in caught.value.bookings} == {first.pk, next_week.pk}
        assert sorted(caught.value.fields["bookings"]) == sorted([str(first.pk), str(next_week.pk)])
        assert not Blackout.objects.exists()
        assert Booking.objects.filter(status=Status.CONFIRMED).count() == 3

    def test_a_bookings_buffer_counts(self) -> None:
        space = BookableSpaceFactory(buffer_after_minutes=30)
        staff = staff_at(space.center)
        booking = book(space, at(12), at(13), now=NOW)

        with pytest.raises(errors.BlackoutConflict) as caught:
            block(space, staff, at(13), at(14))
        assert caught.value.bookings == [booking]

    def test_staff_may_cancel_them_in_the_same_step(
        self, space, staff, caplog, django_capture_on_commit_callbacks
    ) -> None:
        member = UserFactory()
        booking = book(space, at(14), member=member, now=NOW)
        elsewhere = book(space, at(10), now=NOW)

        with (
            caplog.at_level(logging.INFO, logger="notifications.notify"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            blackout, cancelled = block(
                space,
                staff,
                at(13),
                at(16),
                cancel_conflicting=True,
                cancel_reason="临时消防检查，敬请谅解",
            )

        assert [b.pk for b in cancelled] == [booking.pk]
        booking.refresh_from_db()
        assert booking.status == Status.CANCELLED
        assert booking.events.order_by("id").values_list(
            "action", "to_status", "actor", "reason"
        ).last() == ("cancel_by_staff", "cancelled", staff.pk, "临时消防检查，敬请谅解")
        assert [r.getMessage() for r in caplog.records if r.name == "notifications.notify"] == [
            f"notify booking_cancelled_by_staff to member {member.pk} "
            f"about bookings.Booking:{booking.pk}"
        ]
        assert blackout_holds(blackout) == [(1, at(13), at(16)), (2, at(13), at(16))]
        assert Booking.objects.get(pk=elsewhere.pk).status == Status.CONFIRMED

    def test_the_blocks_reason_is_the_default_cancel_reason(self, space, staff) -> None:
        booking = book(space, at(14), now=NOW)

        block(space, staff, at(13), at(16), cancel_conflicting=True)

        assert booking.events.order_by("id").last().reason == "消防检查"

    def test_another_block_in_the_way(self, space, staff) -> None:
        block(space, staff, at(14), at(16))

        with pytest.raises(errors.BlackoutConflict) as caught:
            block(space, staff, at(15), at(17), cancel_conflicting=True)

        assert caught.value.blocked_by_blackout
        assert caught.value.bookings == []
        assert Blackout.objects.count() == 1

    def test_a_failed_block_cancels_nothing(self, space, staff) -> None:
        block(space, staff, at(18), at(20))
        booking = book(space, at(14), now=NOW)

        with pytest.raises(errors.BlackoutConflict):
            block(space, staff, at(13), at(19), cancel_conflicting=True)

        assert Booking.objects.get(pk=booking.pk).status == Status.CONFIRMED
        assert SpaceHold.objects.filter(booking=booking).exists()


class TestPermissionsAndInput:
    def test_staff_of_another_center_do_not_find_the_space(self, space) -> None:
        outsider = StaffAssignmentFactory().user

        with pytest.raises(NotFound):
            block(space, outsider, at(14), at(16))
        with pytest.raises(NotFound):
            block(space, UserFactory(), at(14), at(16))
        assert not Blackout.objects.exists()

    def test_a_viewer_may_not_block(self, space) -> None:
        viewer = staff_at(space.center, StaffAssignment.Role.VIEWER)

        with pytest.raises(NotFound):
            block(space, viewer, at(14), at(16))

    def test_the_end_comes_after_the_start_and_a_reason_is_given(self, space, staff) -> None:
        with pytest.raises(Invalid) as caught:
            block(space, staff, at(16), at(14))
        assert "end" in caught.value.fields
        with pytest.raises(Invalid) as caught:
            blackout_create(space=space, start=at(14), end=at(16), reason="  ", by=staff)
        assert "reason" in caught.value.fields

    def test_two_years_at_most(self, space, staff) -> None:
        with pytest.raises(Invalid):
            block(space, staff, at(14), at(16), repeat_weekly_until=date(2029, 1, 1))


class TestDelete:
    def test_deleting_frees_the_time(self, space, staff) -> None:
        blackout, _ = block(space, staff, at(14), at(16), repeat_weekly_until=date(2026, 12, 7))

        blackout_delete(blackout=blackout, by=staff)

        assert not Blackout.objects.exists()
        assert not SpaceHold.objects.exists()
        assert book(space, at(14), now=NOW).unit == 1
        assert free_on(space, MONDAY)[0] == (at(8, 30), at(14), 2)

    def test_staff_of_another_center_cannot_delete(self, space, staff) -> None:
        blackout, _ = block(space, staff, at(14), at(16))

        with pytest.raises(NotFound):
            blackout_delete(blackout=blackout, by=StaffAssignmentFactory().user)
        assert Blackout.objects.filter(pk=blackout.pk).exists()
