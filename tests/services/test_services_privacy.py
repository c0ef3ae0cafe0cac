"""A member's registrations and home-visit requests in their data export, and deleting the
account: history stays (pointing at the anonymized account), seats still to come go back to
the waitlist, and the free text that locates the person is cleared."""

import json
import logging
from datetime import date, datetime, time, timedelta

import pytest
from django.utils.translation import gettext

from members.models import PointsEntry, User
from members.services.points import points_earn
from members.services.privacy import member_delete, member_export
from services.models import HomeVisitRequest, Program, Registration
from services.services.attendance import registration_check_in
from services.services.home_visits import home_visit_request, home_visit_schedule
from services.services.registration import session_register
from tests.factories import (
    ProgramFactory,
    SessionFactory,
    UserFactory,
    staff_at,
)
from tests.helpers import MONDAY, SHANGHAI

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = MONDAY + timedelta(days=1)
Status = Registration.Status


def at(hour: int, day: date, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


NOW = at(8, MONDAY)
DELETED_AT = at(9, TUESDAY + timedelta(days=1))  # Wednesday morning


@pytest.fixture
def program() -> Program:
    return ProgramFactory(points_cost=3, points_reward=2)


@pytest.fixture
def manager(program) -> User:
    return staff_at(program.center)


@pytest.fixture
def member() -> User:
    member = UserFactory(display_name="欧阳阿姨")
    points_earn(member=member, amount=10, kind=PointsEntry.Kind.VOLUNTEER, reason="志愿服务")
    return member


@pytest.fixture
def history(program, manager, member) -> dict:
    """A session the member attended (Tuesday), a seat next week with someone waiting behind,
    a lottery entry, and a scheduled home visit."""
    attended = SessionFactory(program=program, start=at(14, TUESDAY), by=manager)
    past = session_register(session=attended, member=member, now=NOW)
    registration_check_in(registration=past, by=manager, now=at(14, TUESDAY))

    next_week = SessionFactory(
        program=program, start=at(14, TUESDAY + timedelta(days=7)), capacity=1, by=manager
    )
    seat = session_register(session=next_week, member=member, now=NOW)
    behind = UserFactory()
    points_earn(member=behind, amount=5, kind=PointsEntry.Kind.VOLUNTEER, reason="志愿服务")
    waiting = session_register(session=next_week, member=behind, now=NOW)

    cinema = ProgramFactory(center=program.center, mode=Program.Mode.LOTTERY, title="9.9元观影")
    film = SessionFactory(program=cinema, start=at(14, TUESDAY + timedelta(days=4)), by=manager)
    entry = session_register(session=film, member=member, now=NOW)

    visits = ProgramFactory(center=program.center, category=Program.Category.HOME_VISIT)
    visit = home_visit_request(
        program=visits,
        member=member,
        address="新闸路1855弄3号502室",
        preferred_time="周四上午，先打电话13812345678",
        notes="独居，腿脚不便",
    )
    home_visit_schedule(request=visit, by=manager, assignee=manager, when=at(10, TUESDAY))
    return {"past": past, "seat": seat, "waiting": waiting, "entry": entry, "visit": visit}


def fresh(registration: Registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def test_the_export_holds_registrations_and_home_visits(member, history) -> None:
    data = member_export(member)

    assert [(r["id"], r["status"]) for r in data["registrations"]] == [
        (history["past"].pk, Status.CHECKED_IN),
        (history["entry"].pk, Status.ENTERED),
        (history["seat"].pk, Status.CONFIRMED),
    ]
    past = data["registrations"][0]
    assert past["program"] == history["past"].session.program.title
    assert datetime.fromisoformat(past["session_start"]) == at(14, TUESDAY)
    assert datetime.fromisoformat(past["checked_in_at"]) == at(14, TUESDAY)
    [visit] = data["home_visits"]
    assert datetime.fromisoformat(visit.pop("scheduled_at")) == at(10, TUESDAY)
    assert datetime.fromisoformat(visit.pop("created")) == NOW
    assert visit == {
        "id": history["visit"].pk,
        "program": history["visit"].program.title,
        "address": "新闸路1855弄3号502室",
        "preferred_time": "周四上午，先打电话13812345678",
        "notes": "独居，腿脚不便",
        "status": "scheduled",
    }
    json.dumps(data)  # JSON-able as it is


def test_deleting_keeps_history_and_gives_future_seats_to_the_waitlist(
    member, history, clock, caplog, django_capture_on_commit_callbacks
) -> None:
    clock.move_to(DELETED_AT)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        member_delete(member=member)

    anonymized = User.objects.get(pk=member.pk)
    assert anonymized.username == f"deleted-{member.pk}"
    # What happened stays, pointing at the anonymized account.
    past = fresh(history["past"])
    assert (past.status, past.member) == (Status.CHECKED_IN, anonymized)
    assert PointsEntry.objects.filter(member=member, kind="attendance").count() == 1
    # What was to come is cancelled, with the reason, and the seat goes to the next in line.
    for key in ("seat", "entry"):
        registration = fresh(history[key])
        assert registration.status == Status.CANCELLED
        assert list(registration.events.values_list("action", "reason"))[-1] == (
            "cancel",
            gettext("account deleted"),
        )
    waiting = fresh(history["waiting"])
    assert waiting.status == Status.OFFERED
    assert notifications(caplog) == [
        f"notify waitlist_offer to member {waiting.member_id} about "
        f"services.Registration:{waiting.pk}"
    ]
    # The seat was cancelled days before the deadline: its points came back, once.
    assert PointsEntry.objects.filter(member=member, kind="refund").count() == 1
    # The home visit is off, and nothing in it says where the person lives.
    visit = HomeVisitRequest.objects.get(pk=history["visit"].pk)
    assert (visit.status, visit.member) == (HomeVisitRequest.Status.CANCELLED, anonymized)
    assert (visit.address, visit.notes, visit.preferred_time) == ("", "", "")
    # Counts stay right: every row is still there.
    assert Registration.objects.filter(member=member).count() == 3
