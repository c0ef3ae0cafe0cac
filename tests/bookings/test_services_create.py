"""booking_create: every rule of the space, the units it takes, what it writes and tells.

The rules themselves are tested one by one in test_rules.py; here each error is reached through
the service, in the order a resident meets them, and the service's own work is checked: units,
buffers, statuses, codes, staff acting for a member, the audit row and the notification.
"""

import logging
import re
from datetime import date, datetime, time, timedelta

import pytest

from bookings import errors
from bookings.models import Booking, BookingEvent, SpaceHold
from bookings.services.create import booking_create
from bookings.services.lifecycle import booking_cancel
from centers.models import Space, StaffAssignment
from core.errors import Invalid
from members.errors import MemberSuspended, NotEligible, VerificationRequired
from members.models import Suspension, User
from tests.factories import (
    BookableSpaceFactory,
    CenterFactory,
    EligibilityRuleFactory,
    StaffAssignmentFactory,
    TeamFactory,
    UserFactory,
    VerifiedMemberFactory,
    book,
    staff_at,
)
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


at = hour_on(MONDAY)


NOW = at(8)


@pytest.fixture
def space() -> Space:
    return BookableSpaceFactory()


def staff_of(space: Space, role: str = StaffAssignment.Role.FRONT_DESK) -> User:
    return staff_at(space.center, role)


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def holds(space: Space) -> list[tuple[int, datetime, datetime]]:
    return list(
        SpaceHold.objects.filter(space=space)
        .order_by("unit", "start")
        .values_list("unit", "start", "end")
    )


# --- The happy paths -----------------------------------------------------------------------------


def test_a_booking_is_confirmed_holds_its_unit_and_tells_the_member(
    space, member, caplog, django_capture_on_commit_callbacks
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        booking = booking_create(
            member=member,
            space=space,
            start=at(10),
            end=at(11),
            purpose="  合唱排练  ",
            attendees=12,
            now=NOW,
        )

    booking.refresh_from_db()
    assert (booking.status, booking.unit, booking.start, booking.end) == (
        Booking.Status.CONFIRMED,
        1,
        at(10),
        at(11),
    )
    assert (booking.member, booking.created_by, booking.team, booking.series) == (
        member,
        member,
        None,
        None,
    )
    assert (booking.purpose, booking.attendees) == ("合唱排练", 12)
    assert re.fullmatch(r"\d{8}", booking.check_in_code)
    assert booking.access_code is None
    assert booking.cancel_until == at(10) - timedelta(minutes=space.cancel_deadline_minutes)
    assert holds(space) == [(1, at(10), at(11))]
    assert list(
        booking.events.values_list("action", "from_status", "to_status", "actor", "reason")
    ) == [("create", "", "confirmed", member.pk, "")]
    assert len(callbacks) == 1
    assert notifications(caplog) == [
        f"notify booking_confirmed to member {member.pk} about bookings.Booking:{booking.pk}"
    ]


def test_a_space_that_needs_approval_makes_a_pending_booking_that_holds_time(
    member, caplog, django_capture_on_commit_callbacks
) -> None:
    space = BookableSpaceFactory(requires_approval=True)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        booking = book(space, at(10), member=member, now=NOW)

    assert booking.status == Booking.Status.PENDING
    assert booking.events.get().to_status == "pending"
    assert notifications(caplog) == [
        f"notify booking_pending to member {member.pk} about bookings.Booking:{booking.pk}"
    ]
    with pytest.raises(errors.SlotTaken):
        book(space, at(10), now=NOW)


def test_a_door_code_only_where_the_space_uses_door_codes(member) -> None:
    study_room = BookableSpaceFactory(uses_access_codes=True)

    with_code = book(study_room, at(10), member=member, now=NOW)
    without = book(BookableSpaceFactory(), at(10), member=member, now=NOW)

    assert re.fullmatch(r"\d{6}", with_code.access_code)
    assert without.access_code is None
    assert re.fullmatch(r"\d{8}", with_code.check_in_code)


def test_an_error_writes_nothing_and_tells_no_one(
    space, member, caplog, django_capture_on_commit_callbacks
) -> None:
    book(space, at(10), now=NOW)
    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(errors.SlotTaken),
    ):
        book(space, at(10), member=member, now=NOW)

    assert not Booking.objects.filter(member=member).exists()
    assert BookingEvent.objects.count() == 1
    assert notifications(caplog) == []


