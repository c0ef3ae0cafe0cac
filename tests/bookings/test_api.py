"""The availability and bookings API (API.md, "Places" availability and "Bookings").

Shapes exactly as the contract says, every error code a client can meet when booking, and the
query counts of the list endpoints. "Now" is frozen at 08:00 on Monday 2026-11-23 in Shanghai.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar
from rest_framework.test import APIClient

from bookings.models import Booking, BookingEvent, SpaceHold
from bookings.services.lifecycle import booking_cancel
from centers import demo
from centers.models import OpeningRule, Space
from members.models import Suspension
from members.services.teams import team_add_member
from tests.clients import api_client
from tests.factories import (
    ALL_DAY,
    BookableSpaceFactory,
    CenterFactory,
    EligibilityRuleFactory,
    TeamFactory,
    UserFactory,
    VerifiedMemberFactory,
    book,
)
from tests.helpers import MONDAY, SHANGHAI, at, iso

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)

BOOKINGS = "/api/v1/bookings/"
CONTRACT_KEYS = {
    "id",
    "space",
    "start",
    "end",
    "status",
    "unit",
    "purpose",
    "attendees",
    "check_in_code",
    "access_code",
    "cancel_until",
    "created",
}
BOOKING_KEYS = CONTRACT_KEYS | {"team", "space_name", "center", "checked_in_at"}
PAGE_KEYS = {"count", "next", "previous", "results"}


@pytest.fixture
def client(member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member)
    return client


@pytest.fixture
def space() -> Space:
    """8:30–20:30 every day, 30-minute grid, 30 minutes to 4 hours, cancel until an hour before."""
    return BookableSpaceFactory()


def body(space: Space, start: datetime, end: datetime | None = None, **extra) -> dict:
    end = end or start + timedelta(hours=1)
    return {
        "space": space.id,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "purpose": "合唱排练",
        "attendees": 8,
    } | extra


def post(client: APIClient, space: Space, start: datetime, end: datetime | None = None, **extra):
    return client.post(BOOKINGS, body(space, start, end, **extra), format="json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()
    assert error["code"] == code
    assert isinstance(error["detail"], str) and error["detail"]
    return error


def assert_invalid(response, field: str) -> None:
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert all(isinstance(m, str) and m for m in error["fields"][field])


# --- Availability of one space -------------------------------------------------------------------


def availability_url(space: Space) -> str:
    return f"/api/v1/spaces/{space.id}/availability/"


class TestSpaceAvailability:
    def test_shape_with_full_datetimes_in_shanghai(self, api, space):
        response = api.get(availability_url(space), {"start": "2026-11-24", "days": 2})

        assert response.status_code == 200, response.content
        assert response.json() == {
            "space": space.id,
            "days": [
                {
                    "date": "2026-11-24",
                    "open": [{"start": iso(TUESDAY, 8, 30), "end": iso(TUESDAY, 20, 30)}],
                    "free": [
                        {"start": iso(TUESDAY, 8, 30), "end": iso(TUESDAY, 20, 30), "units_free": 1}
                    ],
                },
                {
                    "date": "2026-11-25",
                    "open": [{"start": iso(WEDNESDAY, 8, 30), "end": iso(WEDNESDAY, 20, 30)}],
                    "free": [
                        {
                            "start": iso(WEDNESDAY, 8, 30),
                            "end": iso(WEDNESDAY, 20, 30),
                            "units_free": 1,
                        }
                    ],
                },
            ],
        }

    def test_a_booking_splits_the_free_time(self, api, space):
        book(space, at(TUESDAY, 10))

        day = api.get(availability_url(space), {"start": "2026-11-24", "days": 1}).json()["days"][0]

        assert day["free"] == [
            {"start": iso(TUESDAY, 8, 30), "end": iso(TUESDAY, 10), "units_free": 1},
            {"start": iso(TUESDAY, 11), "end": iso(TUESDAY, 20, 30), "units_free": 1},
        ]

    def test_units_free_counts_the_units_of_a_laundry(self, api):
        laundry = BookableSpaceFactory(units=6)
        book(laundry, at(TUESDAY, 10))
        book(laundry, at(TUESDAY, 10))

        free = api.get(availability_url(laundry), {"start": "2026-11-24", "days": 1}).json()
        assert free["days"][0]["free"] == [
            {"start": iso(TUESDAY, 8, 30), "end": iso(TUESDAY, 10), "units_free": 6},
            {"start": iso(TUESDAY, 10), "end": iso(TUESDAY, 11), "units_free": 4},
            {"start": iso(TUESDAY, 11), "end": iso(TUESDAY, 20, 30), "units_free": 6},
        ]

    def test_default_is_seven_days_from_today_in_shanghai_without_the_past(self, api, space):
        # 02:10 UTC is 10:10 in Shanghai: free time today starts at the next slot, 10:30.
        with time_machine.travel(datetime(2026, 11, 23, 2, 10, tzinfo=UTC), tick=False):
            days = api.get(availability_url(space)).json()["days"]

        assert [d["date"] for d in days] == [
            (MONDAY + timedelta(days=n)).isoformat() for n in range(7)
        ]
        assert days[0]["open"] == [{"start": iso(MONDAY, 8, 30), "end": iso(MONDAY, 20, 30)}]
        assert days[0]["free"][0]["start"] == iso(MONDAY, 10, 30)

    def test_date_is_shanghai_date_late_in_the_utc_evening(self, api, space):
        # 23:30 UTC on Monday is already 07:30 on Tuesday in Shanghai.
        with time_machine.travel(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), tick=False):
            days = api.get(availability_url(space), {"days": 1}).json()["days"]

        assert days[0]["date"] == "2026-11-24"

    def test_round_the_clock_room_shows_intervals_crossing_midnight(self, api):
        room = BookableSpaceFactory(hours=ALL_DAY)

        days = api.get(availability_url(room), {"start": "2026-11-24", "days": 1}).json()["days"]

        assert days[0]["open"] == [{"start": iso(TUESDAY, 0), "end": iso(WEDNESDAY, 0)}]
        assert days[0]["free"] == [
            {"start": iso(TUESDAY, 0), "end": iso(WEDNESDAY, 0), "units_free": 1}
        ]

    def test_a_space_that_cannot_be_booked_shows_hours_and_no_free_time(self, api):
        library = BookableSpaceFactory(bookable=False)

        response = api.get(availability_url(library), {"start": "2026-11-24", "days": 3})

        assert response.status_code == 200
        for day in response.json()["days"]:
            assert len(day["open"]) == 1
            assert day["free"] == []

    def test_unknown_or_inactive_space_is_not_found(self, api):
        inactive = BookableSpaceFactory(is_active=False)
        closed_center = BookableSpaceFactory(center=CenterFactory(is_active=False))

        for url in (
            "/api/v1/spaces/999999/availability/",
            availability_url(inactive),
            availability_url(closed_center),
        ):
            assert_error(api.get(url), 404, "not_found")

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"days": "0"}, "days"),
            ({"days": "32"}, "days"),
            ({"days": "seven"}, "days"),
            ({"days": "99999999999999999999999"}, "days"),
            ({"start": "2026-13-01"}, "start"),
            ({"start": "24/11/2026"}, "start"),
            ({"start": "0001-01-01"}, "start"),
            ({"start": "2030-01-01"}, "start"),
        ],
    )
    def test_malformed_query_is_invalid(self, api, space, params, field):
        assert_invalid(api.get(availability_url(space), params), field)

    def test_thirty_one_days_is_the_most(self, api, space):
        response = api.get(availability_url(space), {"days": 31})

        assert response.status_code == 200
        assert len(response.json()["days"]) == 31


# --- Availability of a center --------------------------------------------------------------------


def center_availability_url(center) -> str:
    return f"/api/v1/centers/{center.id}/availability/"


class TestCenterAvailability:
    def test_every_bookable_active_space_as_the_space_endpoint_shows_it(self, api):
        center = CenterFactory()
        room = BookableSpaceFactory(center=center)
        laundry = BookableSpaceFactory(center=center, units=6)
        BookableSpaceFactory(center=center, bookable=False)
        BookableSpaceFactory(center=center, is_active=False)
        book(laundry, at(TUESDAY, 10))
        params = {"start": "2026-11-24", "days": 3}

        response = api.get(center_availability_url(center), params)

        assert response.status_code == 200, response.content
        data = response.json()
        assert set(data) == {"center", "spaces"}
        assert data["center"] == center.id
        assert [s["space"] for s in data["spaces"]] == [room.id, laundry.id]
        for entry, space in zip(data["spaces"], (room, laundry), strict=True):
            assert entry == api.get(availability_url(space), params).json()

    def test_a_center_without_bookable_spaces_has_none(self, api):
        center = CenterFactory()
        BookableSpaceFactory(center=center, bookable=False)

        response = api.get(center_availability_url(center))

        assert response.status_code == 200, response.content
        assert response.json() == {"center": center.id, "spaces": []}

    def test_inactive_or_unknown_center_is_not_found(self, api):
        assert_error(
            api.get(center_availability_url(CenterFactory(is_active=False))), 404, "not_found"
        )
        assert_error(api.get("/api/v1/centers/999999/availability/"), 404, "not_found")

    def test_malformed_days_is_invalid(self, api):
        assert_invalid(api.get(center_availability_url(CenterFactory()), {"days": "-1"}), "days")

    def test_same_query_count_for_1_and_30_spaces_with_bookings(self, api):
        def center_with(spaces: int):
            center = CenterFactory()
            for _ in range(spaces):
                space = BookableSpaceFactory(center=center)
                book(space, at(TUESDAY, 10))
                book(space, at(TUESDAY, 14))
            return center

        small, large = center_with(1), center_with(30)
        counts = []
        for center in (small, large):
            with CaptureQueriesContext(connection) as queries:
                response = api.get(center_availability_url(center), {"days": 7})
            assert response.status_code == 200
            counts.append(len(queries))

        assert len(api.get(center_availability_url(large)).json()["spaces"]) == 30
        assert counts[0] == counts[1]
        # center, its spaces, the days' versions, hours (2), holds (not when cached)
        assert counts[1] <= 6


# --- Creating a booking --------------------------------------------------------------------------


class TestCreate:
    def test_queries_of_one_booking_with_its_text_message(self, space):
        """What one booking costs the database (the client is authenticated already): space,
        suspension, hours (2), family readers, then under the space's lock (which sets the
        lock timeout itself) quota, free units (on SQLite only: on PostgreSQL the exclusion
        constraint answers for a space of one unit), booking, hold, availability version, audit
        row and the message, inserted without a savepoint of its own since the booking is new."""
        from django.contrib.contenttypes.models import ContentType

        from notifications.models import Message

        ContentType.objects.get_for_model(Booking)  # cached once per process in production
        member = UserFactory(phone="13800138000", email="")
        with CaptureQueriesContext(connection) as queries:
            response = post(api_client(member), space, at(TUESDAY, 10))

        assert response.status_code == 201, response.content
        assert Message.objects.filter(recipient=member, object_id=response.json()["id"]).exists()
        statements = [q["sql"] for q in queries.captured_queries]
        # 12 (13 on SQLite), and the booking's transaction: in a test, a savepoint and its
        # release.
        expected = 14 if connection.vendor == "postgresql" else 15
        assert len(statements) == expected, "\n".join(statements)

    def test_created_booking_shape_in_shanghai_time(self, client, space, member):
        # Any offset in: 02:00 UTC is 10:00 in Shanghai.
        response = client.post(
            BOOKINGS,
            {
                "space": space.id,
                "start": "2026-11-24T02:00:00Z",
                "end": "2026-11-24T03:00:00+00:00",
                "purpose": "合唱排练",
                "attendees": 8,
            },
            format="json",
        )

        assert response.status_code == 201, response.content
        data = response.json()
        assert set(data) == BOOKING_KEYS
        booking = Booking.objects.get()
        assert data == {
            "id": booking.id,
            "space": space.id,
            "start": "2026-11-24T10:00:00+08:00",
            "end": "2026-11-24T11:00:00+08:00",
            "status": "confirmed",
            "unit": 1,
            "purpose": "合唱排练",
            "attendees": 8,
            "check_in_code": booking.check_in_code,
            "access_code": None,
            "cancel_until": "2026-11-24T09:00:00+08:00",
            "created": "2026-11-23T08:00:00+08:00",
            "team": None,
            "space_name": space.name,
            "center": space.center_id,
            "checked_in_at": None,
        }
        assert len(data["check_in_code"]) == 8 and data["check_in_code"].isdigit()
        assert booking.member == member
        assert SpaceHold.objects.filter(booking=booking).count() == 1

    def test_purpose_and_attendees_may_be_left_out(self, client, space):
        response = client.post(
            BOOKINGS,
            {"space": space.id, "start": iso(TUESDAY, 10), "end": iso(TUESDAY, 11)},
            format="json",
        )

        assert response.status_code == 201, response.content
        assert response.json()["purpose"] == ""
        assert response.json()["attendees"] == 1

    def test_space_needing_approval_gives_a_pending_booking(self, client):
        response = post(client, BookableSpaceFactory(requires_approval=True), at(TUESDAY, 10))

        assert response.status_code == 201
        assert response.json()["status"] == "pending"

    def test_door_code_only_where_the_space_uses_them(self, client):
        response = post(client, BookableSpaceFactory(uses_access_codes=True), at(TUESDAY, 10))

        code = response.json()["access_code"]
        assert len(code) == 6 and code.isdigit()

    def test_team_leader_books_for_the_team(self, client, member, space):
        team = TeamFactory(center=space.center, leader=member)

        response = post(client, space, at(TUESDAY, 10), team=team.id)

        assert response.status_code == 201, response.content
        assert response.json()["team"] == team.id

    def test_login_required(self, api, space):
        assert_error(post(api, space, at(TUESDAY, 10)), 401, "not_authenticated")
        assert not Booking.objects.exists()

    # -- Input that is not a booking at all: 400 invalid --

    def test_naive_time_is_invalid(self, client, space):
        response = client.post(
            BOOKINGS,
            {"space": space.id, "start": "2026-11-24T10:00:00", "end": "2026-11-24T11:00:00"},
            format="json",
        )

        assert_invalid(response, "start")
        assert "end" in response.json()["fields"]

    def test_unknown_field_is_invalid(self, client, space):
        assert_invalid(post(client, space, at(TUESDAY, 10), colour="red"), "colour")

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("space", "1"),
            ("space", True),
            ("space", 2**63),
            ("attendees", "8"),
            ("attendees", 8.5),
            ("attendees", 0),
            ("attendees", 40000),
            ("purpose", 123),
            ("purpose", "长" * 201),
            ("team", "1"),
            ("start", "tomorrow"),
            ("start", None),
        ],
    )
    def test_wrong_types_and_ranges_are_invalid(self, client, space, field, value):
        data = body(space, at(TUESDAY, 10)) | {field: value}

        assert_invalid(client.post(BOOKINGS, data, format="json"), field)

    def test_missing_fields_are_invalid(self, client):
        response = client.post(BOOKINGS, {}, format="json")

        error = assert_error(response, 400, "invalid")
        assert {"space", "start", "end"} <= set(error["fields"])

    def test_body_that_is_not_json_is_invalid(self, client):
        response = client.post(BOOKINGS, "{not json", content_type="application/json")

        assert_error(response, 400, "invalid")

    def test_unknown_or_inactive_space_is_invalid_not_a_crash(self, client):
        inactive = BookableSpaceFactory(is_active=False)
        closed_center = BookableSpaceFactory(center=CenterFactory(is_active=False))

        for space_id in (999999, inactive.id, closed_center.id):
            response = client.post(
                BOOKINGS,
                {"space": space_id, "start": iso(TUESDAY, 10), "end": iso(TUESDAY, 11)},
                format="json",
            )
            assert_invalid(response, "space")

    def test_too_many_attendees_for_the_room(self, client):
        assert_invalid(post(client, BookableSpaceFactory(capacity=4), at(TUESDAY, 10)), "attendees")

    # -- The space's rules: each code a client can meet --

    @pytest.mark.parametrize(
        ("start", "end", "code"),
        [
            (at(MONDAY, 6), at(MONDAY, 7), "in_past"),
            (at(TUESDAY, 20), at(TUESDAY, 21), "outside_opening_hours"),
            (at(TUESDAY, 7), at(TUESDAY, 9), "outside_opening_hours"),
            (at(TUESDAY, 10, 15), at(TUESDAY, 11, 15), "off_grid"),
            (at(TUESDAY, 10), at(TUESDAY, 10, 45), "off_grid"),
            (at(TUESDAY, 10), at(TUESDAY, 10, 30), "too_short"),
            (at(TUESDAY, 10), at(TUESDAY, 9), "too_short"),
            (at(TUESDAY, 10), at(TUESDAY, 12, 30), "too_long"),
            (at(MONDAY, 9), at(MONDAY, 10), "too_soon"),
            (at(date(2026, 12, 24), 10), at(date(2026, 12, 24), 11), "too_far_ahead"),
        ],
    )
    def test_rules_of_the_space(self, client, start, end, code):
        space = BookableSpaceFactory(
            min_minutes=60, max_minutes=120, min_notice_minutes=120, max_days_ahead=30
        )

        assert_error(post(client, space, start, end), 400, code)
        assert not Booking.objects.exists()

    def test_last_bookable_day_is_thirty_days_ahead(self, client):
        space = BookableSpaceFactory(max_days_ahead=30)

        assert post(client, space, at(date(2026, 12, 23), 10)).status_code == 201

    def test_quota_exceeded(self, client, space):
        space.max_active_per_member = 1
        space.save()
        assert post(client, space, at(TUESDAY, 10)).status_code == 201

        assert_error(post(client, space, at(WEDNESDAY, 10)), 400, "quota_exceeded")

    def test_not_eligible_when_too_young(self):
        young = VerifiedMemberFactory(verified__born=date(2000, 3, 1))
        space = BookableSpaceFactory(eligibility=EligibilityRuleFactory(min_age=60))

        assert_error(post(api_client(young), space, at(TUESDAY, 10)), 400, "not_eligible")

    def test_old_enough_is_eligible(self):
        elder = VerifiedMemberFactory(verified__born=date(1950, 3, 1))
        space = BookableSpaceFactory(eligibility=EligibilityRuleFactory(min_age=60))

        assert post(api_client(elder), space, at(TUESDAY, 10)).status_code == 201

    def test_verification_required(self, client):
        space = BookableSpaceFactory(eligibility=EligibilityRuleFactory(verified_only=True))

        assert_error(post(client, space, at(TUESDAY, 10)), 400, "verification_required")

    def test_member_suspended(self, client, member, space):
        Suspension.objects.create(
            member=member,
            center=space.center,
            starts_at=NOW - timedelta(days=1),
            ends_at=NOW + timedelta(days=29),
            reason="3次爽约",
        )

        assert_error(post(client, space, at(TUESDAY, 10)), 400, "member_suspended")

    def test_space_not_bookable(self, client):
        library = BookableSpaceFactory(bookable=False)

        assert_error(post(client, library, at(TUESDAY, 10)), 400, "space_not_bookable")

    def test_slot_taken(self, client, space):
        book(space, at(TUESDAY, 10))

        assert_error(post(client, space, at(TUESDAY, 10, 30)), 409, "slot_taken")
        # On PostgreSQL the booking is written before its hold is refused: nothing of it stays.
        assert Booking.objects.count() == 1
        assert SpaceHold.objects.count() == 1
        assert BookingEvent.objects.count() == 1

    def test_team_of_another_member_is_not_eligible(self, client, space):
        others = TeamFactory(center=space.center)

        assert_error(post(client, space, at(TUESDAY, 10), team=others.id), 400, "not_eligible")
        assert_error(post(client, space, at(TUESDAY, 10), team=999999), 400, "not_eligible")

    def test_team_member_who_does_not_lead_it_is_not_eligible(self, client, member, space):
        team = TeamFactory(center=space.center)
        team_add_member(team=team, member=member)

        assert_error(post(client, space, at(TUESDAY, 10), team=team.id), 400, "not_eligible")

    def test_errors_speak_the_request_language(self, client, space):
        book(space, at(TUESDAY, 10))

        english = client.post(
            BOOKINGS, body(space, at(TUESDAY, 10)), format="json", HTTP_ACCEPT_LANGUAGE="en"
        )

        assert english["Content-Language"] == "en"
        assert english.json()["detail"] == (
            "Sorry, this time has just been taken. Please choose another time."
        )

    # -- Edges of intervals, buffers and real hours --

    def test_back_to_back_bookings_touch_without_overlapping(self, client, space):
        assert post(client, space, at(TUESDAY, 10), at(TUESDAY, 11)).status_code == 201
        other = api_client(UserFactory())

        assert post(other, space, at(TUESDAY, 11), at(TUESDAY, 12)).status_code == 201
        assert post(other, space, at(TUESDAY, 9), at(TUESDAY, 10)).status_code == 201

    def test_buffer_after_keeps_the_next_half_hour_free(self, client):
        space = BookableSpaceFactory(buffer_after_minutes=30)
        assert post(client, space, at(TUESDAY, 10), at(TUESDAY, 11)).status_code == 201
        other = api_client(UserFactory())

        assert_error(post(other, space, at(TUESDAY, 11), at(TUESDAY, 12)), 409, "slot_taken")
        assert post(other, space, at(TUESDAY, 11, 30), at(TUESDAY, 12, 30)).status_code == 201

    def test_the_canteen_hours_of_the_seeds(self, client):
        demo.load_places()
        canteen = Space.objects.get(name="同心荟社区食堂")
        # The demo canteen is walk-in only...
        assert_error(post(client, canteen, at(TUESDAY, 10, 30)), 400, "space_not_bookable")
        # ...so a bookable room with its three daily intervals (6:30–9:00, 10:30–14:00,
        # 16:30–20:00) stands in for it.
        intervals = [(r.opens, r.closes) for r in OpeningRule.objects.filter(space=canteen)]
        assert len(intervals) == 3
        room = BookableSpaceFactory(center=canteen.center, hours=intervals)

        assert_error(
            post(client, room, at(TUESDAY, 9, 30), at(TUESDAY, 10)), 400, "outside_opening_hours"
        )
        assert_error(
            post(client, room, at(TUESDAY, 13, 30), at(TUESDAY, 17)), 400, "outside_opening_hours"
        )
        assert post(client, room, at(TUESDAY, 10, 30), at(TUESDAY, 11)).status_code == 201
        assert post(client, room, at(TUESDAY, 16, 30), at(TUESDAY, 20)).status_code == 201


# --- The member's bookings -----------------------------------------------------------------------


class TestList:
    def test_only_own_bookings_paginated(self, client, member, space):
        mine = book(space, at(TUESDAY, 10), member=member)
        book(space, at(TUESDAY, 14))  # someone else's

        response = client.get(BOOKINGS)

        assert response.status_code == 200
        data = response.json()
        assert set(data) == PAGE_KEYS
        assert data["count"] == 1
        assert [b["id"] for b in data["results"]] == [mine.id]
        assert set(data["results"][0]) == BOOKING_KEYS

    def test_filter_by_status(self, client, member, space):
        kept = book(space, at(TUESDAY, 10), member=member)
        cancelled = booking_cancel(booking=book(space, at(TUESDAY, 14), member=member), by=member)

        def ids(params):
            return [b["id"] for b in client.get(BOOKINGS, params).json()["results"]]

        assert ids({"status": "cancelled"}) == [cancelled.id]
        assert ids({"status": "confirmed"}) == [kept.id]
        assert ids({}) == [cancelled.id, kept.id]  # newest first

    def test_upcoming_holds_time_and_is_not_over(self, client, clock, member, space):
        earlier = book(space, at(MONDAY, 9), member=member)
        later = book(space, at(WEDNESDAY, 10), member=member)
        soon = book(space, at(TUESDAY, 10), member=member)
        booking_cancel(booking=book(space, at(TUESDAY, 14), member=member), by=member)
        clock.move_to(at(MONDAY, 12))  # the 9:00 booking is over

        response = client.get(BOOKINGS, {"upcoming": "true"})
        past_or_off = client.get(BOOKINGS, {"upcoming": "false"}).json()["results"]

        assert [b["id"] for b in response.json()["results"]] == [soon.id, later.id]
        assert earlier.id in [b["id"] for b in past_or_off]
        assert len(past_or_off) == 2

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"status": "booked"}, "status"),
            ({"upcoming": "maybe"}, "upcoming"),
            ({"page_size": "101"}, "page_size"),
        ],
    )
    def test_bad_filters_are_invalid(self, client, params, field):
        assert_invalid(client.get(BOOKINGS, params), field)

    def test_login_required(self, api):
        assert_error(api.get(BOOKINGS), 401, "not_authenticated")

    def test_same_query_count_for_1_and_20_rows(self, member):
        space = BookableSpaceFactory(max_active_per_member=50)
        client = api_client(member)
        book(space, at(TUESDAY, 10), member=member)
        with CaptureQueriesContext(connection) as one:
            assert client.get(BOOKINGS).json()["count"] == 1
        for day in range(1, 20):
            book(space, at(TUESDAY + timedelta(days=day), 10), member=member)
        with CaptureQueriesContext(connection) as twenty:
            assert len(client.get(BOOKINGS).json()["results"]) == 20

        assert len(one) == len(twenty) <= 3


class TestDetail:
    def test_own_booking(self, client, member, space):
        booking = book(space, at(TUESDAY, 10), member=member)

        response = client.get(f"{BOOKINGS}{booking.id}/")

        assert response.status_code == 200
        assert response.json()["id"] == booking.id
        assert set(response.json()) == BOOKING_KEYS

    def test_another_members_booking_is_not_found(self, client, space):
        theirs = book(space, at(TUESDAY, 10))

        for url in (
            f"{BOOKINGS}{theirs.id}/",
            f"{BOOKINGS}{theirs.id}/ics/",
        ):
            assert_error(client.get(url), 404, "not_found")
        for url in (f"{BOOKINGS}{theirs.id}/cancel/", f"{BOOKINGS}{theirs.id}/check-in/"):
            assert_error(client.post(url, {"code": "1"}, format="json"), 404, "not_found")
        assert Booking.objects.get().status == Booking.Status.CONFIRMED

    def test_unknown_booking_is_not_found(self, client):
        assert_error(client.get(f"{BOOKINGS}999999/"), 404, "not_found")
        assert_error(client.get(f"{BOOKINGS}{'9' * 30}/"), 404, "not_found")


class TestCancel:
    def test_cancel_frees_the_time(self, client, member, space):
        booking = book(space, at(TUESDAY, 10), member=member)

        response = client.post(f"{BOOKINGS}{booking.id}/cancel/", format="json")

        assert response.status_code == 200, response.content
        assert response.json()["status"] == "cancelled"
        assert set(response.json()) == BOOKING_KEYS
        assert not SpaceHold.objects.exists()
        assert post(api_client(UserFactory()), space, at(TUESDAY, 10)).status_code == 201

    def test_after_the_deadline(self, client, clock, member, space):
        booking = book(space, at(TUESDAY, 10), member=member)
        clock.move_to(at(TUESDAY, 9, 30))  # the deadline was 9:00

        response = client.post(f"{BOOKINGS}{booking.id}/cancel/", format="json")

        assert_error(response, 400, "cancel_deadline_passed")

    def test_twice_is_not_cancellable(self, client, member, space):
        booking = book(space, at(TUESDAY, 10), member=member)
        client.post(f"{BOOKINGS}{booking.id}/cancel/", format="json")

        response = client.post(f"{BOOKINGS}{booking.id}/cancel/", format="json")

        assert_error(response, 409, "not_cancellable")

    def test_unknown_field_is_invalid(self, client, member, space):
        booking = book(space, at(TUESDAY, 10), member=member)

        assert_invalid(
            client.post(f"{BOOKINGS}{booking.id}/cancel/", {"why": "x"}, format="json"), "why"
        )


class TestCheckIn:
    @pytest.fixture
    def booking(self, member) -> Booking:
        return book(BookableSpaceFactory(venue_code="4321"), at(TUESDAY, 10), member=member)

    def test_member_enters_the_venue_code(self, client, clock, booking):
        clock.move_to(at(TUESDAY, 9, 50))

        response = client.post(f"{BOOKINGS}{booking.id}/check-in/", {"code": "4321"}, "json")

        assert response.status_code == 200, response.content
        assert response.json()["status"] == "checked_in"
        assert response.json()["checked_in_at"] == iso(TUESDAY, 9, 50)

    def test_wrong_code(self, client, clock, booking):
        clock.move_to(at(TUESDAY, 9, 50))

        response = client.post(f"{BOOKINGS}{booking.id}/check-in/", {"code": "0000"}, "json")

        assert_error(response, 400, "wrong_code")

    def test_too_early(self, client, booking):
        response = client.post(f"{BOOKINGS}{booking.id}/check-in/", {"code": "4321"}, "json")

        assert_error(response, 400, "check_in_not_open")


# --- The calendar file ---------------------------------------------------------------------------


class TestIcs:
    def download(self, client: APIClient, booking: Booking, **headers) -> Calendar:
        response = client.get(f"{BOOKINGS}{booking.id}/ics/", **headers)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        return Calendar.from_ical(response.content)

    def test_one_event_in_shanghai_time(self, client, member, space):
        booking = book(space, at(TUESDAY, 10), member=member, purpose="合唱排练")

        calendar = self.download(client, booking)

        assert calendar["VERSION"] == "2.0"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == f"booking-{booking.id}@linli"
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
        assert event.decoded("DTSTART") == at(TUESDAY, 10)
        assert event.decoded("DTEND") == at(TUESDAY, 11)
        assert str(event["SUMMARY"]) == space.name
        assert str(event["LOCATION"]) == f"{space.center.name} {space.center.address}"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert "合唱排练" in str(event["DESCRIPTION"])
        assert booking.check_in_code in str(event["DESCRIPTION"])
        assert "DTSTAMP" in event
        (zone,) = calendar.walk("VTIMEZONE")
        assert str(zone["TZID"]) == "Asia/Shanghai"
        assert b"DTSTART;TZID=Asia/Shanghai:20261124T100000" in calendar.to_ical()

    def test_uid_and_content_are_stable(self, client, clock, member, space):
        booking = book(space, at(TUESDAY, 10), member=member)
        first = client.get(f"{BOOKINGS}{booking.id}/ics/").content
        clock.shift(timedelta(hours=1))
        second = client.get(f"{BOOKINGS}{booking.id}/ics/").content

        assert first == second
        assert Calendar.from_ical(first).walk("VEVENT")[0]["UID"] == f"booking-{booking.id}@linli"

    def test_status_follows_the_booking(self, client, member):
        pending = book(BookableSpaceFactory(requires_approval=True), at(TUESDAY, 10), member=member)
        space = BookableSpaceFactory()
        cancelled = booking_cancel(booking=book(space, at(TUESDAY, 10), member=member), by=member)

        assert str(self.download(client, pending).walk("VEVENT")[0]["STATUS"]) == "TENTATIVE"
        assert str(self.download(client, cancelled).walk("VEVENT")[0]["STATUS"]) == "CANCELLED"

    def test_a_client_asking_for_a_calendar_gets_it(self, client, member, space):
        booking = book(space, at(TUESDAY, 10), member=member)

        calendar = self.download(client, booking, HTTP_ACCEPT="text/calendar")

        assert len(calendar.walk("VEVENT")) == 1

    def test_login_required(self, api, space):
        booking = book(space, at(TUESDAY, 10))

        assert_error(api.get(f"{BOOKINGS}{booking.id}/ics/"), 401, "not_authenticated")


# --- OpenAPI -------------------------------------------------------------------------------------


class TestSchema:
    def test_the_new_paths_are_described(self, api):
        response = api.get("/api/schema/", {"format": "json"})

        assert response.status_code == 200
        paths = response.json()["paths"]
        assert "get" in paths["/api/v1/spaces/{id}/availability/"]
        assert "get" in paths["/api/v1/centers/{id}/availability/"]
        assert {"get", "post"} <= set(paths["/api/v1/bookings/"])
        assert "get" in paths["/api/v1/bookings/{id}/"]
        assert "post" in paths["/api/v1/bookings/{id}/cancel/"]
        assert "post" in paths["/api/v1/bookings/{id}/check-in/"]
        ics = paths["/api/v1/bookings/{id}/ics/"]["get"]["responses"]["200"]["content"]
        assert list(ics) == ["text/calendar"]

    def test_create_documents_201_errors_and_the_idempotency_key(self, api):
        create = api.get("/api/schema/", {"format": "json"}).json()["paths"]["/api/v1/bookings/"][
            "post"
        ]

        assert {"201", "400", "401", "409", "422"} <= set(create["responses"])
        headers = [p["name"] for p in create["parameters"] if p["in"] == "header"]
        assert headers == ["Idempotency-Key"]

    def test_availability_documents_its_query(self, api):
        schema = api.get("/api/schema/", {"format": "json"}).json()
        operation = schema["paths"]["/api/v1/spaces/{id}/availability/"]["get"]

        assert {"start", "days"} <= {p["name"] for p in operation["parameters"]}
        assert "SpaceAvailability" in schema["components"]["schemas"]
