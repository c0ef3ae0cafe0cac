"""Resident web pages for booking: a space's free times, booking and cancelling from the page."""

from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import translation

from bookings import errors
from bookings.models import Booking
from members.models import ProxyLink
from members.services.proxies import proxy_link_at_desk
from tests.factories import (
    BookableSpaceFactory,
    UserFactory,
    VerifiedMemberFactory,
    book,
    staff_at,
)
from tests.helpers import hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

MONDAY = date(2026, 3, 2)


at = hour_on(MONDAY)
NOW = at(8)


@pytest.fixture
def space():
    return BookableSpaceFactory(name="多功能厅")


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


def test_space_page_shows_rules_and_the_days_start_times(logged_in: Client, space) -> None:
    response = logged_in.get(f"/spaces/{space.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="zh-hans">' in text
    assert "多功能厅" in text
    assert space.center.name in text
    # Today is chosen (it has free time); its starts link to the confirmation page.
    assert 'aria-current="date"' in text
    assert f"/spaces/{space.pk}/confirm/?day=2026-03-02&amp;time=10:00" in text
    # Rules in words: a 60-minute deadline is "1小时", not "60分钟".
    assert "开始前1小时" in text


def test_date_strip_covers_the_whole_horizon(logged_in: Client, space) -> None:
    text = logged_in.get(f"/spaces/{space.pk}/").content.decode()
    last = MONDAY + timedelta(days=space.max_days_ahead)
    assert f"?day={last.isoformat()}" in text
    assert f"?day={(last + timedelta(days=1)).isoformat()}" not in text
    assert "4月1日" in text  # 30 days after 2 March, "月日" as people write it


def test_another_day_is_chosen_from_the_strip(logged_in: Client, space) -> None:
    book(space, at(10, day=MONDAY + timedelta(days=3)), at(11, day=MONDAY + timedelta(days=3)))
    day = (MONDAY + timedelta(days=3)).isoformat()
    text = logged_in.get(f"/spaces/{space.pk}/?day={day}").content.decode()
    assert "3月5日 周四" in text
    assert f"day={day}&amp;time=09:30" in text
    assert f"day={day}&amp;time=10:00" not in text  # taken
    assert f"day={day}&amp;time=11:00" in text


def test_a_full_day_says_so_in_words(logged_in: Client, space) -> None:
    book(space, at(8, 30), at(12, 30))
    book(space, at(12, 30), at(16, 30))
    book(space, at(16, 30), at(20, 30))
    text = logged_in.get(f"/spaces/{space.pk}/?day=2026-03-02").content.decode()
    assert "这一天已约满" in text
    assert "confirm/?day=2026-03-02" not in text


def test_confirmation_page_shows_what_where_when_and_the_rules(logged_in: Client, space) -> None:
    url = f"/spaces/{space.pk}/confirm/?day=2026-03-02&time=10:00&minutes=90"
    text = logged_in.get(url).content.decode()
    assert "3月2日 周一 10:00–11:30" in text
    assert space.center.address in text
    assert "3月2日 周一 09:00前可以在网上取消" in text
    assert "确认预约" in text
    assert 'name="start" value="2026-03-02T10:00:00+08:00"' in text
    assert 'name="end" value="2026-03-02T11:30:00+08:00"' in text
    # Lengths from 30 minutes to the space's 4 hours, the chosen one marked.
    assert "30分钟" in text and "4小时" in text
    assert 'minutes=90" aria-current="true"' in text


def test_confirmation_inside_the_cancel_deadline_warns_with_the_phone(logged_in: Client, space):
    space.center.phone = "021-0000-0000"
    space.center.save()
    text = logged_in.get(f"/spaces/{space.pk}/confirm/?day=2026-03-02&time=08:30").content.decode()
    assert "不能在网上取消" in text
    assert 'href="tel:02100000000"' in text


@pytest.mark.parametrize(
    "query",
    ["", "?day=2026-03-02", "?day=2026-03-02&time=10:10", "?day=2026-02-01&time=10:00", "?day=x"],
)
def test_confirmation_of_an_unbookable_time_goes_back_with_a_message(
    logged_in: Client, space, query
) -> None:
    response = logged_in.get(f"/spaces/{space.pk}/confirm/{query}", follow=True)
    assert response.redirect_chain[-1][0].startswith(f"/spaces/{space.pk}/")
    assert "这个时间已不能预约" in response.content.decode()


def test_confirmation_needs_login(client: Client, space) -> None:
    response = client.get(f"/spaces/{space.pk}/confirm/?day=2026-03-02&time=10:00")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


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
    booking = Booking.objects.get()
    assert response["Location"] == f"/me/bookings/{booking.pk}/"
    assert (booking.member, booking.space, booking.start) == (member, space, at(10))
    assert booking.status == Booking.Status.CONFIRMED
    page = logged_in.get(response["Location"]).content.decode()
    assert booking.check_in_code in page
    assert "多功能厅" in page
    assert "取消预约" in page
    assert '<svg role="img"' in page  # the QR code, drawn on the server


def test_taken_slot_shows_the_error_not_a_500(logged_in: Client, space) -> None:
    book(space, at(10), at(11))
    response = post_book(logged_in, space, at(10), at(10, 30))
    assert response.status_code == 302
    assert response["Location"] == f"/spaces/{space.pk}/?day=2026-03-02"
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


def test_my_bookings_upcoming_and_past(logged_in: Client, space, member, clock) -> None:
    early = book(space, at(9), at(10), member=member)
    late = book(space, at(10), at(11), member=member)
    clock.move_to(at(10, 30))  # the first is over, the second is still on
    text = logged_in.get("/me/bookings/").content.decode()
    upcoming, past = text.split("以往预约")
    assert f"/me/bookings/{late.pk}/" in upcoming
    assert f"/me/bookings/{early.pk}/" in past
    assert "已确认" in text


def test_booking_page_has_codes_calendar_and_cancel(logged_in: Client, space, member) -> None:
    space.uses_access_codes = True
    space.save()
    booking = book(space, at(12), at(13), member=member)
    text = logged_in.get(f"/me/bookings/{booking.pk}/").content.decode()
    assert booking.check_in_code in text
    assert booking.access_code in text
    assert f'href="/me/bookings/{booking.pk}/booking.ics"' in text
    assert "3月2日 周一 11:00前可以在网上取消" in text
    assert "读给我听" in text


def test_booking_calendar_file(logged_in: Client, space, member) -> None:
    from icalendar import Calendar

    booking = book(space, at(12), at(13), member=member)
    response = logged_in.get(f"/me/bookings/{booking.pk}/booking.ics")
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(12)


def test_cancel_from_the_page(logged_in: Client, space, member) -> None:
    booking = book(space, at(12), at(13), member=member)
    response = logged_in.post(f"/me/bookings/{booking.pk}/cancel/")
    assert response.status_code == 302
    assert response["Location"] == f"/me/bookings/{booking.pk}/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert "已取消" in logged_in.get(response["Location"]).content.decode()


def test_after_the_deadline_the_page_gives_the_centers_phone(logged_in, space, member, clock):
    space.center.phone = "021-0000-0000"
    space.center.save()
    booking = book(space, at(12), at(13), member=member)
    clock.move_to(at(11, 30))
    text = logged_in.get(f"/me/bookings/{booking.pk}/").content.decode()
    assert "网上取消的期限已于3月2日 周一 11:00结束" in text
    assert 'href="tel:02100000000"' in text
    assert f'action="/me/bookings/{booking.pk}/cancel/"' not in text


def test_cancel_after_the_deadline_shows_a_message(logged_in: Client, space, member, clock):
    booking = book(space, at(12), at(13), member=member)
    clock.move_to(at(11, 30))
    response = logged_in.post(f"/me/bookings/{booking.pk}/cancel/", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert zh(errors.CancelDeadlinePassed.message) in text
    assert 'role="alert"' in text
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_another_members_booking_is_404(logged_in: Client, space) -> None:
    theirs = book(space, at(12), at(13))
    assert logged_in.get(f"/me/bookings/{theirs.pk}/").status_code == 404
    assert logged_in.get(f"/me/bookings/{theirs.pk}/booking.ics").status_code == 404
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


def test_a_family_member_books_for_the_relative(space) -> None:
    """亲友代办: under the switch the booking is the relative's, and its audit row names the
    family member who pressed the button; the relative's booking opens for him."""
    son, mother = VerifiedMemberFactory(), UserFactory(display_name="王阿姨")
    link = proxy_link_at_desk(
        proxy=son, member=mother, by=staff_at(space.center), center=space.center
    )
    client = Client()
    client.force_login(son)
    client.post(f"/me/family/{link.pk}/act/")
    response = post_book(client, space, at(10), at(11))
    booking = Booking.objects.get()
    assert response["Location"] == f"/me/bookings/{booking.pk}/"
    assert booking.member == mother
    assert booking.events.get().actor == son
    page = client.get(f"/me/bookings/{booking.pk}/").content.decode()
    assert "正在为王阿姨代办" in page
    assert ProxyLink.objects.get().actions.filter(path=f"/spaces/{space.pk}/book/").exists()