# --- Every rule, through the service -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "start", "end", "code"),
    [
        ({"bookable": False}, at(10), at(11), "space_not_bookable"),
        ({"is_active": False}, at(10), at(11), "space_not_bookable"),
        ({}, at(7), at(8), "in_past"),
        ({}, at(10, 15), at(11, 15), "off_grid"),
        ({}, at(10), at(10, 45), "off_grid"),
        ({"min_minutes": 60}, at(10), at(10, 30), "too_short"),
        ({"max_minutes": 120}, at(10), at(12, 30), "too_long"),
        ({"min_notice_minutes": 120}, at(9, 30), at(10, 30), "too_soon"),
        ({"max_days_ahead": 14}, at(9, day=date(2026, 12, 8)), None, "too_far_ahead"),
        ({}, at(20), at(21), "outside_opening_hours"),
        ({}, at(6), at(7, 30), "in_past"),  # the past comes before the hours
    ],
)
def test_each_rule_refuses_with_its_code(member, rules, start, end, code) -> None:
    space = BookableSpaceFactory(**rules)

    with pytest.raises(errors.LinliError) as caught:
        book(space, start, end, member=member, now=NOW)

    assert (caught.value.code, caught.value.status) == (code, 400)
    assert not Booking.objects.exists()


def test_a_space_of_a_closed_center_is_not_bookable(member) -> None:
    space = BookableSpaceFactory(center=CenterFactory(is_active=False))

    with pytest.raises(errors.SpaceNotBookable):
        book(space, at(10), member=member, now=NOW)


def test_the_last_day_of_the_horizon_is_bookable(member) -> None:
    space = BookableSpaceFactory(max_days_ahead=14)
    assert book(space, at(19, day=date(2026, 12, 7)), member=member, now=NOW).pk


def test_quota_exceeded_after_the_members_active_bookings(member) -> None:
    space = BookableSpaceFactory(max_active_per_member=2)
    book(space, at(10), member=member, now=NOW)
    book(space, at(12), member=member, now=NOW)

    with pytest.raises(errors.QuotaExceeded) as caught:
        book(space, at(14), member=member, now=NOW)
    assert caught.value.code == "quota_exceeded"


def test_the_team_quota_is_the_teams(member) -> None:
    space = BookableSpaceFactory(max_active_per_team=1)
    team = TeamFactory(center=space.center, leader=member)

    team_booking = book(space, at(10), member=member, team=team, now=NOW)
    assert team_booking.team == team
    with pytest.raises(errors.QuotaExceeded):
        book(space, at(12), member=member, team=team, now=NOW)
    assert book(space, at(12), member=member, now=NOW).team is None


def test_weekly_minutes_across_the_week_boundary(member) -> None:
    space = BookableSpaceFactory(weekly_quota_minutes=120, hours=[(time(0), time(0))])
    sunday, next_monday = date(2026, 11, 29), date(2026, 11, 30)
    book(space, at(20, day=sunday), at(22, day=sunday), member=member, now=NOW)

    with pytest.raises(errors.QuotaExceeded):
        book(space, at(10), member=member, now=NOW)
    # 07:00 Monday in Shanghai is Sunday 23:00 UTC: a new week all the same.
    assert book(space, at(7, day=next_monday), at(9, day=next_monday), member=member, now=NOW)


class TestEligibility:
    def test_an_age_rule(self) -> None:
        space = BookableSpaceFactory(eligibility=EligibilityRuleFactory(min_age=60))
        elder = VerifiedMemberFactory(verified__born=date(1960, 5, 1))
        young = VerifiedMemberFactory(verified__born=date(1990, 5, 1))

        assert book(space, at(10), member=elder, now=NOW).status == "confirmed"
        with pytest.raises(NotEligible) as caught:
            book(space, at(12), member=young, now=NOW)
        assert caught.value.code == "not_eligible"
        assert "60" in str(caught.value.detail)
        with pytest.raises(NotEligible):
            book(space, at(12), member=UserFactory(), now=NOW)  # age unknown until verified

    def test_verification_required(self, member) -> None:
        space = BookableSpaceFactory(eligibility=EligibilityRuleFactory(verified_only=True))

        with pytest.raises(VerificationRequired) as caught:
            book(space, at(10), member=member, now=NOW)
        assert caught.value.code == "verification_required"
        assert book(space, at(10), member=VerifiedMemberFactory(), now=NOW)

    def test_only_the_leader_books_for_the_team(self, space, member) -> None:
        team = TeamFactory(center=space.center)

        with pytest.raises(NotEligible):
            book(space, at(10), member=member, team=team, now=NOW)
        assert book(space, at(10), member=team.leader, team=team, now=NOW).team == team

    def test_a_suspended_member_cannot_book(self, space, member) -> None:
        # Suspensions come from the no-show policy (see test_services_clock); a row stands in.
        Suspension.objects.create(
            member=member,
            center=space.center,
            starts_at=NOW - timedelta(days=1),
            ends_at=NOW + timedelta(days=29),
            reason="3次爽约",
        )

        with pytest.raises(MemberSuspended) as caught:
            book(space, at(10), member=member, now=NOW)
        assert caught.value.code == "member_suspended"

    def test_too_many_attendees(self, member) -> None:
        space = BookableSpaceFactory(capacity=8)

        with pytest.raises(Invalid) as caught:
            book(space, at(10), member=member, attendees=9, now=NOW)
        assert "attendees" in caught.value.fields
        assert book(space, at(10), member=member, attendees=8, now=NOW)


