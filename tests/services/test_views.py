"""Resident web pages for programs: sessions to register for, and the member's registrations."""

from datetime import datetime, time, timedelta

import pytest
from django.test import Client

from services.models import Registration
from services.services.registration import session_register
from tests.factories import ProgramFactory, SessionFactory, UserFactory
from tests.helpers import MONDAY, SHANGHAI

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime.combine(MONDAY, time(8), tzinfo=SHANGHAI)
START = datetime.combine(MONDAY + timedelta(days=1), time(14), tzinfo=SHANGHAI)
Status = Registration.Status


@pytest.fixture
def session():
    return SessionFactory(program=ProgramFactory(title="中医养生讲座"), start=START, capacity=1)


@pytest.fixture
def logged_in(client: Client, member) -> Client:
    client.force_login(member)
    return client


def test_programs_page_lists_sessions_in_chinese(logged_in: Client, session) -> None:
    response = logged_in.get("/programs/")
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="zh-hans">' in text
    assert "中医养生讲座" in text
    assert "11月24日" in text
    assert f'action="/sessions/{session.pk}/register/"' in text
    assert "报名" in text


def test_programs_page_is_public_but_registering_needs_login(client: Client, session) -> None:
    response = client.get("/programs/")
    assert response.status_code == 200
    assert f'action="/sessions/{session.pk}/register/"' not in response.content.decode()
    response = client.post(f"/sessions/{session.pk}/register/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Registration.objects.exists()


def test_register_from_the_page_confirms(logged_in: Client, session, member) -> None:
    response = logged_in.post(f"/sessions/{session.pk}/register/", follow=True)
    assert response.redirect_chain[-1][0] == "/me/registrations/"
    registration = Registration.objects.get()
    assert (registration.member, registration.status) == (member, Status.CONFIRMED)
    text = response.content.decode()
    assert "中医养生讲座" in text
    assert registration.check_in_code in text
    assert "取消报名" in text


def test_full_session_puts_the_member_on_the_waitlist(logged_in: Client, session) -> None:
    session_register(session=session, member=UserFactory())
    response = logged_in.post(f"/sessions/{session.pk}/register/", follow=True)
    registration = Registration.objects.get(status=Status.WAITLISTED)
    assert registration.position == 1
    assert "候补" in response.content.decode()


def test_registering_twice_shows_a_message_not_a_500(logged_in: Client, session) -> None:
    logged_in.post(f"/sessions/{session.pk}/register/")
    response = logged_in.post(f"/sessions/{session.pk}/register/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/programs/"
    assert Registration.objects.count() == 1


def test_cancel_from_the_page(logged_in: Client, session, member) -> None:
    registration = session_register(session=session, member=member)
    response = logged_in.post(f"/me/registrations/{registration.pk}/cancel/")
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_accept_an_offered_seat(logged_in: Client, session, member) -> None:
    seated = session_register(session=session, member=UserFactory())
    waiting = session_register(session=session, member=member)
    assert waiting.status == Status.WAITLISTED
    from services.services.registration import registration_cancel

    registration_cancel(registration=seated, by=seated.member)
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED
    page = logged_in.get("/me/registrations/").content.decode()
    assert f'action="/me/registrations/{waiting.pk}/accept/"' in page
    logged_in.post(f"/me/registrations/{waiting.pk}/accept/")
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_another_members_registration_is_404(logged_in: Client, session) -> None:
    theirs = session_register(session=session, member=UserFactory())
    assert logged_in.post(f"/me/registrations/{theirs.pk}/cancel/").status_code == 404
    assert logged_in.post(f"/me/registrations/{theirs.pk}/accept/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.CONFIRMED


def test_my_registrations_needs_login(client: Client) -> None:
    response = client.get("/me/registrations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_session_is_404(logged_in: Client) -> None:
    assert logged_in.post("/sessions/999999/register/").status_code == 404
