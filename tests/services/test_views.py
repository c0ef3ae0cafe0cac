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
    assert "11月24日 周二 14:00" in text
    assert f'href="/sessions/{session.pk}/"' in text
    page = logged_in.get(f"/sessions/{session.pk}/").content.decode()
    assert f'action="/sessions/{session.pk}/register/"' in page
    assert "报名" in page


def test_programs_search_and_filters(client: Client, session) -> None:
    other = SessionFactory(
        program=ProgramFactory(title="老年人手机班", category="digital"), start=START
    )
    assert "老年人手机班" not in client.get("/programs/?q=养生").content.decode()
    assert "中医养生讲座" in client.get("/programs/?q=养生").content.decode()
    page = client.get("/programs/?category=digital").content.decode()
    assert "老年人手机班" in page and "中医养生讲座" not in page
    page = client.get(f"/programs/?center={other.program.center_id}").content.decode()
    assert "老年人手机班" in page and "中医养生讲座" not in page
    assert "中医养生讲座" in client.get("/programs/?date=2026-11-24").content.decode()
    assert "中医养生讲座" not in client.get("/programs/?date=2026-11-25").content.decode()
    assert client.get("/programs/?date=tomorrow&center=x&category=y").status_code == 200


def test_session_page_shows_everything_before_a_tap(logged_in: Client, session) -> None:
    from members.models import EligibilityRule

    session_register(session=session, member=UserFactory())  # full now
    session_register(session=session, member=UserFactory())  # one waiting
    program = session.program
    program.points_cost = 5
    program.eligibility = EligibilityRule.objects.create(name="60岁以上", min_age=60)
    program.save()
    text = logged_in.get(f"/sessions/{session.pk}/").content.decode()
    assert "已满" in text
    assert "候补1人" in text
    assert "60" in text
    assert "5积分" in text
    assert "起至" in text  # when registration opens and closes
    # The member's own obstacle is shown before any tap, as an error, with the way forward.
    assert 'role="alert"' in text
    assert 'href="/me/verify/"' in text
    assert f'action="/sessions/{session.pk}/register/"' not in text


def test_programs_page_is_public_but_registering_needs_login(client: Client, session) -> None:
    response = client.get("/programs/")
    assert response.status_code == 200
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert f'action="/sessions/{session.pk}/register/"' not in page
    assert "登录后报名" in page
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
    assert response.redirect_chain[-1][0] == f"/sessions/{session.pk}/"
    assert 'role="alert"' in response.content.decode()
    assert Registration.objects.count() == 1


def test_cancel_from_the_page(logged_in: Client, session, member) -> None:
    registration = session_register(session=session, member=member)
    page = logged_in.get("/me/registrations/").content.decode()
    assert '<svg role="img"' in page  # the check-in code as a QR code
    # Without the tick nothing happens.
    logged_in.post(f"/me/registrations/{registration.pk}/cancel/")
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    response = logged_in.post(f"/me/registrations/{registration.pk}/cancel/", {"confirm": "yes"})
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
    assert "11月23日 周一 20:00前确认" in page  # the offer's deadline, in words
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
