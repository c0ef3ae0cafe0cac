"""Booking a space as a resident would on a phone: the date strip, a start time, the
confirmation page, the booking page with its QR code and calendar file, cancelling; the
"读给我听" button where the browser can speak, and not where it cannot."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from bookings.models import Booking
from tests.browser.helpers import assert_accessible, decode_qr, horizontal_overflow
from tests.factories import BookableSpaceFactory

# The browser's speech synthesis is the boundary: the page's own script is under test, so
# speak() is replaced by a recorder of what it was asked to say (headless Chromium has no voice).
RECORD_SPEECH = """
window.spoken = [];
window.speechSynthesis.speak = (utterance) =>
    window.spoken.push({text: utterance.text, lang: utterance.lang});
"""


def read_aloud(page) -> dict:
    """Tap 读给我听 and return the one utterance the page asked the browser to speak."""
    page.get_by_role("button", name="读给我听").click()
    [said] = page.evaluate("() => window.spoken")
    return said


@pytest.fixture
def space():
    space = BookableSpaceFactory(name="国学讲堂", min_minutes=60, cancel_deadline_minutes=120)
    space.center.phone = "021-0000-0000"
    space.center.save()
    return space


def test_book_through_the_date_strip_and_confirmation_then_cancel(page, log_in, member, space):
    log_in(page, member)
    page.add_init_script(RECORD_SPEECH)
    page.goto(f"/spaces/{space.pk}/")
    assert_accessible(page)
    tomorrow = timezone.localdate() + timedelta(days=1)

    # Tap 1: a day in the strip. Tap 2: a start time. Tap 3: 确认预约.
    page.locator(f'.days a[href^="?day={tomorrow.isoformat()}"]').click()
    assert (
        page.locator('.days a[aria-current="date"]')
        .get_attribute("href")
        .startswith(f"?day={tomorrow.isoformat()}")
    )
    page.get_by_role("link", name="10:00", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "确认预约"
    assert "10:00–11:00" in page.inner_text("#essentials")
    assert horizontal_overflow(page) <= 0
    assert_accessible(page)
    said = read_aloud(page)
    assert said["lang"] == "zh-CN"
    for essential in ("国学讲堂", space.center.name, "10:00–11:00", "前可以在网上取消"):
        assert essential in said["text"], essential
    page.get_by_role("button", name="确认预约").click()

    booking = Booking.objects.get(member=member)
    assert page.url.endswith(f"/me/bookings/{booking.pk}/")
    assert page.get_by_role("status").first.inner_text().startswith("已完成")
    assert "已确认" in page.inner_text("main")
    assert (booking.end - booking.start) == timedelta(hours=1)

    # The QR code drawn on the server says the check-in code.
    assert decode_qr(page.locator(".qr-box svg").screenshot()) == [booking.check_in_code]
    assert_accessible(page)
    said = read_aloud(page)["text"]
    assert "已确认" in said and "10:00–11:00" in said and booking.check_in_code in said

    # The calendar file downloads and parses.
    with page.expect_download() as download:
        page.get_by_role("link", name="加入我的日历").click()
    event = Calendar.from_ical(download.value.path().read_bytes()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booking.start

    # Cancelling asks for a tick first; then the page says it is cancelled.
    page.get_by_label("是的，我要取消这个预约").check()
    page.get_by_role("button", name="取消预约").click()
    assert "已取消" in page.inner_text("main")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_a_longer_booking_is_one_tap_more(page, log_in, member, space):
    """Also: in a browser without speech synthesis, 读给我听 is not offered."""
    log_in(page, member)
    page.add_init_script("delete window.speechSynthesis")
    page.goto(f"/spaces/{space.pk}/?day={(timezone.localdate() + timedelta(days=2)).isoformat()}")
    page.get_by_role("link", name="14:00", exact=True).click()
    page.locator('.lengths a[href$="minutes=120"]').click()
    assert page.locator(".lengths a[aria-current]").inner_text().startswith("2小时")
    assert "14:00–16:00" in page.inner_text("#essentials")
    assert page.locator("button[data-speak]").is_hidden()
    page.get_by_role("button", name="确认预约").click()
    booking = Booking.objects.get(member=member)
    assert booking.end - booking.start == timedelta(hours=2)
