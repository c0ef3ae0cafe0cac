"""The monthly report on a known month, each figure counted again here over the rows
themselves (in Python, not with the report's queries), and its CSV and Excel files."""

import csv
import io
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook

from bookings.models import Booking
from bookings.services.clock import bookings_release_unclaimed
from bookings.services.lifecycle import booking_cancel, booking_check_in
from members.models import PointsEntry
from members.services.points import points_adjust
from notifications.models import Message
from notifications.services import message_send
from services.models import Registration, Session
from services.services.attendance import registration_check_in, registrations_mark_no_shows
from services.services.registration import session_register
from services.services.sessions import session_cancel
from tests.factories import BookableSpaceFactory, SessionFactory, UserFactory, book
from tests.workspace.conftest import SHANGHAI, at, client_for
from workspace.charts import columns, fit
from workspace.selectors.reports import monthly_report

pytestmark = pytest.mark.django_db
JUNE = date(2026, 6, 1)
REPORTS = "/admin/reports/"


def d(day: int, month: int = 6) -> date:
    return date(2026, month, day)


@pytest.fixture
def june(a, b, manager, desk, clock):
    """A June at 甲 (and a little at 乙, which must not count)."""
    wang = UserFactory(display_name="王阿姨", phone="+8613900001111")
    li = UserFactory(display_name="李伯伯", phone="+8613900002222")
    zhao = UserFactory(display_name="赵阿姨", email="zhao@example.cn")
    a.program.points_reward = 5
    a.program.save()
    # Before June, and June's own, made on 1 June at 9:00.
    came = book(a.room, at(10, day=d(2)), at(12, day=d(2)), member=wang)
    book(a.room, at(10, day=d(3)), at(11, day=d(3)), member=li)  # nobody comes
    dropped = book(a.laundry, at(10, day=d(5)), at(11, day=d(5)), member=zhao)
    again = book(a.room, at(15, day=d(9)), at(16, day=d(9)), member=wang)
    book(a.room, at(10, day=d(1, 7)), at(11, day=d(1, 7)), member=li)  # July
    book(b.room, at(10, day=d(2)), at(11, day=d(2)), member=li)  # 乙
    held = SessionFactory(
        program=a.program, space=a.room, start=at(14, day=d(10)), end=at(16, day=d(10)), capacity=10
    )
    off = SessionFactory(program=a.program, start=at(14, day=d(20)), end=at(15, day=d(20)))
    seats = [session_register(session=held, member=m) for m in (wang, li, zhao)]
    session_cancel(session=off, by=manager, reason="讲师生病")
    booking_cancel(booking=dropped, by=zhao)
    points_adjust(member=li, delta=20, reason="志愿补录", by=manager, center=a.center)

    clock.move_to(at(9, 58, day=d(2)))
    booking_check_in(booking=came, by=desk, code=came.check_in_code, now=at(9, 58, day=d(2)))
    clock.move_to(at(10, 30, day=d(3)))
    bookings_release_unclaimed(now=at(10, 30, day=d(3)))
    clock.move_to(at(14, 55, day=d(9)))
    booking_check_in(booking=again, by=desk, code=again.check_in_code, now=at(14, 55, day=d(9)))
    clock.move_to(at(13, 50, day=d(10)))
    for seat in seats[:2]:
        registration_check_in(registration=seat, by=desk, now=at(13, 50, day=d(10)))
    clock.move_to(at(17, day=d(10)))
    registrations_mark_no_shows(now=at(17, day=d(10)))
    points_adjust(member=li, delta=-8, reason="兑换理发", by=manager, center=a.center)
    for message in Message.objects.filter(status=Message.Status.PENDING):
        message_send(message.pk, now=at(17, day=d(10)))
    clock.move_to(at(9, day=d(1, 7)))
    return a


def center_of(about) -> int | None:
    if isinstance(about, Booking):
        return about.space.center_id
    if isinstance(about, Registration):
        return about.session.program.center_id
    if isinstance(about, Session):
        return about.program.center_id
    return None


