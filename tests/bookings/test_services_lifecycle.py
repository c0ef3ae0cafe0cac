"""bookings.services.lifecycle: cancel, approve, reject and check in. Every move is conditional,
audited with who, from, to and why, and frees the unit when the booking stops holding time."""

import logging

import pytest
from django.utils import translation

from bookings import errors
from bookings.models import Booking, SpaceHold
from bookings.services.clock import bookings_release_unclaimed
from bookings.services.lifecycle import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_check_in_by_code,
    booking_reject,
)
from centers.models import Space, StaffAssignment
from core.errors import Invalid, NotFound
from members.models import User
from tests.factories import (
    BookableSpaceFactory,
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
    # Cancel online until 2 hours before; check in from 15 minutes before.
    return BookableSpaceFactory(cancel_deadline_minutes=120, venue_code="8264")


@pytest.fixture
def booking(space, member) -> Booking:
    return book(space, at(12), at(13), member=member, now=NOW)


@pytest.fixture
def staff(space) -> User:
    return staff_at(space.center, StaffAssignment.Role.FRONT_DESK)


def events(booking: Booking) -> list[tuple]:
    return list(booking.events.values_list("action", "from_status", "to_status", "actor", "reason"))


def holds_time(booking: Booking) -> bool:
    return SpaceHold.objects.filter(booking=booking).exists()


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def status(booking: Booking) -> str:
    return Booking.objects.values_list("status", flat=True).get(pk=booking.pk)


# --- Cancelling ----------------------------------------------------------------------------------


class TestMemberCancels:
    def test_before_the_deadline(self, booking, member, space) -> None:
        assert booking.cancel_until == at(10)

        cancelled = booking_cancel(booking=booking, by=member, now=at(10))

        assert cancelled.status == status(booking) == Status.CANCELLED
        assert not holds_time(booking)
        assert events(booking)[-1] == ("cancel", "confirmed", "cancelled", member.pk, "")
        assert book(space, at(12), at(13), now=NOW).unit == 1  # the time is free again

    def test_after_the_deadline(self, clock, booking, member) -> None:
        clock.move_to(at(10, 1))

        with pytest.raises(errors.CancelDeadlinePassed) as caught:
            booking_cancel(booking=booking, by=member, now=at(10, 1))

        assert (caught.value.code, caught.value.status) == ("cancel_deadline_passed", 400)
        assert status(booking) == Status.CONFIRMED
        assert holds_time(booking)

    def test_twice(self, booking, member) -> None:
        booking = booking_cancel(booking=booking, by=member, now=NOW)

        with pytest.raises(errors.NotCancellable) as caught:
            booking_cancel(booking=booking, by=member, now=NOW)
        assert (caught.value.code, caught.value.status) == ("not_cancellable", 409)
        assert len(events(booking)) == 2

    def test_a_stale_copy_cannot_cancel_twice(self, booking, member) -> None:
        stale = Booking.objects.get(pk=booking.pk)
        booking_cancel(booking=booking, by=member, now=NOW)

        with pytest.raises(errors.NotCancellable):
            booking_cancel(booking=stale, by=member, now=NOW)
        assert len(events(booking)) == 2

    def test_after_the_end(self, clock, booking, member) -> None:
        clock.move_to(at(13))

        with pytest.raises(errors.NotCancellable):
            booking_cancel(booking=booking, by=member, now=at(13))

    def test_a_no_show(self, clock, booking, member) -> None:
        clock.move_to(at(12, 15))
        bookings_release_unclaimed(now=at(12, 15))
        booking.refresh_from_db()
        assert booking.status == Status.NO_SHOW

        with pytest.raises(errors.NotCancellable):
            booking_cancel(booking=booking, by=member, now=at(12, 20))


class TestStaffCancel:
    def test_any_time_before_the_end_with_a_reason(
        self, clock, booking, staff, member, caplog, django_capture_on_commit_callbacks
    ) -> None:
        clock.move_to(at(12, 30))
        with (
            caplog.at_level(logging.INFO, logger="notifications.notify"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            booking_cancel(booking=booking, by=staff, reason=" 设备检修 ", now=at(12, 30))

        assert status(booking) == Status.CANCELLED
        assert not holds_time(booking)
        assert events(booking)[-1] == (
            "cancel_by_staff",
            "confirmed",
            "cancelled",
            staff.pk,
            "设备检修",
        )
        assert notifications(caplog) == [
            f"notify booking_cancelled_by_staff to member {member.pk} "
            f"about bookings.Booking:{booking.pk}"
        ]

    def test_needs_a_reason(self, booking, staff) -> None:
        with pytest.raises(Invalid) as caught:
            booking_cancel(booking=booking, by=staff, reason="  ", now=NOW)

        assert "reason" in caught.value.fields
        assert status(booking) == Status.CONFIRMED

    @pytest.mark.parametrize("role", [None, StaffAssignment.Role.VIEWER])
    def test_others_do_not_find_the_booking(self, booking, role) -> None:
        # Staff of another center, a viewer of this one: 404, not 403.
        if role is None:
            outsider = StaffAssignmentFactory().user
        else:
            outsider = staff_at(booking.space.center, role)

        with pytest.raises(NotFound):
            booking_cancel(booking=booking, by=outsider, reason="误操作", now=NOW)
        with pytest.raises(NotFound):
            booking_cancel(booking=booking, by=UserFactory(), reason="误操作", now=NOW)
        assert status(booking) == Status.CONFIRMED

    def test_not_after_the_end(self, clock, booking, staff) -> None:
        clock.move_to(at(13, 30))

        with pytest.raises(errors.NotCancellable):
            booking_cancel(booking=booking, by=staff, reason="补录", now=at(13, 30))


# --- Approving and rejecting ---------------------------------------------------------------------


class TestApproval:
    @pytest.fixture
    def space(self) -> Space:
        return BookableSpaceFactory(requires_approval=True)

    def test_approve_a_pending_booking(
        self, booking, staff, member, caplog, django_capture_on_commit_callbacks
    ) -> None:
        assert booking.status == Status.PENDING
        with (
            caplog.at_level(logging.INFO, logger="notifications.notify"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            approved = booking_approve(booking=booking, by=staff)

        assert approved.status == status(booking) == Status.CONFIRMED
        assert holds_time(booking)
        assert events(booking)[-1] == ("approve", "pending", "confirmed", staff.pk, "")
        assert notifications(caplog) == [
            f"notify booking_approved to member {member.pk} about bookings.Booking:{booking.pk}"
        ]

        with pytest.raises(errors.InvalidTransition) as caught:
            booking_approve(booking=approved, by=staff)
        assert (caught.value.code, caught.value.status) == ("invalid_transition", 409)
        with pytest.raises(errors.InvalidTransition):
            booking_reject(booking=approved, by=staff, reason="场地已满")

    def test_reject_a_pending_booking_with_a_reason(
        self, booking, staff, member, caplog, django_capture_on_commit_callbacks
    ) -> None:
        with pytest.raises(Invalid):
            booking_reject(booking=booking, by=staff, reason="")
        with (
            caplog.at_level(logging.INFO, logger="notifications.notify"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            rejected = booking_reject(booking=booking, by=staff, reason="当天有党员活动")

        assert rejected.status == Status.REJECTED
        assert not holds_time(booking)
        assert events(booking)[-1] == (
            "reject",
            "pending",
            "rejected",
            staff.pk,
            "当天有党员活动",
        )
        assert notifications(caplog) == [
            f"notify booking_rejected to member {member.pk} about bookings.Booking:{booking.pk}"
        ]
        with pytest.raises(errors.InvalidTransition):
            booking_approve(booking=rejected, by=staff)

    def test_a_cancelled_booking_cannot_be_approved(self, booking, member, staff) -> None:
        cancelled = booking_cancel(booking=booking, by=member, now=NOW)

        with pytest.raises(errors.InvalidTransition):
            booking_approve(booking=cancelled, by=staff)

    def test_staff_of_another_center_do_not_find_it(self, booking) -> None:
        outsider = StaffAssignmentFactory().user

        with pytest.raises(NotFound):
            booking_approve(booking=booking, by=outsider)
        with pytest.raises(NotFound):
            booking_reject(booking=booking, by=outsider, reason="不合适")
        with pytest.raises(NotFound):
            booking_approve(booking=booking, by=booking.member)
        assert status(booking) == Status.PENDING


# --- Checking in ---------------------------------------------------------------------------------


class TestCheckIn:
    def test_staff_enter_the_members_code_from_15_minutes_before(
        self, clock, booking, staff
    ) -> None:
        clock.move_to(at(11, 44))
        with pytest.raises(errors.CheckInNotOpen) as caught:
            booking_check_in(booking=booking, by=staff, code=booking.check_in_code, now=at(11, 44))
        assert caught.value.code == "check_in_not_open"

        clock.move_to(at(11, 45))
        checked_in = booking_check_in(
            booking=booking, by=staff, code=f" {booking.check_in_code} ", now=at(11, 45)
        )

        assert (checked_in.status, checked_in.checked_in_at) == (Status.CHECKED_IN, at(11, 45))
        assert holds_time(booking)  # a checked-in booking still holds its time
        assert events(booking)[-1] == ("check_in", "confirmed", "checked_in", staff.pk, "")
        with pytest.raises(errors.CheckInNotOpen):
            booking_check_in(booking=checked_in, by=staff, code=booking.check_in_code, now=at(12))

    def test_the_member_enters_the_code_shown_at_the_venue(self, clock, booking, member) -> None:
        clock.move_to(at(12, 10))

        with pytest.raises(errors.WrongCode) as caught:
            booking_check_in(booking=booking, by=member, code=booking.check_in_code, now=at(12, 10))
        assert caught.value.code == "wrong_code"
        checked_in = booking_check_in(booking=booking, by=member, code="8264", now=at(12, 10))

        assert checked_in.status == Status.CHECKED_IN
        assert events(booking)[-1][3] == member.pk

    def test_the_window_closes_at_the_end(self, clock, booking, staff) -> None:
        clock.move_to(at(13))

        with pytest.raises(errors.CheckInNotOpen):
            booking_check_in(booking=booking, by=staff, code=booking.check_in_code, now=at(13))
        assert status(booking) == Status.CONFIRMED

    def test_a_wrong_code(self, clock, booking, staff) -> None:
        clock.move_to(at(12))

        with pytest.raises(errors.WrongCode):
            booking_check_in(booking=booking, by=staff, code="00000000", now=at(12))
        with pytest.raises(errors.WrongCode):
            booking_check_in(booking=booking, by=staff, code="8264", now=at(12))
        assert status(booking) == Status.CONFIRMED

    def test_no_venue_code_means_members_cannot_check_themselves_in(self, clock, member) -> None:
        booking = book(BookableSpaceFactory(venue_code=""), at(12), member=member, now=NOW)
        clock.move_to(at(12))

        with pytest.raises(errors.WrongCode):
            booking_check_in(booking=booking, by=member, code="", now=at(12))

    def test_a_pending_booking_cannot_be_checked_in(self, clock, member) -> None:
        space = BookableSpaceFactory(requires_approval=True, venue_code="8264")
        booking = book(space, at(12), member=member, now=NOW)
        clock.move_to(at(12))

        with pytest.raises(errors.CheckInNotOpen):
            booking_check_in(booking=booking, by=member, code="8264", now=at(12))

    def test_staff_of_another_center_do_not_find_it(self, clock, booking) -> None:
        clock.move_to(at(12))

        with pytest.raises(NotFound):
            booking_check_in(
                booking=booking,
                by=StaffAssignmentFactory().user,
                code=booking.check_in_code,
                now=at(12),
            )


class TestCheckInByCode:
    def test_staff_find_the_booking_by_its_code_in_their_centers(
        self, clock, booking, staff
    ) -> None:
        clock.move_to(at(11, 50))

        checked_in = booking_check_in_by_code(by=staff, code=booking.check_in_code, now=at(11, 50))

        assert checked_in.pk == booking.pk
        assert checked_in.status == Status.CHECKED_IN

    def test_staff_of_another_center_find_nothing(self, clock, booking) -> None:
        clock.move_to(at(11, 50))
        outsider = StaffAssignmentFactory(role=StaffAssignment.Role.FRONT_DESK).user

        with pytest.raises(errors.WrongCode):
            booking_check_in_by_code(by=outsider, code=booking.check_in_code, now=at(11, 50))
        assert status(booking) == Status.CONFIRMED

    def test_unknown_and_blank_codes_are_wrong(self, clock, booking, staff) -> None:
        clock.move_to(at(11, 50))
        another = f"{(int(booking.check_in_code) + 1) % 10**8:08d}"
        for code in ("", "  ", another):
            with pytest.raises(errors.WrongCode):
                booking_check_in_by_code(by=staff, code=code, now=at(11, 50))

    def test_a_finished_bookings_code_says_it_is_over(self, clock, booking, staff) -> None:
        clock.move_to(at(13))
        with pytest.raises(errors.CheckInClosed):
            booking_check_in_by_code(by=staff, code=booking.check_in_code, now=at(13))

    def test_too_early_says_from_when(self, booking, staff) -> None:
        # The space opens check-in 15 minutes before the 12:00 start.
        with pytest.raises(errors.CheckInNotYet) as caught:
            booking_check_in_by_code(by=staff, code=booking.check_in_code, now=NOW)
        assert caught.value.code == "check_in_not_open"
        with translation.override("zh-hans"):
            assert str(caught.value.detail) == "还不能签到（11:45 起）"

    def test_a_code_used_already_says_when(self, clock, booking, staff) -> None:
        clock.move_to(at(11, 58))
        booking_check_in_by_code(by=staff, code=booking.check_in_code, now=at(11, 58))

        with pytest.raises(errors.AlreadyCheckedIn) as caught:
            booking_check_in_by_code(by=staff, code=booking.check_in_code, now=at(12, 5))
        with translation.override("zh-hans"):
            assert str(caught.value.detail) == "已签到 11:58"

    def test_a_cancelled_bookings_code_says_cancelled(self, clock, booking, staff) -> None:
        booking_cancel(booking=booking, by=staff, reason="场地维修")
        clock.move_to(at(11, 50))

        with pytest.raises(errors.CodeCancelled) as caught:
            booking_check_in_by_code(by=staff, code=booking.check_in_code, now=at(11, 50))
        with translation.override("zh-hans"):
            assert str(caught.value.detail) == "已取消"

    def test_the_earliest_unfinished_booking_with_the_code(self, clock, space, member, staff):
        # Codes are random and may repeat across bookings; the next one due is meant.
        later = book(space, at(15), member=member, now=NOW)
        first = book(space, at(12), member=member, now=NOW)
        Booking.objects.filter(pk=later.pk).update(check_in_code=first.check_in_code)
        clock.move_to(at(11, 50))

        assert booking_check_in_by_code(by=staff, code=first.check_in_code, now=at(11, 50)) == first


def test_every_move_leaves_an_audit_trail(clock, space, member, staff) -> None:
    booking = book(space, at(12), member=member, now=NOW)
    clock.move_to(at(11, 50))
    booking_check_in(booking=booking, by=staff, code=booking.check_in_code, now=at(11, 50))

    assert [e[:3] for e in events(booking)] == [
        ("create", "", "confirmed"),
        ("check_in", "confirmed", "checked_in"),
    ]
    assert [e.at for e in booking.events.all()] == [NOW, at(11, 50)]
