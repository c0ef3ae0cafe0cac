"""预约上门服务: a member asks for a visit at home (an address, a preferred time); a manager of
the center schedules it and assigns one of the center's staff."""

import logging
from datetime import date, datetime, time, timedelta

import pytest

from centers.models import StaffAssignment
from core.errors import Invalid, NotFound
from members.errors import MemberSuspended, NotEligible
from members.models import Suspension, User
from services.models import HomeVisitRequest, Program
from services.services.home_visits import home_visit_request, home_visit_schedule
from tests.factories import (
    EligibilityRuleFactory,
    ProgramFactory,
    StaffAssignmentFactory,
    UserFactory,
    staff_at,
)
from tests.helpers import MONDAY, SHANGHAI

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime.combine(MONDAY, time(8), tzinfo=SHANGHAI)
VISIT = datetime.combine(MONDAY + timedelta(days=2), time(10), tzinfo=SHANGHAI)
Status = HomeVisitRequest.Status


@pytest.fixture
def program() -> Program:
    return ProgramFactory(
        title="独居老人上门服务",
        category=Program.Category.HOME_VISIT,
        kind=Program.Kind.APPOINTMENT,
    )


@pytest.fixture
def member() -> User:
    return UserFactory(birth_date=date(1941, 3, 2))


@pytest.fixture
def manager(program) -> User:
    return staff_at(program.center)


@pytest.fixture
def social_worker(program) -> User:
    return staff_at(program.center, StaffAssignment.Role.FRONT_DESK)


@pytest.fixture
def request_(program, member) -> HomeVisitRequest:
    return home_visit_request(
        program=program, member=member, address="新闸路1855弄3号502室", preferred_time="周三上午"
    )


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def test_a_member_asks_for_a_visit(program, member) -> None:
    request = home_visit_request(
        program=program,
        member=member,
        address="  新闸路1855弄3号502室 ",
        preferred_time=" 周三上午 ",
        notes=" 腿脚不便，请敲门 ",
    )

    request.refresh_from_db()
    assert (request.status, request.member, request.program) == (Status.REQUESTED, member, program)
    assert (request.address, request.preferred_time, request.notes) == (
        "新闸路1855弄3号502室",
        "周三上午",
        "腿脚不便，请敲门",
    )
    assert (request.assignee, request.scheduled_at) == (None, None)


def test_a_request_needs_an_address_and_a_home_visit_program(program, member) -> None:
    with pytest.raises(Invalid) as caught:
        home_visit_request(program=program, member=member, address="   ", preferred_time="")
    assert "address" in caught.value.fields

    lecture = ProgramFactory(center=program.center)
    program.is_active = False
    program.save()
    for closed in (lecture, program):
        with pytest.raises(Invalid):
            home_visit_request(program=closed, member=member, address="x", preferred_time="")
    assert not HomeVisitRequest.objects.exists()


def test_the_programs_conditions_and_suspensions_apply(program, member) -> None:
    program.eligibility = EligibilityRuleFactory(min_age=70)
    program.save()

    with pytest.raises(NotEligible):
        home_visit_request(
            program=program,
            member=UserFactory(birth_date=date(1960, 1, 1)),
            address="永清路899号",
            preferred_time="",
        )
    Suspension.objects.create(
        member=member,
        center=program.center,
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=29),
        reason="3次爽约",
    )
    with pytest.raises(MemberSuspended):
        home_visit_request(program=program, member=member, address="永清路899号", preferred_time="")
    assert not HomeVisitRequest.objects.exists()


def test_a_manager_schedules_the_visit_and_the_member_is_told(
    request_, manager, social_worker, caplog, django_capture_on_commit_callbacks
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        scheduled = home_visit_schedule(
            request=request_, by=manager, assignee=social_worker, when=VISIT
        )

    assert (scheduled.status, scheduled.assignee, scheduled.scheduled_at) == (
        Status.SCHEDULED,
        social_worker,
        VISIT,
    )
    assert notifications(caplog) == [
        f"notify home_visit_scheduled to member {request_.member_id} about "
        f"services.HomeVisitRequest:{request_.pk}"
    ]
    # Rescheduling is allowed while the visit is still to come.
    later = VISIT + timedelta(days=1)
    assert home_visit_schedule(request=request_, by=manager, assignee=manager, when=later) == (
        scheduled
    )
    assert HomeVisitRequest.objects.get(pk=request_.pk).scheduled_at == later


def test_only_the_centers_managers_schedule(request_, social_worker) -> None:
    for outsider in (social_worker, StaffAssignmentFactory().user, UserFactory()):
        with pytest.raises(NotFound):
            home_visit_schedule(request=request_, by=outsider, assignee=social_worker, when=VISIT)
    assert HomeVisitRequest.objects.get(pk=request_.pk).status == Status.REQUESTED


def test_the_assignee_is_staff_of_the_center(request_, manager) -> None:
    for stranger in (UserFactory(), StaffAssignmentFactory().user):
        with pytest.raises(Invalid) as caught:
            home_visit_schedule(request=request_, by=manager, assignee=stranger, when=VISIT)
        assert "assignee" in caught.value.fields
    assert HomeVisitRequest.objects.get(pk=request_.pk).status == Status.REQUESTED


def test_a_closed_request_cannot_be_scheduled(request_, manager) -> None:
    # No service closes a request yet (staff do it in the admin): a row update stands in.
    HomeVisitRequest.objects.filter(pk=request_.pk).update(status=Status.DONE)

    with pytest.raises(Invalid):
        home_visit_schedule(request=request_, by=manager, assignee=manager, when=VISIT)
