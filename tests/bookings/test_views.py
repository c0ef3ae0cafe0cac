"""Resident web pages for booking: a space's free times, booking and cancelling from the page."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from bookings import errors
from bookings.models import Booking
from tests.factories import BookableSpaceFactory, UserFactory, book

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 3, 2)


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(8), tick=False) as traveller:
        yield traveller


@pytest.fixture
def space():
    return BookableSpaceFactory(name="多功能厅")


@pytest.fixture
def member():
    return UserFactory()


@pytest.fixture
def logged_in(client: Client, member) -> Client:
    client.force_login(member)
    return client


def zh(message) -> str:
    with translation.override("zh-hans"):
        return str(message)


def post_book(client: Client, space, start: datetime, end: datetime):
    url = f"/spaces/{space.pk}/book/"
    return client.post(url, {"start": start.isoformat(), "end": end.isoformat()})


def test_space_page_shows_rules_and_free_slots_in_chinese(logged_in: Client, space) -> None:
    response = logged_in.get(f"/spaces/{space.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="zh-hans">' in text
    assert "多功能厅" in text
    assert space.center.name in text
    assert "10:00–10:30" in text
    assert f'action="/spaces/{space.pk}/book/"' in text
    assert "预约" in text


def test_taken_slot_is_not_offered(logged_in: Client, space) -> None:
    book(space, at(10), at(11))
    text = logged_in.get(f"/spaces/{space.pk}/").content.decode()
    # Seven days shown; only Monday's 10:00 and 10:30 are taken.
    assert text.count("10:00–10:30") == 6
    assert text.count("10:30–11:00") == 6
    assert text.count("11:00–11:30") == 7


def test_anonymous_sees_the_space_but_is_asked_to_log_in(client: Client, space) -> None:
    response = client.get(f"/spaces/{space.pk}/")
    assert response.status_code == 200
    assert f'action="/spaces/{space.pk}/book/"' not in response.content.decode()
    response = post_book(client, space, at(10), at(10, 30))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Booking.objects.exists()


def test_center_page_links_to_the_space(client: Client, space) -> None:
    text = client.get(f"/centers/{space.center_id}/").content.decode()
    assert f'href="/spaces/{space.pk}/"' in text


def test_unknown_or_inactive_space_is_404(client: Client, space) -> None:
    assert client.get("/spaces/999999/").status_code == 404
    space.is_active = False
    space.save()
    assert client.get(f"/spaces/{space.pk}/").status_code == 404


def test_booking_from_the_page_creates_it_and_redirects(logged_in: Client, space, member) -> None:
    response = post_book(logged_in, space, at(10), at(10, 30))
    assert response.status_code == 302
    assert response["Location"] == "/me/bookings/"
    booking = Booking.objects.get()
    assert (booking.member, booking.space, booking.start) == (member, space, at(10))
    assert booking.status == Booking.Status.CONFIRMED
    page = logged_in.get("/me/bookings/").content.decode()
    assert booking.check_in_code in page
    assert "多功能厅" in page
    assert "取消预约" in page


def test_taken_slot_shows_the_error_not_a_500(logged_in: Client, space) -> None:
    book(space, at(10), at(11))
    response = post_book(logged_in, space, at(10), at(10, 30))
    assert response.status_code == 302
    assert response["Location"] == f"/spaces/{space.pk}/"
    page = logged_in.get(response["Location"])
    assert zh(errors.SlotTaken.message) in page.content.decode()
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"start": "soon", "end": "later"},
        {"start": "2026-03-02T10:00", "end": "2026-03-02T10:30"},  # naive
        {"start": "2026-03-02T10:00+08:00"},
    ],
)
def test_bad_times_are_a_400_page(logged_in: Client, space, data) -> None:
    response = logged_in.post(f"/spaces/{space.pk}/book/", data)
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_end_before_start_shows_a_message(logged_in: Client, space) -> None:
    response = post_book(logged_in, space, at(11), at(10))
    assert response.status_code == 302
    assert not Booking.objects.exists()


def test_get_on_book_is_not_allowed(logged_in: Client, space) -> None:
    assert logged_in.get(f"/spaces/{space.pk}/book/").status_code == 405


def test_my_bookings_upcoming_first(logged_in: Client, space, member, clock) -> None:
    early = book(space, at(9), at(10), member=member)
    late = book(space, at(10), at(11), member=member)
    clock.move_to(at(10, 30))  # the first is over, the second is still on
    text = logged_in.get("/me/bookings/").content.decode()
    # The one still on comes first, with its code; the one over is listed under the past.
    assert text.index(late.check_in_code) < text.index("以往预约")
    assert early.check_in_code not in text
    assert text.count("多功能厅") == 2


def test_cancel_from_the_page(logged_in: Client, space, member) -> None:
    booking = book(space, at(12), at(13), member=member)
    response = logged_in.post(f"/me/bookings/{booking.pk}/cancel/")
    assert response.status_code == 302
    assert response["Location"] == "/me/bookings/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_cancel_after_the_deadline_shows_a_message(logged_in: Client, space, member, clock):
    booking = book(space, at(12), at(13), member=member)
    clock.move_to(at(11, 30))
    response = logged_in.post(f"/me/bookings/{booking.pk}/cancel/", follow=True)
    assert response.status_code == 200
    assert zh(errors.CancelDeadlinePassed.message) in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_another_members_booking_is_404(logged_in: Client, space) -> None:
    theirs = book(space, at(12), at(13))
    assert logged_in.post(f"/me/bookings/{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Booking.Status.CONFIRMED
    assert theirs.check_in_code not in logged_in.get("/me/bookings/").content.decode()


def test_my_bookings_needs_login(client: Client) -> None:
    response = client.get("/me/bookings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_profile_links_to_bookings(logged_in: Client) -> None:
    text = logged_in.get("/me/").content.decode()
    assert 'href="/me/bookings/"' in text
    assert 'href="/me/registrations/"' in text


def test_days_shown_cover_a_week(logged_in: Client, space) -> None:
    text = logged_in.get(f"/spaces/{space.pk}/").content.decode()
    last = MONDAY + timedelta(days=6)
    assert f"{last.month}月{last.day}日" in text
