"""Any admin list, as filtered on screen, as CSV or Excel: the same rows (scoped to the staff
member's centers) and the same columns."""

import csv
import io

import pytest
from openpyxl import load_workbook

from bookings.services.lifecycle import booking_cancel
from tests.factories import UserFactory, book
from tests.workspace.conftest import at, client_for

pytestmark = pytest.mark.django_db
EXPORT = "/admin/export/bookings/booking/"


def test_the_filtered_list_as_csv_and_excel(a, b, manager) -> None:
    wang = UserFactory(display_name="王阿姨", phone="+8613900001111")
    kept = book(a.room, at(10), at(11), member=wang)
    gone = book(a.room, at(12), at(13), member=wang)
    booking_cancel(booking=gone, by=manager, reason="改期")
    book(b.room, at(10), at(11), member=wang)  # another center's
    client = client_for(manager)

    listed = client.get("/admin/bookings/booking/", {"status": "confirmed"})
    assert f'href="{EXPORT}?status=confirmed&amp;format=xlsx"' in listed.content.decode()

    response = client.get(EXPORT, {"status": "confirmed", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "场地", "用户", "状态", "参加人数"]
    assert len(rows) == 2  # the confirmed booking of 甲 only
    assert rows[1][1] == "甲多功能室 甲街道社区党群服务中心"
    assert rows[1][2:4] == ["王阿姨 (139****1111)", "已确认"]

    response = client.get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    statuses = sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert statuses == ["已取消", "已确认"]
    assert sheet.title == "预约"
    assert kept.check_in_code not in response.content.decode("latin-1")


def test_lists_staff_may_not_see_are_refused(a, manager) -> None:
    client = client_for(manager)

    assert client.get("/admin/export/members/user/", {"format": "csv"}).status_code == 403
    assert client.get("/admin/export/members/nothing/", {"format": "csv"}).status_code == 404
    assert client.get(EXPORT, {"format": "pdf"}).status_code == 404
    assert client_for(UserFactory()).get(EXPORT).status_code == 302  # to the login