def local_month(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(SHANGHAI)
    return local.year, local.month


def test_every_figure_matches_a_count_of_the_rows(june) -> None:
    a = june
    report = monthly_report([a.center], JUNE)

    # Counted again here, row by row.
    ours = [b for b in Booking.objects.all() if b.space.center_id == a.center.pk]
    in_june = [b for b in ours if local_month(b.start) == (2026, 6)]
    by_status: dict[str, int] = {}
    for b in in_june:
        by_status[b.status] = by_status.get(b.status, 0) + 1
    assert report.bookings_by_status == by_status
    assert by_status == {"checked_in": 2, "no_show": 1, "cancelled": 1}
    assert report.bookings == 4 == sum(report.bookings_by_day.values())
    assert len(report.bookings_by_day) == 30 and report.bookings_by_day[d(2)] == 1

    seats = [
        r
        for r in Registration.objects.select_related("session__program")
        if r.session.program.center_id == a.center.pk and local_month(r.session.start) == (2026, 6)
    ]
    came = [b for b in in_june if b.checked_in_at] + [r for r in seats if r.checked_in_at]
    assert report.visits == len(came) == 4
    assert report.members_served == len({x.member_id for x in came}) == 2  # 王 twice, 李 once
    no_shows = [b for b in in_june if b.status == "no_show"] + [
        r for r in seats if r.status == "no_show"
    ]
    assert (report.no_shows, report.came_due) == (len(no_shows), len(came) + len(no_shows))
    assert (report.no_shows, report.came_due) == (2, 6)
    assert round(report.no_show_rate, 4) == round(2 / 6, 4)

    held = [
        s
        for s in Session.objects.all()
        if s.program.center_id == a.center.pk
        and s.status == "scheduled"
        and local_month(s.start) == (2026, 6)
    ]
    assert report.sessions_held == len(held) == 1
    assert (report.seats_filled, report.seats_offered) == (3, 10)
    assert [(p.title, p.sessions, p.seats_filled) for p in report.programs] == [
        ("甲养生讲堂", 1, 3)
    ]

    entries = [e for e in PointsEntry.objects.all() if e.center_id == a.center.pk]
    assert report.points_earned == sum(e.delta for e in entries if e.delta > 0) == 20 + 5 + 5
    assert report.points_spent == -sum(e.delta for e in entries if e.delta < 0) == 8

    sent = [m for m in Message.objects.all() if m.status == "sent" and m.sent_at]
    ours_sent = [m for m in sent if center_of(m.about) == a.center.pk]
    channels: dict[str, int] = {}
    for m in ours_sent:
        channels[m.channel] = channels.get(m.channel, 0) + 1
    assert report.messages_by_channel == channels
    assert set(channels) == {"sms", "email"}

    room = next(u for u in report.spaces if u.space == a.room)
    # Open 8:00–21:00 on 30 days; booked 2 + 1 + 1 hours (the no-show held its hour too);
    # the session held the room 2 hours.
    assert (room.open_hours, room.booked_hours, room.session_hours) == (13 * 30, 4, 2)
    assert round(room.rate, 5) == round(6 / 390, 5)
    laundry = next(u for u in report.spaces if u.space == a.laundry)
    assert (laundry.open_hours, laundry.booked_hours) == (13 * 30 * 3, 0)  # three washers


def test_the_page_and_its_files(june, manager) -> None:
    client = client_for(manager)
    page = client.get(REPORTS, {"center": june.center.pk, "month": "2026-06"})
    assert page.status_code == 200
    assert page.context["report"].bookings == 4
    assert "<svg" in page.content.decode()

    response = client.get(REPORTS, {"center": june.center.pk, "month": "2026-06", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["预约", "全部", "4"] in rows
    assert ["人员", "到访（签到）", "4"] in rows

    response = client.get(REPORTS, {"center": june.center.pk, "month": "2026-06", "export": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="linli-report-2026-06.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概览", "场地使用", "热门服务项目", "每日预约"]
    summary = [tuple(row) for row in book["概览"].iter_rows(values_only=True)]
    assert ("预约", "全部", 4) in summary and ("积分", "获得", 30) in summary
    days = list(book["每日预约"].iter_rows(min_row=2, values_only=True))
    assert len(days) == 30 and sum(n for _, n in days) == 4


def test_several_centers_only_among_ones_own(a, b, station, manager, other_manager) -> None:
    client = client_for(manager)

    both = client.get(REPORTS, {"center": [a.center.pk, station.pk]})
    assert both.status_code == 200 and len(both.context["centers"]) == 2
    assert client.get(REPORTS, {"center": [a.center.pk, b.center.pk]}).status_code == 404
    assert client.get(REPORTS, {"center": b.center.pk, "export": "xlsx"}).status_code == 404
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert (
        client_for(superuser).get(REPORTS, {"center": [a.center.pk, b.center.pk]}).status_code
        == 200
    )


def test_a_month_at_the_edges_counts_local_days(a, manager) -> None:
    # 7:00 on 1 July in Shanghai is 23:00 on 30 June in UTC: July here.
    canteen = BookableSpaceFactory(center=a.center, hours=[(time(6), time(21))])
    early = book(canteen, at(7, day=d(1, 7)), at(8, day=d(1, 7)))
    assert early.start.astimezone(SHANGHAI).month == 7 and early.start.utctimetuple().tm_mon == 6
    assert monthly_report([a.center], JUNE).bookings == 0
    assert monthly_report([a.center], date(2026, 7, 1)).bookings == 1


def test_charts_fit_a_tablet_and_english_labels_start_with_a_capital(june, manager) -> None:
    assert fit("awaiting approval", 22) == "awaiting approval"
    assert fit("静安寺街道社区党群服务中心", 22) == "静安寺街道社区党群服…"
    days = columns([(str(day), 0) for day in range(1, 31)])["columns"]
    assert [c.label for c in days if c.tick] == ["1", "5", "10", "15", "20", "25", "30"]

    client = client_for(manager)
    client.cookies["django_language"] = "en"
    page = client.get(REPORTS, {"center": june.center.pk, "month": "2026-06"}).content.decode()
    assert "<label>Month <input" in page and "<label>month" not in page
