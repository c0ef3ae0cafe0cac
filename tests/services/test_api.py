"""The programs API (API.md, "Programs"): programs, sessions, registrations, home visits.

Shapes exactly as the contract says, every error code a client can meet when registering, the
query counts of the lists, and that another member's objects do not exist. "Now" is frozen at
08:00 on Monday 2026-11-23 in Shanghai.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from centers.models import Center
from members.models import Suspension, User
from members.services.points import points_adjust
from services.models import HomeVisitRequest, Program, Registration, Session
from services.services.home_visits import home_visit_request
from services.services.registration import registration_cancel, session_register
from services.services.sessions import session_cancel
from tests.clients import api_client
from tests.factories import (
    CenterFactory,
    EligibilityRuleFactory,
    ProgramFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
    VerifiedMemberFactory,
    staff_at,
)
from tests.helpers import MONDAY, SHANGHAI, at, iso

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)

PROGRAMS = "/api/v1/programs/"
SESSIONS = "/api/v1/sessions/"
REGISTRATIONS = "/api/v1/registrations/"
HOME_VISITS = "/api/v1/home-visits/"
PAGE_KEYS = {"count", "next", "previous", "results"}

PROGRAM_CONTRACT_KEYS = {
    "id",
    "center",
    "title",
    "category",
    "description",
    "kind",
    "eligibility",
    "points_cost",
    "next_session",
}
PROGRAM_KEYS = PROGRAM_CONTRACT_KEYS | {
    "mode",
    "partner",
    "max_party_size",
    "verification_required",
    "points_reward",
    "free_for_elderly",
}
SESSION_CONTRACT_KEYS = {
    "id",
    "program",
    "start",
    "end",
    "space",
    "capacity",
    "seats_left",
    "waitlist_length",
    "roles",  # API.md, "Community": volunteer roles are part of a session item
    "registration_open",
}
SESSION_KEYS = SESSION_CONTRACT_KEYS | {
    "center",
    "status",
    "registration_opens",
    "registration_closes",
    "note",
}
REGISTRATION_CONTRACT_KEYS = {"id", "session", "status", "position", "check_in_code"}
REGISTRATION_KEYS = REGISTRATION_CONTRACT_KEYS | {
    "party_size",
    "offer_expires_at",
    "created",
    "program",
    "program_title",
    "center",
    "start",
    "end",
    "role",
    "role_name",
}
HOME_VISIT_KEYS = {
    "id",
    "program",
    "program_title",
    "address",
    "preferred_time",
    "notes",
    "status",
    "scheduled_at",
    "created",
}


@pytest.fixture
def client(member) -> APIClient:
    return api_client(member)


@pytest.fixture
def program() -> Program:
    return ProgramFactory()


def make_session(program: Program, start: datetime | None = None, **kwargs) -> Session:
    """Two hours from ``start`` (Tuesday 10:00 by default), registration open from now (or
    from the day before, for a session that has started)."""
    start = start or at(TUESDAY, 10)
    kwargs.setdefault("registration_opens", min(NOW, start - timedelta(days=1)))
    return SessionFactory(program=program, start=start, end=start + timedelta(hours=2), **kwargs)


@pytest.fixture
def session(program) -> Session:
    return make_session(program)


def give_points(member: User, points: int, center) -> None:
    staff = staff_at(center)
    points_adjust(member=member, delta=points, reason="测试积分", by=staff, center=center)


def register_url(session: Session) -> str:
    return f"{SESSIONS}{session.id}/registrations/"


def register(client: APIClient, session: Session, data: dict | None = None, **headers):
    return client.post(register_url(session), data or {}, format="json", **headers)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()
    assert error["code"] == code, error
    assert isinstance(error["detail"], str) and error["detail"]
    return error


def assert_invalid(response, field: str) -> None:
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert all(isinstance(m, str) and m for m in error["fields"][field])


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def fill(session: Session, seats: int) -> list[Registration]:
    """``seats`` other members take seats (or queue, once it is full)."""
    return [session_register(session=session, member=UserFactory()) for _ in range(seats)]


# --- Programs ------------------------------------------------------------------------------------


class TestPrograms:
    def test_item_shape_with_the_next_session_in_shanghai_time(self, api, program):
        make_session(program, at(MONDAY, 7))  # already started
        cancelled = make_session(program, at(TUESDAY, 8))
        session_cancel(session=cancelled, by=staff_at(program.center), reason="停电")
        upcoming = make_session(program, at(TUESDAY, 10), capacity=30)
        make_session(program, at(WEDNESDAY, 10))
        fill(upcoming, 2)
        rule = EligibilityRuleFactory(min_age=60)
        Program.objects.filter(pk=program.pk).update(
            eligibility=rule, points_cost=5, description="血压与饮食", partner="华东医院"
        )

        response = api.get(PROGRAMS)

        assert response.status_code == 200, response.content
        data = response.json()
        assert set(data) == PAGE_KEYS
        (item,) = data["results"]
        assert set(item) == PROGRAM_KEYS
        assert item == {
            "id": program.id,
            "center": program.center_id,
            "title": program.title,
            "category": "health",
            "description": "血压与饮食",
            "kind": "group",
            "eligibility": "60岁及以上",
            "points_cost": 5,
            "next_session": {
                "id": upcoming.id,
                "start": iso(TUESDAY, 10),
                "end": iso(TUESDAY, 12),
                "seats_left": 28,
            },
            "mode": "first_come",
            "partner": "华东医院",
            "max_party_size": 1,
            "verification_required": False,
            "points_reward": 0,
            "free_for_elderly": True,
        }

    def test_no_upcoming_session_is_null_and_no_rule_is_empty_text(self, api, program):
        make_session(program, at(MONDAY, 7))

        (item,) = api.get(PROGRAMS).json()["results"]

        assert item["next_session"] is None
        assert item["eligibility"] == ""

    def test_eligibility_text_speaks_the_request_language(self, api, program):
        team = TeamFactory(name="夕阳红合唱团")
        rule = EligibilityRuleFactory(min_age=60, verified_only=True, team=team)
        Program.objects.filter(pk=program.pk).update(eligibility=rule)

        chinese = api.get(PROGRAMS).json()["results"][0]["eligibility"]
        english = api.get(PROGRAMS, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]

        assert chinese == "60岁及以上；仅限实名认证居民；“夕阳红合唱团”成员"
        assert english["eligibility"] == (
            "aged 60 and over; verified members only; members of “夕阳红合唱团”"
        )

    def test_only_active_programs_of_active_centers(self, api, program):
        inactive = ProgramFactory(is_active=False)
        closed_center = ProgramFactory(center=CenterFactory(is_active=False))

        assert ids(api.get(PROGRAMS)) == [program.id]
        for hidden in (inactive, closed_center):
            assert_error(api.get(f"{PROGRAMS}{hidden.id}/"), 404, "not_found")

    def test_detail(self, api, program, session):
        response = api.get(f"{PROGRAMS}{program.id}/")

        assert response.status_code == 200
        assert set(response.json()) == PROGRAM_KEYS
        assert response.json()["next_session"]["id"] == session.id

    def test_unknown_program_is_not_found(self, api):
        assert_error(api.get(f"{PROGRAMS}999999/"), 404, "not_found")
        assert_error(api.get(f"{PROGRAMS}{'9' * 30}/"), 404, "not_found")

    def test_filters(self, api):
        center = CenterFactory()
        lecture = ProgramFactory(center=center, title="高血压防治讲座", category="health")
        clinic = ProgramFactory(center=center, title="义诊", category="clinic", partner="华东医院")
        phones = ProgramFactory(title="手机课堂", category="digital", description="微信视频通话")

        assert sorted(ids(api.get(PROGRAMS, {"center": center.id}))) == [lecture.id, clinic.id]
        assert ids(api.get(PROGRAMS, {"category": "clinic"})) == [clinic.id]
        assert ids(api.get(PROGRAMS, {"q": "血压"})) == [lecture.id]
        assert ids(api.get(PROGRAMS, {"q": "华东"})) == [clinic.id]
        assert ids(api.get(PROGRAMS, {"q": "视频"})) == [phones.id]
        assert ids(api.get(PROGRAMS, {"kind": "appointment"})) == []

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"category": "yoga"}, "category"),
            ({"center": "abc"}, "center"),
            ({"center": "0"}, "center"),
            ({"center": str(2**63)}, "center"),
            ({"q": "长" * 101}, "q"),
            ({"page_size": "101"}, "page_size"),
        ],
    )
    def test_bad_filters_are_invalid(self, api, params, field):
        assert_invalid(api.get(PROGRAMS, params), field)

    def test_same_query_count_for_1_and_20_programs(self, api):
        def programs(count: int) -> None:
            center = CenterFactory()
            for n in range(count):
                rule = EligibilityRuleFactory(min_age=60, team=TeamFactory(center=center))
                program = ProgramFactory(center=center, eligibility=rule)
                make_session(program, at(TUESDAY, 10) + timedelta(hours=n))
                make_session(program, at(WEDNESDAY, 10))
            return center

        small, large = programs(1), programs(20)
        counts = []
        for center in (small, large):
            with CaptureQueriesContext(connection) as queries:
                response = api.get(PROGRAMS, {"center": center.id})
            assert response.status_code == 200
            assert all(p["next_session"] for p in response.json()["results"])
            counts.append(len(queries))

        assert len(api.get(PROGRAMS, {"center": large.id}).json()["results"]) == 20
        assert counts[0] == counts[1] <= 3


# --- Sessions ------------------------------------------------------------------------------------


class TestSessions:
    def test_item_shape_in_shanghai_time(self, api, program, session):
        registrations = fill(Session.objects.get(pk=session.pk), 12)  # ten seats, two waiting

        response = api.get(SESSIONS)

        assert response.status_code == 200, response.content
        data = response.json()
        assert set(data) == PAGE_KEYS
        (item,) = data["results"]
        assert set(item) == SESSION_KEYS
        assert item == {
            "id": session.id,
            "program": program.id,
            "start": iso(TUESDAY, 10),
            "end": iso(TUESDAY, 12),
            "space": None,
            "capacity": 10,
            "seats_left": 0,
            "waitlist_length": 2,
            "registration_open": True,
            "center": program.center_id,
            "status": "scheduled",
            "registration_opens": iso(MONDAY, 8),
            "registration_closes": iso(TUESDAY, 10),
            "note": "",
            "roles": [],
        }
        assert [r.status for r in registrations[-2:]] == ["waitlisted", "waitlisted"]

    def test_seats_left_and_waitlist_follow_registrations(self, api, session):
        mine = session_register(session=session, member=UserFactory())
        fill(session, 1)

        (item,) = api.get(SESSIONS).json()["results"]
        assert item["seats_left"] == 8
        assert item["waitlist_length"] == 0

        registration_cancel(registration=mine, by=mine.member)
        (item,) = api.get(SESSIONS).json()["results"]
        assert item["seats_left"] == 9

    def test_default_is_upcoming_scheduled_sessions_soonest_first(self, api, program):
        staff = staff_at(program.center)
        later = make_session(program, at(WEDNESDAY, 10))
        sooner = make_session(program, at(TUESDAY, 10))
        make_session(program, at(MONDAY, 7))  # started an hour ago
        session_cancel(session=make_session(program, at(TUESDAY, 14)), by=staff, reason="停电")
        make_session(ProgramFactory(is_active=False), at(TUESDAY, 10))
        closed_center = make_session(ProgramFactory(), at(TUESDAY, 10)).program.center
        Center.objects.filter(pk=closed_center.pk).update(is_active=False)

        assert ids(api.get(SESSIONS)) == [sooner.id, later.id]

    def test_registration_open_follows_the_window(self, api, program):
        not_yet = make_session(program, at(WEDNESDAY, 10), registration_opens=at(TUESDAY, 9))
        closed = make_session(
            program,
            at(WEDNESDAY, 14),
            registration_opens=at(MONDAY, 6),
            registration_closes=at(MONDAY, 7),
        )
        open_now = make_session(program, at(TUESDAY, 10))

        items = {s["id"]: s["registration_open"] for s in api.get(SESSIONS).json()["results"]}

        assert items == {not_yet.id: False, closed.id: False, open_now.id: True}

    def test_filter_by_program_and_center(self, api, program):
        mine = make_session(program)
        sibling = make_session(ProgramFactory(center=program.center))
        elsewhere = make_session(ProgramFactory())

        assert ids(api.get(SESSIONS, {"program": program.id})) == [mine.id]
        assert ids(api.get(SESSIONS, {"center": program.center_id})) == [mine.id, sibling.id]
        assert elsewhere.id in ids(api.get(SESSIONS))

    def test_dates_are_shanghai_dates(self, api, program):
        tuesday_night = make_session(program, at(TUESDAY, 22))
        # 07:30 on Wednesday in Shanghai is still Tuesday (23:30) in UTC.
        early_wednesday = make_session(program, datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
        thursday = make_session(program, at(WEDNESDAY + timedelta(days=1), 10))

        assert ids(api.get(SESSIONS, {"to": "2026-11-24"})) == [tuesday_night.id]
        assert ids(api.get(SESSIONS, {"from": "2026-11-25", "to": "2026-11-25"})) == [
            early_wednesday.id
        ]
        assert ids(api.get(SESSIONS, {"from": "2026-11-25"})) == [early_wednesday.id, thursday.id]
        assert api.get(SESSIONS, {"from": "2026-11-25"}).json()["results"][0]["start"] == (
            "2026-11-25T07:30:00+08:00"
        )

    def test_from_today_includes_sessions_that_already_started(self, api, program):
        started = make_session(program, at(MONDAY, 7))
        later = make_session(program, at(MONDAY, 14))

        assert ids(api.get(SESSIONS, {"from": "2026-11-23"})) == [started.id, later.id]
        assert ids(api.get(SESSIONS)) == [later.id]

    def test_has_seats(self, api, program):
        full = make_session(program, capacity=1)
        fill(full, 1)
        free = make_session(program, at(WEDNESDAY, 10))

        assert ids(api.get(SESSIONS, {"has_seats": "true"})) == [free.id]
        assert ids(api.get(SESSIONS, {"has_seats": "false"})) == [full.id]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"from": "2026-13-01"}, "from"),
            ({"from": "24/11/2026"}, "from"),
            ({"from": "11/24/2026"}, "from"),
            ({"from": "2026/11/24"}, "from"),
            ({"from": "0001-01-01"}, "from"),
            ({"to": "9999-12-31"}, "to"),
            ({"to": "tomorrow"}, "to"),
            ({"has_seats": "maybe"}, "has_seats"),
            ({"program": "abc"}, "program"),
            ({"center": "-1"}, "center"),
        ],
    )
    def test_malformed_query_is_invalid(self, api, params, field):
        assert_invalid(api.get(SESSIONS, params), field)

    def test_detail_of_any_session_of_an_active_program(self, api, program):
        past = make_session(program, at(MONDAY, 7))
        hidden = make_session(ProgramFactory(is_active=False))

        response = api.get(f"{SESSIONS}{past.id}/")

        assert response.status_code == 200
        assert set(response.json()) == SESSION_KEYS
        assert response.json()["registration_open"] is False
        assert_error(api.get(f"{SESSIONS}{hidden.id}/"), 404, "not_found")
        assert_error(api.get(f"{SESSIONS}999999/"), 404, "not_found")

    def test_same_query_count_for_1_and_20_sessions(self, api):
        def sessions(count: int):
            program = ProgramFactory()
            for n in range(count):
                session = make_session(program, at(TUESDAY, 8) + timedelta(hours=n), capacity=1)
                fill(session, 3)  # one seat, two waiting
            return program

        small, large = sessions(1), sessions(20)
        counts = []
        for program in (small, large):
            with CaptureQueriesContext(connection) as queries:
                response = api.get(SESSIONS, {"program": program.id})
            assert response.status_code == 200
            assert {s["waitlist_length"] for s in response.json()["results"]} == {2}
            counts.append(len(queries))

        assert len(api.get(SESSIONS, {"program": large.id}).json()["results"]) == 20
        assert counts[0] == counts[1] <= 3


# --- Registering ---------------------------------------------------------------------------------


class TestRegister:
    def test_a_free_seat_is_confirmed_and_costs_points(self, client, member, program, session):
        Program.objects.filter(pk=program.pk).update(points_cost=5)
        give_points(member, 10, program.center)

        response = register(client, session, {"party_size": 1})

        assert response.status_code == 201, response.content
        registration = Registration.objects.get()
        data = response.json()
        assert set(data) == REGISTRATION_KEYS
        assert data == {
            "id": registration.id,
            "session": session.id,
            "status": "confirmed",
            "position": None,
            "check_in_code": registration.check_in_code,
            "party_size": 1,
            "offer_expires_at": None,
            "created": iso(MONDAY, 8),
            "program": program.id,
            "program_title": program.title,
            "center": program.center_id,
            "start": iso(TUESDAY, 10),
            "end": iso(TUESDAY, 12),
            "role": None,
            "role_name": None,
        }
        assert len(data["check_in_code"]) == 8 and data["check_in_code"].isdigit()
        assert registration.member == member
        member.refresh_from_db()
        assert member.points_balance == 5

    def test_the_body_may_be_left_out(self, client, session):
        response = client.post(register_url(session))

        assert response.status_code == 201, response.content
        assert response.json()["party_size"] == 1

    def test_a_full_session_puts_the_member_on_the_waitlist(self, client, program):
        session = make_session(program, capacity=2)
        fill(session, 3)

        response = register(client, session)

        assert response.status_code == 201, response.content
        assert response.json()["status"] == "waitlisted"
        assert response.json()["position"] == 2

    def test_a_lottery_takes_an_entry(self, client):
        session = make_session(ProgramFactory(mode=Program.Mode.LOTTERY))

        response = register(client, session)

        assert response.status_code == 201
        assert response.json()["status"] == "entered"
        assert response.json()["position"] is None

    def test_a_party_of_two_takes_two_seats(self, client):
        session = make_session(ProgramFactory(max_party_size=2))

        response = register(client, session, {"party_size": 2})

        assert response.status_code == 201, response.content
        assert response.json()["party_size"] == 2
        assert Session.objects.get(pk=session.pk).seats_taken == 2

    def test_login_required(self, api, session):
        assert_error(register(api, session), 401, "not_authenticated")
        assert not Registration.objects.exists()

    def test_unknown_session_is_not_found(self, client, session):
        hidden = make_session(ProgramFactory(is_active=False))

        for url in (f"{SESSIONS}999999/registrations/", register_url(hidden)):
            assert_error(client.post(url, {}, format="json"), 404, "not_found")

    # -- Input that is not a registration at all: 400 invalid --

    @pytest.mark.parametrize("value", ["1", 1.5, True, None, 0, -1, 40000])
    def test_party_size_must_be_a_whole_number_in_range(self, client, session, value):
        assert_invalid(register(client, session, {"party_size": value}), "party_size")

    def test_unknown_field_is_invalid(self, client, session):
        assert_invalid(register(client, session, {"seats": 1}), "seats")
        assert not Registration.objects.exists()

    def test_larger_party_than_the_program_allows(self, client, session):
        assert_invalid(register(client, session, {"party_size": 2}), "party_size")

    # -- The service's refusals: each code a client can meet --

    def test_not_eligible(self, client, program, session):
        Program.objects.filter(pk=program.pk).update(
            eligibility=EligibilityRuleFactory(neighbourhoods="华山居民区")
        )

        assert_error(register(client, session), 400, "not_eligible")

    def test_not_eligible_by_age(self, program, session):
        Program.objects.filter(pk=program.pk).update(eligibility=EligibilityRuleFactory(min_age=60))
        young = VerifiedMemberFactory(verified__born=date(1990, 1, 1))
        old = VerifiedMemberFactory(verified__born=date(1950, 1, 1))

        assert_error(register(api_client(young), session), 400, "not_eligible")
        assert register(api_client(old), session).status_code == 201

    @pytest.mark.parametrize("when", ["started", "window_closed", "cancelled"])
    def test_registration_closed(self, client, clock, program, when):
        session = make_session(program, registration_closes=at(TUESDAY, 9))
        if when == "started":
            clock.move_to(at(TUESDAY, 10, 30))
        elif when == "window_closed":
            clock.move_to(at(TUESDAY, 9, 30))
        else:
            staff = staff_at(program.center)
            session_cancel(session=session, by=staff, reason="停电")

        assert_error(register(client, session), 400, "registration_closed")

    def test_insufficient_points(self, client, member, program, session):
        Program.objects.filter(pk=program.pk).update(points_cost=5)
        give_points(member, 4, program.center)

        assert_error(register(client, session), 400, "insufficient_points")
        assert not Registration.objects.exists()
        member.refresh_from_db()
        assert member.points_balance == 4

    def test_member_suspended(self, client, member, session):
        Suspension.objects.create(
            member=member,
            center=session.program.center,
            starts_at=NOW - timedelta(days=1),
            ends_at=NOW + timedelta(days=29),
            reason="3次爽约",
        )

        assert_error(register(client, session), 400, "member_suspended")

    def test_verification_required(self, client, program, session):
        Program.objects.filter(pk=program.pk).update(verification_required=True)

        assert_error(register(client, session), 400, "verification_required")

    def test_quota_exceeded(self, client, program):
        Program.objects.filter(pk=program.pk).update(max_per_member_per_day=1)
        morning = make_session(program, at(TUESDAY, 8))
        afternoon = make_session(program, at(TUESDAY, 14))

        assert register(client, morning).status_code == 201
        assert_error(register(client, afternoon), 400, "quota_exceeded")

    def test_already_registered(self, client, session):
        assert register(client, session).status_code == 201

        assert_error(register(client, session), 409, "already_registered")
        assert Registration.objects.count() == 1

    def test_already_registered_on_the_waitlist_too(self, client, program):
        session = make_session(program, capacity=1)
        fill(session, 1)
        assert register(client, session).json()["status"] == "waitlisted"

        assert_error(register(client, session), 409, "already_registered")

    def test_errors_speak_the_request_language(self, client, session):
        register(client, session)

        chinese = register(client, session)
        english = register(client, session, HTTP_ACCEPT_LANGUAGE="en")

        assert chinese.json()["detail"] == "您已报名这场活动。"
        assert english["Content-Language"] == "en"
        assert english.json()["detail"] == "You are already registered for this session."

    def test_validation_errors_speak_the_request_language(self, client, session):
        english = register(client, session, {"party_size": "1"}, HTTP_ACCEPT_LANGUAGE="en")
        chinese = register(client, session, {"party_size": "1"})

        assert english.json()["fields"]["party_size"] == ["A valid integer is required."]
        assert chinese.json()["fields"]["party_size"] == ["请输入有效的整数。"]

    # -- Idempotency-Key --

    def test_the_same_key_and_body_replays_the_first_answer(self, client, session):
        key = {"HTTP_IDEMPOTENCY_KEY": "3f0c9a4e-reg-1"}

        first = register(client, session, {"party_size": 1}, **key)
        again = register(client, session, {"party_size": 1}, **key)

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Registration.objects.count() == 1

    def test_the_same_key_with_another_body_is_refused(self, client, session):
        key = {"HTTP_IDEMPOTENCY_KEY": "3f0c9a4e-reg-2"}
        register(client, session, {"party_size": 1}, **key)

        assert_error(register(client, session, {}, **key), 422, "idempotency_key_reused")

    def test_a_refusal_is_replayed_too(self, client, member, program, session):
        Program.objects.filter(pk=program.pk).update(points_cost=5)
        key = {"HTTP_IDEMPOTENCY_KEY": "3f0c9a4e-reg-3"}
        assert_error(register(client, session, **key), 400, "insufficient_points")
        give_points(member, 10, program.center)

        replay = register(client, session, **key)

        assert_error(replay, 400, "insufficient_points")
        assert replay["Idempotent-Replayed"] == "true"
        assert register(client, session).status_code == 201  # without the key: a new request


# --- The member's registrations ------------------------------------------------------------------


class TestRegistrations:
    def test_only_own_registrations_paginated(self, client, member, program):
        mine = session_register(session=make_session(program), member=member)
        session_register(session=make_session(program), member=UserFactory())

        response = client.get(REGISTRATIONS)

        assert response.status_code == 200
        data = response.json()
        assert set(data) == PAGE_KEYS
        assert data["count"] == 1
        assert [r["id"] for r in data["results"]] == [mine.id]
        assert set(data["results"][0]) == REGISTRATION_KEYS

    def test_latest_session_first_and_filter_by_status(self, client, member, program):
        tuesday = session_register(session=make_session(program), member=member)
        wednesday = session_register(
            session=make_session(program, at(WEDNESDAY, 10)), member=member
        )
        full = make_session(program, at(WEDNESDAY, 14), capacity=1)
        fill(full, 1)
        waiting = session_register(session=full, member=member)
        registration_cancel(registration=tuesday, by=member)

        assert ids(client.get(REGISTRATIONS)) == [waiting.id, wednesday.id, tuesday.id]
        assert ids(client.get(REGISTRATIONS, {"status": "cancelled"})) == [tuesday.id]
        waitlisted = client.get(REGISTRATIONS, {"status": "waitlisted"}).json()["results"]
        assert [(r["id"], r["position"]) for r in waitlisted] == [(waiting.id, 1)]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"status": "booked"}, "status"),
            ({"page": "0"}, "page"),
            ({"page_size": "x"}, "page_size"),
        ],
    )
    def test_bad_filters_are_invalid(self, client, params, field):
        assert_invalid(client.get(REGISTRATIONS, params), field)

    def test_login_required(self, api):
        assert_error(api.get(REGISTRATIONS), 401, "not_authenticated")

    def test_own_registration_detail(self, client, member, session):
        mine = session_register(session=session, member=member)

        response = client.get(f"{REGISTRATIONS}{mine.id}/")

        assert response.status_code == 200
        assert response.json()["id"] == mine.id
        assert set(response.json()) == REGISTRATION_KEYS

    def test_another_members_registration_is_not_found(self, client, session):
        theirs = session_register(session=session, member=UserFactory())

        assert_error(client.get(f"{REGISTRATIONS}{theirs.id}/"), 404, "not_found")
        for action in ("cancel", "accept"):
            response = client.post(f"{REGISTRATIONS}{theirs.id}/{action}/", format="json")
            assert_error(response, 404, "not_found")
        assert Registration.objects.get().status == Registration.Status.CONFIRMED

    def test_unknown_registration_is_not_found(self, client):
        assert_error(client.get(f"{REGISTRATIONS}999999/"), 404, "not_found")
        assert_error(client.get(f"{REGISTRATIONS}{'9' * 30}/"), 404, "not_found")

    def test_same_query_count_for_1_and_20_rows(self, client, member):
        program = ProgramFactory()
        session_register(session=make_session(program), member=member)
        with CaptureQueriesContext(connection) as one:
            assert client.get(REGISTRATIONS).json()["count"] == 1
        for n in range(1, 20):
            session = make_session(ProgramFactory(), at(TUESDAY, 10) + timedelta(hours=n))
            session_register(session=session, member=member)
        with CaptureQueriesContext(connection) as twenty:
            assert len(client.get(REGISTRATIONS).json()["results"]) == 20

        assert len(one) == len(twenty) <= 3


class TestCancel:
    def test_cancel_frees_the_seat_and_refunds(self, client, member, program, session):
        Program.objects.filter(pk=program.pk).update(points_cost=5)
        give_points(member, 10, program.center)
        mine = session_register(session=session, member=member)

        response = client.post(f"{REGISTRATIONS}{mine.id}/cancel/", format="json")

        assert response.status_code == 200, response.content
        assert set(response.json()) == REGISTRATION_KEYS
        assert response.json()["status"] == "cancelled"
        assert Session.objects.get(pk=session.pk).seats_taken == 0
        member.refresh_from_db()
        assert member.points_balance == 10

    def test_a_waitlisted_member_may_leave_the_queue(self, client, member, program):
        session = make_session(program, capacity=1)
        fill(session, 1)
        mine = session_register(session=session, member=member)

        response = client.post(f"{REGISTRATIONS}{mine.id}/cancel/", {"reason": "有事"}, "json")

        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        assert response.json()["position"] is None

    def test_twice_is_not_cancellable(self, client, member, session):
        mine = session_register(session=session, member=member)
        client.post(f"{REGISTRATIONS}{mine.id}/cancel/", format="json")

        response = client.post(f"{REGISTRATIONS}{mine.id}/cancel/", format="json")

        assert_error(response, 409, "not_cancellable")

    def test_after_the_start_is_not_cancellable(self, client, clock, member, session):
        mine = session_register(session=session, member=member)
        clock.move_to(at(TUESDAY, 10, 30))

        assert_error(client.post(f"{REGISTRATIONS}{mine.id}/cancel/"), 409, "not_cancellable")

    def test_unknown_field_is_invalid(self, client, member, session):
        mine = session_register(session=session, member=member)

        response = client.post(f"{REGISTRATIONS}{mine.id}/cancel/", {"why": "x"}, format="json")

        assert_invalid(response, "why")
        assert Registration.objects.get().status == Registration.Status.CONFIRMED


class TestAccept:
    @pytest.fixture
    def offered(self, member, program) -> Registration:
        """The member is first on the waitlist when the one seat is given back."""
        session = make_session(program, capacity=1)
        (holder,) = fill(session, 1)
        Program.objects.filter(pk=program.pk).update(points_cost=5)
        give_points(member, 10, program.center)
        mine = session_register(session=session, member=member)
        registration_cancel(registration=holder, by=holder.member)
        mine.refresh_from_db()
        assert mine.status == Registration.Status.OFFERED
        return mine

    def test_an_offered_seat_shows_when_it_expires(self, client, offered):
        data = client.get(f"{REGISTRATIONS}{offered.id}/").json()

        assert data["status"] == "offered"
        assert data["position"] is None
        assert data["offer_expires_at"] == iso(MONDAY, 20)  # twelve hours

    def test_accept_confirms_and_spends_points(self, client, member, offered):
        response = client.post(f"{REGISTRATIONS}{offered.id}/accept/", format="json")

        assert response.status_code == 200, response.content
        assert set(response.json()) == REGISTRATION_KEYS
        assert response.json()["status"] == "confirmed"
        member.refresh_from_db()
        assert member.points_balance == 5

    def test_offer_expired(self, client, clock, member, offered):
        clock.move_to(at(MONDAY, 20, 1))

        response = client.post(f"{REGISTRATIONS}{offered.id}/accept/", format="json")

        assert_error(response, 400, "offer_expired")
        member.refresh_from_db()
        assert member.points_balance == 10

    def test_offer_expired_speaks_english_when_asked(self, client, clock, offered):
        clock.move_to(at(MONDAY, 20, 1))

        response = client.post(
            f"{REGISTRATIONS}{offered.id}/accept/", format="json", HTTP_ACCEPT_LANGUAGE="en"
        )

        assert response.json()["detail"] == "This offer has expired."

    def test_not_offered_is_the_contracts_offer_expired(self, client, member, session):
        confirmed = session_register(session=session, member=member)

        response = client.post(f"{REGISTRATIONS}{confirmed.id}/accept/", format="json")

        assert_error(response, 400, "offer_expired")

    def test_a_body_with_fields_is_invalid(self, client, offered):
        response = client.post(f"{REGISTRATIONS}{offered.id}/accept/", {"x": 1}, format="json")

        assert_invalid(response, "x")


# --- Home visits ---------------------------------------------------------------------------------


class TestHomeVisits:
    @pytest.fixture
    def visits(self) -> Program:
        return ProgramFactory(category=Program.Category.HOME_VISIT, title="助老上门服务")

    def url(self, program: Program) -> str:
        return f"{PROGRAMS}{program.id}/home-visits/"

    def test_request_a_visit(self, client, member, visits):
        response = client.post(
            self.url(visits),
            {"address": "华山路100弄3号", "preferred_time": "周三上午", "notes": "腿脚不便"},
            format="json",
        )

        assert response.status_code == 201, response.content
        visit = HomeVisitRequest.objects.get()
        assert visit.member == member
        assert response.json() == {
            "id": visit.id,
            "program": visits.id,
            "program_title": "助老上门服务",
            "address": "华山路100弄3号",
            "preferred_time": "周三上午",
            "notes": "腿脚不便",
            "status": "requested",
            "scheduled_at": None,
            "created": iso(MONDAY, 8),
        }

    def test_only_the_address_is_required(self, client, visits):
        response = client.post(self.url(visits), {"address": "华山路1号"}, format="json")

        assert response.status_code == 201, response.content
        assert response.json()["preferred_time"] == ""

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({}, "address"),
            ({"address": "   "}, "address"),
            ({"address": 12}, "address"),
            ({"address": "长" * 201}, "address"),
            ({"address": "华山路1号", "when": "周三"}, "when"),
        ],
    )
    def test_invalid_bodies(self, client, visits, data, field):
        assert_invalid(client.post(self.url(visits), data, format="json"), field)

    def test_other_programs_take_no_home_visits(self, client, program):
        response = client.post(self.url(program), {"address": "华山路1号"}, format="json")

        assert_error(response, 400, "invalid")
        assert not HomeVisitRequest.objects.exists()

    def test_eligibility_applies(self, client, visits):
        Program.objects.filter(pk=visits.pk).update(
            eligibility=EligibilityRuleFactory(neighbourhoods="华山居民区")
        )

        response = client.post(self.url(visits), {"address": "华山路1号"}, format="json")

        assert_error(response, 400, "not_eligible")

    def test_unknown_program_and_login(self, api, client, visits):
        inactive = ProgramFactory(category=Program.Category.HOME_VISIT, is_active=False)

        for url in (f"{PROGRAMS}999999/home-visits/", self.url(inactive)):
            assert_error(client.post(url, {"address": "x"}, format="json"), 404, "not_found")
        assert_error(
            api.post(self.url(visits), {"address": "x"}, format="json"), 401, "not_authenticated"
        )

    def test_replay_with_the_same_key(self, client, visits):
        key = {"HTTP_IDEMPOTENCY_KEY": "visit-1"}
        body = {"address": "华山路1号"}

        first = client.post(self.url(visits), body, format="json", **key)
        again = client.post(self.url(visits), body, format="json", **key)

        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert HomeVisitRequest.objects.count() == 1

    def test_the_members_own_list_and_detail(self, client, member, visits):
        mine = home_visit_request(
            program=visits, member=member, address="华山路1号", preferred_time=""
        )
        theirs = home_visit_request(
            program=visits, member=UserFactory(), address="华山路2号", preferred_time=""
        )

        response = client.get(HOME_VISITS)

        assert response.status_code == 200
        assert set(response.json()) == PAGE_KEYS
        assert ids(response) == [mine.id]
        assert set(response.json()["results"][0]) == HOME_VISIT_KEYS
        assert client.get(f"{HOME_VISITS}{mine.id}/").json()["id"] == mine.id
        assert_error(client.get(f"{HOME_VISITS}{theirs.id}/"), 404, "not_found")

    def test_list_login_required(self, api):
        assert_error(api.get(HOME_VISITS), 401, "not_authenticated")

    def test_same_query_count_for_1_and_20_rows(self, client, member, visits):
        def make() -> None:
            program = ProgramFactory(category=Program.Category.HOME_VISIT)
            home_visit_request(
                program=program, member=member, address="华山路1号", preferred_time=""
            )

        make()
        with CaptureQueriesContext(connection) as one:
            assert client.get(HOME_VISITS).json()["count"] == 1
        for _ in range(19):
            make()
        with CaptureQueriesContext(connection) as twenty:
            assert len(client.get(HOME_VISITS).json()["results"]) == 20

        assert len(one) == len(twenty) <= 3


# --- OpenAPI -------------------------------------------------------------------------------------


class TestSchema:
    @pytest.fixture
    def schema(self, api) -> dict:
        response = api.get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        return response.json()

    def test_the_paths_are_described(self, schema):
        paths = schema["paths"]

        for path in (
            "/api/v1/programs/",
            "/api/v1/programs/{id}/",
            "/api/v1/sessions/",
            "/api/v1/sessions/{id}/",
            "/api/v1/registrations/",
            "/api/v1/registrations/{id}/",
            "/api/v1/home-visits/",
            "/api/v1/home-visits/{id}/",
        ):
            assert "get" in paths[path], path
        for path in (
            "/api/v1/sessions/{id}/registrations/",
            "/api/v1/registrations/{id}/cancel/",
            "/api/v1/registrations/{id}/accept/",
            "/api/v1/programs/{id}/home-visits/",
        ):
            assert "post" in paths[path], path

    def test_register_documents_201_errors_and_the_idempotency_key(self, schema):
        create = schema["paths"]["/api/v1/sessions/{id}/registrations/"]["post"]

        assert {"201", "400", "401", "404", "409", "422"} <= set(create["responses"])
        headers = [p["name"] for p in create["parameters"] if p["in"] == "header"]
        assert headers == ["Idempotency-Key"]
        for code in ("not_eligible", "registration_closed", "already_registered"):
            assert code in create["description"]

    def test_filters_and_items(self, schema):
        paths, components = schema["paths"], schema["components"]["schemas"]

        def params(path: str) -> set[str]:
            return {p["name"] for p in paths[path]["get"]["parameters"]}

        assert {"center", "category", "q", "page", "page_size"} <= params("/api/v1/programs/")
        assert {"program", "center", "from", "to", "has_seats"} <= params("/api/v1/sessions/")
        assert "status" in params("/api/v1/registrations/")
        assert set(components["Program"]["properties"]) == PROGRAM_KEYS
        assert set(components["Session"]["properties"]) == SESSION_KEYS
        assert set(components["Registration"]["properties"]) == REGISTRATION_KEYS
        assert set(components["NextSession"]["properties"]) == {"id", "start", "end", "seats_left"}
        assert components["Program"]["properties"]["next_session"]["nullable"] is True
        assert "RegistrationStatusEnum" in components
