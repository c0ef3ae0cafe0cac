"""The monthly report: ``/admin/reports/?center=<id>&month=YYYY-MM`` (several ``center``
for staff of several centers: a district, a superuser), with ``&export=csv`` or ``xlsx``."""

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking
from notifications.models import Message
from workspace import charts
from workspace.exports import Sheet, csv_response, xlsx_response
from workspace.scope import centers_for, chosen_center
from workspace.selectors.reports import Report, monthly_report
from workspace.views.common import page


def _centers(request: HttpRequest) -> list:
    values = request.GET.getlist("center")
    if not values:
        return [chosen_center(request)]
    if not all(v.isdigit() for v in values):
        raise Http404
    allowed = {c.pk: c for c in centers_for(request)}
    wanted = [int(v) for v in dict.fromkeys(values)]
    if any(pk not in allowed for pk in wanted):
        raise Http404  # another center's report is as missing as its rows
    return [allowed[pk] for pk in wanted]


def _month(request: HttpRequest, tz) -> date:
    value = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate(timezone.now(), timezone=tz).replace(day=1)


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def report_sheets(report: Report) -> list[Sheet]:
    """The report as tables: the same figures the page shows, for CSV and Excel."""
    statuses = dict(Booking.Status.choices)
    channels = dict(Message.Channel.choices)
    summary = [
        (_("Bookings"), _("all"), report.bookings),
        *[
            (_("Bookings"), str(statuses.get(s, s)), n)
            for s, n in sorted(report.bookings_by_status.items())
        ],
        (_("People"), _("members served"), report.members_served),
        (_("People"), _("visits (check-ins)"), report.visits),
        (_("People"), _("no-shows"), report.no_shows),
        (_("People"), _("no-show rate"), _pct(report.no_show_rate)),
        (_("Sessions"), _("sessions held"), report.sessions_held),
        (_("Sessions"), _("seats filled"), report.seats_filled),
        (_("Sessions"), _("seats offered"), report.seats_offered),
        (_("Points"), _("earned"), report.points_earned),
        (_("Points"), _("spent"), report.points_spent),
        *[
            (_("Messages sent"), str(channels.get(c, c)), n)
            for c, n in sorted(report.messages_by_channel.items())
        ],
    ]
    spaces = [
        (
            use.space.center.name,
            use.space.name,
            round(use.open_hours, 1),
            round(use.booked_hours, 1),
            round(use.session_hours, 1),
            _pct(use.rate),
        )
        for use in report.spaces
    ]
    programs = [
        (p.title, p.center, p.sessions, p.seats_filled, p.capacity) for p in report.programs
    ]
    days = [(day.isoformat(), n) for day, n in report.bookings_by_day.items()]
    return [
        (_("Summary"), [_("section"), _("item"), _("value")], summary),
        (
            _("Space use"),
            [
                _("center"),
                _("space"),
                _("open hours"),
                _("booked hours"),
                _("session hours"),
                _("use"),
            ],
            spaces,
        ),
        (
            _("Top programs"),
            [_("program"), _("center"), _("sessions"), _("seats filled"), _("seats")],
            programs,
        ),
        (_("Bookings per day"), [_("date"), _("bookings")], days),
    ]


def report(request: HttpRequest) -> HttpResponse:
    centers = _centers(request)
    month = _month(request, centers[0].tz)
    data = monthly_report(centers, month)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        name = f"linli-report-{month:%Y-%m}.{export}"
        respond = csv_response if export == "csv" else xlsx_response
        return respond(name, report_sheets(data))

    statuses = dict(Booking.Status.choices)
    channels = dict(Message.Channel.choices)
    by_status = charts.bars(
        [(str(statuses.get(s, s)), n, str(n)) for s, n in sorted(data.bookings_by_status.items())]
    )
    use = charts.bars(
        [(u.space.name, u.rate, _pct(u.rate)) for u in data.spaces if u.open_hours], top=1.0
    )
    by_channel = charts.bars(
        [(str(channels.get(c, c)), n, str(n)) for c, n in sorted(data.messages_by_channel.items())]
    )
    per_day = charts.columns([(str(d.day), n) for d, n in data.bookings_by_day.items()])
    query = request.GET.copy()
    query.pop("export", None)
    return page(
        request,
        "admin/workspace/report.html",
        _("Monthly report"),
        report=data,
        centers=centers,
        choices=centers_for(request),
        chosen={c.pk for c in centers},
        month=month,
        by_status=by_status,
        use=use,
        by_channel=by_channel,
        per_day=per_day,
        query=query.urlencode(),
        sheets=report_sheets(data),
    )
