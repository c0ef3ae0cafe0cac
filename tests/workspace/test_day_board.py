"""The day board: what holds each space when, placed on the day's hours, and who may see it."""

from datetime import timedelta

import pytest

from bookings.models import Booking
from bookings.services.blackouts import blackout_create
from bookings.services.lifecycle import booking_cancel, booking_check_in
from tests.factories import SessionFactory, UserFactory, book
from tests.workspace.conftest import MONDAY, at, client_for
from workspace.selectors.day_board import day_board

pytestmark = pytest.mark.django_db
BOARD = "/admin/day/"


def bars(board, kind: str) -> list:
    return [(lane.label, bar) for lane in board.lanes for bar in lane.bars if bar.kind == kind]


def test_bookings_sessions_and_blackouts_are_placed_by_time(a, manager) -> None:
    member = UserFactory(display_name="王阿姨", phone="+8613900001111")
    morning = book(a.room, at(10), at(11), member=member)
    checked = book(a.room, at(9), at(10), member=UserFactory(display_name="李伯伯"))
    booking_check_in(booking=checked, by=manager, code=checked.check_in_code, now=at(9))
    cancelled = book(a.room, at(15), at(16))
    booking_cancel(booking=cancelled, by=manager, reason="改期")
    SessionFactory(program=a.program, space=a.room, start=at(13), end=at(14, 30))
    blackout_create(space=a.room, start=at(19), end=at(21), reason="消防检查", by=manager)
    washer = book(a.laundry, at(11), at(12))

    board = day_board(a.center, MONDAY, now=at(9))

    # The axis is the day's opening hours, 8:00–21:00: 13 hours.
    assert (board.start, board.end) == (at(8), at(21))
    room_bars = {(b.kind, b.status, b.start, b.end) for b in board.lanes[0].bars}
    assert board.lanes[0].label == "甲多功能室"
    assert ("booking", "confirmed", at(10), at(11)) in room_bars
    assert ("booking", "checked_in", at(9), at(10)) in room_bars
    assert ("session", "session", at(13), at(14, 30)) in room_bars
    assert ("blackout", "blackout", at(19), at(21)) in room_bars
    # A cancelled booking frees its time: it is not on the board, and the time shows free.
    assert not any(b.obj == cancelled for _, b in bars(board, "booking"))
    # Placement in percent of the axis: 10:00 is 2/13 of the way, an hour is 1/13 wide.
    placed = next(b for b in board.lanes[0].bars if b.obj == morning)
    assert (placed.left, placed.width) == (round(2 / 13 * 100, 3), round(1 / 13 * 100, 3))
    assert placed.label == "王阿姨"  # the tooltip and the booking say more
    # Free stretches between what holds the room, from now on.
    free = [(b.start, b.end) for b in board.lanes[0].bars if b.kind == "free"]
    assert free == [(at(11), at(13)), (at(14, 30), at(19))]
    # Three washers, three lanes; the booking took the first.
    washer_lanes = [lane for lane in board.lanes if lane.space == a.laundry]
    assert [lane.label for lane in washer_lanes] == [
        "甲洗衣房 · 洗衣机1",
        "甲洗衣房 · 洗衣机2",
        "甲洗衣房 · 洗衣机3",
    ]
    assert [b.obj for b in washer_lanes[washer.unit - 1].bars if b.kind == "booking"] == [washer]
    assert board.counts == {"confirmed": 2, "checked_in": 1}
    assert Booking.objects.count() == 4


def test_a_session_and_a_blackout_hold_every_unit(a, manager) -> None:
    SessionFactory(program=a.program, space=a.laundry, start=at(10), end=at(11))

    board = day_board(a.center, MONDAY, now=at(9))

    for lane in (lane for lane in board.lanes if lane.space == a.laundry):
        assert [(b.start, b.end) for b in lane.bars if b.kind == "session"] == [(at(10), at(11))]


def test_closed_hours_and_the_past_are_not_free(a) -> None:
    board = day_board(a.center, MONDAY, now=at(12, 10))

    free = [(b.start, b.end) for b in board.lanes[0].bars if b.kind == "free"]
    assert free == [(at(12, 30), at(21))]  # on the 30-minute grid, after now
    tomorrow = day_board(a.center, MONDAY + timedelta(days=1), now=at(12, 10))
    assert [(b.start, b.end) for b in tomorrow.lanes[0].bars if b.kind == "free"] == [
        (at(8, day=MONDAY + timedelta(days=1)), at(21, day=MONDAY + timedelta(days=1)))
    ]


def test_the_page_links_each_bar_and_the_free_time_to_the_front_desk(a, desk) -> None:
    booking = book(a.room, at(10), at(11))

    page = client_for(desk).get(BOARD, {"center": a.center.pk, "date": "2026-06-01"})

    assert page.status_code == 200
    html = page.content.decode()
    assert f"/admin/bookings/booking/{booking.pk}/change/" in html
    assert "/admin/front-desk/?center=" in html and f"space={a.room.pk}" in html
    assert "2026-05-31" in html and "2026-06-02" in html  # previous and next day


def test_viewers_see_the_board_but_get_no_booking_links(a, viewer) -> None:
    page = client_for(viewer).get(BOARD, {"center": a.center.pk}).content.decode()

    assert "甲多功能室" in page
    assert "/admin/front-desk/?center=" not in page


def test_staff_see_only_their_own_centers(a, b, station, manager, other_manager) -> None:
    client = client_for(manager)

    assert client.get(BOARD, {"center": station.pk}).status_code == 200
    assert client.get(BOARD, {"center": b.center.pk}).status_code == 404
    assert client.get(BOARD, {"center": "x"}).status_code == 404
    assert "乙" not in client.get(BOARD).content.decode()
    assert client_for(other_manager).get(BOARD, {"center": a.center.pk}).status_code == 404


def test_members_and_strangers_are_sent_to_log_in(a) -> None:
    assert client_for(UserFactory()).get(BOARD).status_code == 302
    assert client_for(UserFactory(is_staff=True)).get(BOARD).status_code == 404


def test_the_header_links_the_front_desk_only_for_those_who_check_in(a, desk, viewer) -> None:
    assert 'href="/admin/front-desk/"' in client_for(desk).get("/admin/").content.decode()
    assert 'href="/admin/front-desk/"' not in client_for(viewer).get("/admin/").content.decode()
