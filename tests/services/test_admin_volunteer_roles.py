"""Volunteer roles in the admin: managers add roles to their volunteer sessions and change
their seats (through the services); the session's page lists them; other centers see none."""

import pytest

from centers.models import StaffAssignment
from services.models import Program, VolunteerRole
from services.services.registration import session_register
from services.services.volunteering import volunteer_role_add
from tests.clients import web_client
from tests.factories import ProgramFactory, SessionFactory, UserFactory, staff_at

pytestmark = pytest.mark.django_db

ROLES = "/admin/services/volunteerrole/"


@pytest.fixture
def session():
    program = ProgramFactory(title="便民服务志愿者", kind=Program.Kind.VOLUNTEER)
    return SessionFactory(program=program, by=staff_at(program.center))


def test_a_manager_adds_a_role_and_the_session_page_lists_it(session):
    manager = web_client(staff_at(session.program.center))

    response = manager.post(f"{ROLES}add/", {"session": session.pk, "name": "理发", "seats": 2})

    assert response.status_code == 302, response.content.decode()[:2000]
    role = VolunteerRole.objects.get()
    assert (role.name, role.seats) == ("理发", 2)
    page = manager.get(f"/admin/services/session/{session.pk}/change/").content.decode()
    assert "理发" in page
    session.refresh_from_db()
    assert session.capacity == 2


def test_seats_change_through_the_service(session):
    user = staff_at(session.program.center)
    role = volunteer_role_add(session=session, name="扦脚", seats=2, by=user)
    session_register(session=session, member=UserFactory(), role=role)
    session_register(session=session, member=UserFactory(), role=role)
    client = web_client(user)

    client.post(f"{ROLES}{role.pk}/change/", {"seats": 1})
    assert VolunteerRole.objects.get().seats == 2  # two have signed up
    client.post(f"{ROLES}{role.pk}/change/", {"seats": 5})
    assert VolunteerRole.objects.get().seats == 5


def test_front_desk_and_other_centers(session):
    role = volunteer_role_add(
        session=session, name="理发", seats=1, by=staff_at(session.program.center)
    )
    desk = web_client(staff_at(session.program.center, StaffAssignment.Role.FRONT_DESK))
    stranger = web_client(staff_at(ProgramFactory().center))

    assert desk.get(ROLES).status_code == 200
    assert desk.get(f"{ROLES}add/").status_code == 403
    desk.post(f"{ROLES}{role.pk}/change/", {"seats": 9})
    assert VolunteerRole.objects.get().seats == 1
    assert stranger.get(f"{ROLES}{role.pk}/change/").status_code in (302, 404)
    assert "理发" not in stranger.get(ROLES).content.decode()
    response = stranger.post(f"{ROLES}add/", {"session": session.pk, "name": "扦脚", "seats": 1})
    assert VolunteerRole.objects.count() == 1
    assert response.status_code == 200  # the session is not among the choices
