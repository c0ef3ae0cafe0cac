"""A front-desk morning on a 1024x768 tablet: the day board, checking a member in by the code
typed (as a USB scanner types it) and another by the camera (Chromium's fake camera shows the
QR code on their phone; html5-qrcode reads it under the Content-Security-Policy), booking for a
walk-in with a phone number only, the lists of bookings, sessions and members fitting the
tablet, and taking the month's report away as Excel."""

import io
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from bookings.models import Booking
from centers.models import StaffAssignment
from members.models import User
from tests.browser.conftest import CHROMIUM_ARGS, TABLET
from tests.browser.helpers import horizontal_overflow, write_camera_video
from tests.factories import (
    ALL_DAY,
    BookableSpaceFactory,
    ProgramFactory,
    SessionFactory,
    StaffAssignmentFactory,
    UserFactory,
    book,
)
from tests.helpers import SHANGHAI

SHOWN = "20261128"  # the check-in code whose QR code a member holds up to the camera
# Each page's refusals by the Content-Security-Policy, also those only an event reports, go to
# the console, where the test listens across page loads.
REPORT_REFUSALS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
    "Content Security Policy refused " + event.blockedURI + " (" + event.violatedDirective + ")"));
"""


@pytest.fixture(scope="module")
def chromium_args(tmp_path_factory) -> list[str]:
    """A camera that accepts without asking and films the member's QR code."""
    video = write_camera_video(tmp_path_factory.mktemp("camera") / "phone.y4m", SHOWN)
    return [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]


@pytest.fixture
def morning(transactional_db, monkeypatch):
    # A morning whenever the test runs: the server's clock starts at 9:00 today in Shanghai and
    # runs on (the two bookings below took the rest of the day when it ran after 21:30, and the
    # walk-in found no free time). Check-in opens two hours ahead, so the next half-hour's
    # bookings can be checked in now.
    nine = datetime.combine(timezone.localdate(timezone=SHANGHAI), time(9), tzinfo=SHANGHAI)
    with time_machine.travel(nine, tick=True):
        yield _morning(monkeypatch)


def _morning(monkeypatch):
    room = BookableSpaceFactory(
        name="多功能室",
        hours=ALL_DAY,
        check_in_opens_minutes=120,
        center__name="静安寺街道社区党群服务中心",
    )
    now = timezone.localtime(timezone.now(), room.center.tz)
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(
        minutes=30 if now.minute < 30 else 60
    )
    wang = UserFactory(display_name="王阿姨", phone="+8613900001111")
    booking = book(room, start, start + timedelta(hours=1), member=wang)
    # The code on 李师傅's phone is the one the camera films (codes are otherwise random).
    monkeypatch.setattr("bookings.services.create.short_code", lambda digits: SHOWN[:digits])
    book(room, start + timedelta(hours=1), member=UserFactory(display_name="李师傅"))
    monkeypatch.undo()
    desk = StaffAssignmentFactory(
        center=room.center, role=StaffAssignment.Role.FRONT_DESK, user__display_name="前台小李"
    ).user
    SessionFactory(program=ProgramFactory(center=room.center, title="智能手机课"), space=room)
    return room, booking, desk


def list_overflow(page) -> int:
    """How many pixels an admin list is wider than its box (Django's admin scrolls the table
    inside the page rather than the page: a column off to the right is still off-screen)."""
    return page.evaluate(
        "() => { const box = document.querySelector('#changelist .results');"
        " return box.scrollWidth - box.clientWidth; }"
    )


def test_a_front_desk_morning(open_page, log_in, morning) -> None:
    room, booking, desk = morning
    page = open_page(**TABLET)
    log_in(page, desk)
    # Nothing on these pages may need what the Content-Security-Policy forbids.
    refused = []
    page.add_init_script(REPORT_REFUSALS)
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # The day board: the booking is on it, by its member's name.
    page.goto(f"/admin/day/?center={room.center.pk}")
    assert "多功能室" in page.locator("svg.board").text_content()
    assert (
        page.locator(f'svg.board a[href="/admin/bookings/booking/{booking.pk}/change/"]').count()
        == 1
    )
    assert horizontal_overflow(page) <= 0

    # The front desk: the code typed (a USB scanner types the same and presses Enter).
    page.get_by_role("link", name="前台").first.click()
    field = page.locator("#checkin-code")
    assert field.evaluate("el => el === document.activeElement")
    field.fill(booking.check_in_code)
    field.press("Enter")
    outcome = page.get_by_role("status").inner_text()
    assert outcome.startswith("已签到 ")
    assert "王阿姨" in outcome
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    assert "已签到" in page.inner_text(".arrivals")
    assert horizontal_overflow(page) <= 0

    # The camera: the scanner starts, reads the QR code held up and checks its booking in.
    page.get_by_role("button", name="用摄像头扫码").click()
    expect(page.get_by_role("status")).to_contain_text("李师傅")
    assert page.get_by_role("status").inner_text().startswith("已签到 ")
    assert Booking.objects.get(check_in_code=SHOWN).status == Booking.Status.CHECKED_IN

    # A walk-in with a phone number only, booked from the day's free times.
    page.get_by_label("手机号码").fill("139 0000 3333")
    page.get_by_label("姓名（可不填）").fill("赵阿姨")
    page.get_by_role("button", name="新建并继续").click()
    page.locator(".choices label").first.click()
    page.get_by_role("button", name="预约并确认").click()
    walk_in = User.objects.get(phone="+8613900003333")
    made = Booking.objects.get(member=walk_in)
    assert made.status == Booking.Status.CONFIRMED and made.created_by == desk
    assert made.check_in_code in page.inner_text(".messagelist")

    # The lists a front desk opens fit the tablet, each with a row in it.
    for path in ("/admin/bookings/booking/", "/admin/services/session/"):
        page.goto(path)
        assert page.locator("#result_list tbody tr").count() >= 1, path
        assert (horizontal_overflow(page), list_overflow(page)) == (0, 0), path

    # The month's report, taken away as Excel.
    page.get_by_role("link", name="报表").first.click()
    assert "月度报表" in page.inner_text("h1")
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    summary = {
        (row[0], row[1]): row[2] for row in book["概览"].iter_rows(min_row=2, values_only=True)
    }
    in_month = Booking.objects.filter(space=room, start__month=timezone.localdate().month).count()
    assert summary[("预约", "全部")] == in_month
    assert refused == []

    # Members are listed for superusers (centers share members): that list fits too.
    log_in(page, UserFactory(is_staff=True, is_superuser=True))
    page.goto("/admin/members/user/")
    assert page.locator("#result_list tbody tr").count() >= 3
    assert (horizontal_overflow(page), list_overflow(page)) == (0, 0)
