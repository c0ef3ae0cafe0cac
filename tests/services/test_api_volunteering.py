"""Volunteer roles through the API (API.md, "Community"): a session item lists its roles with
their seats, and ``{"role": <id>}`` signs up for one; errors in the one shape."""

import pytest

from services.models import Registration
from services.services.volunteering import volunteer_role_add
from tests.clients import api_client
from tests.factories import ProgramFactory, SessionFactory, UserFactory, staff_at

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/sessions/"


@pytest.fixture
def session(volunteer_session):
    return volunteer_session


def sign_up(member, session, body):
    return api_client(member).post(f"{SESSIONS}{session.pk}/registrations/", body, format="json")


def test_a_session_lists_its_roles(api, session):
    item = api.get(f"{SESSIONS}{session.pk}/").json()

    barber, foot = session.roles.order_by("id")
    assert item["roles"] == [
        {"id": barber.pk, "name": "理发", "seats": 2, "seats_left": 2},
        {"id": foot.pk, "name": "扦脚", "seats": 1, "seats_left": 1},
    ]
    assert item["capacity"] == 3
    listed = api.get(SESSIONS, {"program": session.program_id}).json()["results"]
    assert listed[0]["roles"] == item["roles"]


def test_sign_up_for_a_role(session):
    foot = session.roles.get(name="扦脚")

    response = sign_up(UserFactory(), session, {"role": foot.pk})

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["role"], data["role_name"]) == ("confirmed", foot.pk, "扦脚")
    full = sign_up(UserFactory(), session, {"role": foot.pk})
    assert full.status_code == 409
    assert full.json()["code"] == "role_full"
    assert set(full.json()) == {"code", "detail"}


@pytest.mark.parametrize("body", [{}, {"role": 999999}, {"role": "1"}, {"role": None}])
def test_a_role_of_this_session_is_required(session, body):
    response = sign_up(UserFactory(), session, body)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert "role" in response.json()["fields"]
    assert not Registration.objects.exists()


def test_another_sessions_role_is_refused(session):
    other = SessionFactory(program=session.program, by=staff_at(session.program.center))
    volunteer_role_add(session=other, name="理发", seats=9, by=staff_at(session.program.center))

    response = sign_up(UserFactory(), session, {"role": other.roles.get().pk})

    assert response.status_code == 400
    assert response.json()["fields"]["role"]


def test_a_group_session_takes_no_role(session):
    lecture = SessionFactory(program=ProgramFactory(center=session.program.center))

    response = sign_up(UserFactory(), lecture, {"role": session.roles.first().pk})

    assert response.status_code == 400
    assert "role" in response.json()["fields"]


def test_the_schema_documents_roles(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]

    assert set(components["VolunteerRole"]["properties"]) == {"id", "name", "seats", "seats_left"}
    assert "roles" in components["Session"]["properties"]
    assert "role" in components["RegistrationCreateRequest"]["properties"]
    assert "volunteer" in components["ProgramKindEnum"]["enum"]
    post = schema["paths"]["/api/v1/sessions/{id}/registrations/"]["post"]
    assert "role_full" in post["description"]