# --- Time taken: edges, buffers, units -----------------------------------------------------------


def test_slot_taken(space) -> None:
    book(space, at(10), now=NOW)

    with pytest.raises(errors.SlotTaken) as caught:
        book(space, at(10, 30), now=NOW)
    assert (caught.value.code, caught.value.status) == ("slot_taken", 409)


def test_back_to_back_bookings_touch_without_overlapping(space) -> None:
    book(space, at(10), at(11), now=NOW)
    book(space, at(11), at(12), now=NOW)
    book(space, at(9), at(10), now=NOW)

    assert holds(space) == [(1, at(9), at(10)), (1, at(10), at(11)), (1, at(11), at(12))]


def test_a_buffer_after_keeps_the_time_after_a_booking_free() -> None:
    space = BookableSpaceFactory(buffer_after_minutes=30)
    book(space, at(10), at(11), now=NOW)

    assert holds(space) == [(1, at(10), at(11, 30))]
    with pytest.raises(errors.SlotTaken):
        book(space, at(11), now=NOW)
    with pytest.raises(errors.SlotTaken):
        book(space, at(9), at(10), now=NOW)  # its own buffer runs into the booking
    book(space, at(11, 30), now=NOW)
    book(space, at(8, 30), at(9, 30), now=NOW)


def test_a_buffer_before_keeps_the_time_before_a_booking_free() -> None:
    space = BookableSpaceFactory(buffer_before_minutes=30)
    book(space, at(10), at(11), now=NOW)

    assert holds(space) == [(1, at(9, 30), at(11))]
    with pytest.raises(errors.SlotTaken):
        book(space, at(9), at(10), now=NOW)
    with pytest.raises(errors.SlotTaken):
        book(space, at(11), now=NOW)
    book(space, at(8, 30), at(9, 30), now=NOW)
    book(space, at(11, 30), now=NOW)


def test_six_washers_take_six_overlapping_bookings() -> None:
    laundry = BookableSpaceFactory(
        kind=Space.Kind.LAUNDRY, units=6, slot_minutes=15, min_minutes=45, max_minutes=90
    )
    bookings = [book(laundry, at(10), at(10, 45), now=NOW) for _ in range(6)]

    assert [b.unit for b in bookings] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(errors.SlotTaken):
        book(laundry, at(10, 30), at(11, 15), now=NOW)

    booking_cancel(booking=bookings[2], by=bookings[2].member, now=NOW)
    assert book(laundry, at(10, 30), at(11, 15), now=NOW).unit == 3
    assert book(laundry, at(10, 45), at(11, 30), now=NOW).unit == 1


# --- Staff booking for a member ------------------------------------------------------------------


class TestStaffForMember:
    @pytest.fixture
    def space(self) -> Space:
        return BookableSpaceFactory(
            requires_approval=True,
            min_notice_minutes=24 * 60,
            max_days_ahead=7,
            max_active_per_member=1,
            eligibility=EligibilityRuleFactory(min_age=60),
        )

    def test_staff_skip_the_member_rules(self, space, member) -> None:
        staff = staff_of(space)
        book(space, at(10), member=member, by=staff, now=NOW)

        # Too soon, too far ahead, over the quota and not 60: all fine when staff book.
        second = book(space, at(10, day=date(2026, 12, 20)), member=member, by=staff, now=NOW)

        assert second.status == Booking.Status.CONFIRMED  # staff need no approval
        assert (second.member, second.created_by) == (member, staff)
        assert list(second.events.values_list("action", "to_status", "actor")) == [
            ("create", "confirmed", staff.pk)
        ]

    def test_staff_keep_to_the_hours_and_the_free_units(self, space, member) -> None:
        staff = staff_of(space, StaffAssignment.Role.MANAGER)
        book(space, at(10), member=member, by=staff, now=NOW)

        with pytest.raises(errors.OutsideOpeningHours):
            book(space, at(20), at(21), member=member, by=staff, now=NOW)
        with pytest.raises(errors.SlotTaken):
            book(space, at(10, 30), member=member, by=staff, now=NOW)
        with pytest.raises(errors.InPast):
            book(space, at(7), member=member, by=staff, now=NOW)

    @pytest.mark.parametrize("who", ["member", "viewer", "other_center"])
    def test_only_staff_of_the_center_book_for_someone_else(self, space, member, who) -> None:
        by = {
            "member": lambda: UserFactory(),
            "viewer": lambda: staff_of(space, StaffAssignment.Role.VIEWER),
            "other_center": lambda: StaffAssignmentFactory().user,
        }[who]()

        with pytest.raises(NotEligible):
            book(space, at(10, day=date(2026, 11, 25)), member=member, by=by, now=NOW)
        assert not Booking.objects.exists()
