"""The day board page: ``/admin/day/?center=<id>&date=YYYY-MM-DD``. Drawn as SVG on the server
(no script, nothing inline for the Content-Security-Policy to forbid), printable."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking
from centers.permissions import Action, staff_can
from workspace.scope import centers_for, chosen_center
from workspace.selectors.day_board import Bar
from workspace.selectors.day_board import day_board as board_for
from workspace.views.common import chosen_day, page

LABEL_WIDTH = 170  # the SVG's own units; it scales to the page's width
TRACK_WIDTH = 830
HEAD = 26
LANE = 38


@dataclass
class Shape:
    bar: Bar
    x: float
    y: float
    w: float
    h: float
    url: str
    title: str
    text: str


def _label(bar: Bar, width: float) -> str:
    # About one CJK character per 13 units of width at the board's type size.
    room = max(int(width // 13), 0)
    text = bar.label if bar.kind != "free" else f"+ {_('free')}"
    return text if len(text) <= room else (text[: max(room - 1, 0)] + "…" if room > 1 else "")


def _shape(bar: Bar, y: float, space_id: int, center_id: int, day: str, can_book: bool) -> Shape:
    x = LABEL_WIDTH + bar.left / 100 * TRACK_WIDTH
    w = max(bar.width / 100 * TRACK_WIDTH, 2)
    tz_time = f"{timezone.localtime(bar.start):%H:%M}–{timezone.localtime(bar.end):%H:%M}"
    url, title = "", tz_time
    if bar.kind == "booking":
        booking: Booking = bar.obj
        url = reverse("admin:bookings_booking_change", args=[booking.pk])
        title = f"{tz_time} {booking.member} · {booking.get_status_display()}"
    elif bar.kind == "session":
        url = reverse("admin:services_session_change", args=[bar.obj.pk])
        title = f"{tz_time} {bar.label}"
    elif bar.kind == "blackout":
        url = reverse("admin:bookings_blackout_change", args=[bar.obj.pk])
        title = f"{tz_time} {_('blackout')}: {bar.label}"
    elif bar.kind == "free":
        title = f"{tz_time} {_('free')}"
        if can_book:
            query = urlencode(
                {
                    "center": center_id,
                    "date": day,
                    "space": space_id,
                    "start": f"{timezone.localtime(bar.start):%H:%M}",
                }
            )
            url = f"{reverse('admin:front_desk')}?{query}#walk-in"
            title = f"{tz_time} {_('free: book for someone')}"
    elif bar.kind == "closed":
        title = f"{tz_time} {_('closed')}"
    return Shape(bar, round(x, 1), y, round(w, 1), LANE - 8, url, title, _label(bar, w))


def day_board(request: HttpRequest) -> HttpResponse:
    center = chosen_center(request)
    day = chosen_day(request, center)
    with timezone.override(center.tz):
        board = board_for(center, day)
        can_book = staff_can(request.user, Action.MANAGE_BOOKINGS, center.pk)
        lanes = []
        for i, lane in enumerate(board.lanes):
            y = HEAD + i * LANE
            shapes = []
            for bar in lane.bars:
                shapes.append(
                    _shape(bar, y + 4, lane.space.pk, center.pk, day.isoformat(), can_book)
                )
            lanes.append({"lane": lane, "y": y, "text_y": y + LANE / 2 + 5, "shapes": shapes})
        ticks = [
            {"label": label, "x": round(LABEL_WIDTH + left / 100 * TRACK_WIDTH, 1)}
            for label, left in board.ticks
        ]
        height = HEAD + LANE * len(lanes) + 4
        now_x = None
        now = timezone.now()
        if board.start <= now < board.end:
            now_x = round(
                LABEL_WIDTH
                + (now - board.start).total_seconds()
                / (board.end - board.start).total_seconds()
                * TRACK_WIDTH,
                1,
            )
        statuses = dict(Booking.Status.choices)
        counts = [(statuses[s], n, s) for s, n in board.counts.items()]

    def link(**params) -> str:
        query = {"center": center.pk, "date": day.isoformat(), **params}
        return f"{reverse('admin:day_board')}?{urlencode(query)}"

    return page(
        request,
        "admin/workspace/day_board.html",
        _("Day board"),
        board=board,
        center=center,
        centers=centers_for(request),
        day=day,
        lanes=lanes,
        ticks=ticks,
        width=LABEL_WIDTH + TRACK_WIDTH + 16,  # room for the last hour's label
        label_width=LABEL_WIDTH,
        height=height,
        now_x=now_x,
        counts=counts,
        previous=link(date=(day - timedelta(days=1)).isoformat()),
        next=link(date=(day + timedelta(days=1)).isoformat()),
        today=f"{reverse('admin:day_board')}?{urlencode({'center': center.pk})}",
        can_book=can_book,
        can_check_in=staff_can(request.user, Action.CHECK_IN, center.pk),
        can_manage_places=staff_can(request.user, Action.MANAGE_PLACES, center.pk),
    )
