"""A volunteer session's page: its roles with places left, signing up for one and cancelling,
through the same service as the API; refusals are errors on the page, never a 500."""

import pytest
from django.test import Client

from services.models import Registration
from services.services.registration import session_register
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db
ERROR = 'role="alert"'


@pytest.fixture
def session(volunteer_session):
    return volunteer_session


def as_(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def page_of(client: Client, session) -> str:
    response = client.get(f"/sessions/{session.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_roles_with_places_left(client, session) -> None:
    barber, foot = session.roles.order_by("id")
    session_register(session=session, member=UserFactory(), role=foot)
    page = page_of(client, session)
    assert "志愿岗位" in page and "理发" in page and "扦脚" in page
    assert "还剩2个名额" in page and "已满" in page
    assert "登录后报名" in page
    assert "候补" not in page  # volunteers choose another role rather than wait
    # What a volunteer earns, not what a place costs.
    hourly = session.program.center.points_per_volunteer_hour
    assert f"志愿者每小时可得{hourly}积分" in page
    signed_in = page_of(as_(UserFactory()), session)
    assert f'name="role" value="{barber.pk}"' in signed_in
    assert f'name="role" value="{foot.pk}"' not in signed_in  # full: no button


def test_sign_up_for_a_role_and_cancel(session) -> None:
    barber = session.roles.get(name="理发")
    member = UserFactory()
    web = as_(member)
    response = web.post(f"/sessions/{session.pk}/register/", {"role": str(barber.pk)}, follow=True)
    page = response.content.decode()
    assert 'role="status"' in page and "您已报名志愿岗位：理发" in page
    registration = Registration.objects.get(member=member)
    assert (registration.role, registration.status) == (barber, "confirmed")
    barber.refresh_from_db()
    assert barber.seats_left == 1
    assert f'action="/me/registrations/{registration.pk}/cancel/"' in page
    response = web.post(
        f"/me/registrations/{registration.pk}/cancel/",
        {"confirm": "yes", "back": "session"},
    )
    assert response["Location"] == f"/sessions/{session.pk}/"
    registration.refresh_from_db()
    barber.refresh_from_db()
    assert (registration.status, barber.seats_left) == ("cancelled", 2)


def test_sign_up_refusals_are_errors(session) -> None:
    foot = session.roles.get(name="扦脚")
    session_register(session=session, member=UserFactory(), role=foot)
    web = as_(UserFactory())
    page = web.post(f"/sessions/{session.pk}/register/", {"role": foot.pk}, follow=True)
    assert ERROR in page.content.decode() and "这个志愿岗位已满" in page.content.decode()
    for role in ("", "999999", "x"):
        response = web.post(f"/sessions/{session.pk}/register/", {"role": role}, follow=True)
        assert response.status_code == 200 and ERROR in response.content.decode()
    other = SessionFactory()
    response = web.post(f"/sessions/{other.pk}/register/", {"role": foot.pk}, follow=True)
    assert ERROR in response.content.decode()
    assert not Registration.objects.filter(session=other).exists()
