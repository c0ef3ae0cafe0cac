"""The monthly report of one or more centers: what was booked, who came, how full the spaces
and sessions were, points and messages. Every figure is a count or a sum over rows a test can
count again; the month's bounds are local midnights in the centers' zone."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from bookings.models import Booking
from centers.hours import merge
from centers.models import Center, Space
from centers.selectors import space_hours
from members.models import PointsEntry
from notifications.models import Message
from services.models import Registration, Session

Status = Booking.Status
# Bookings that held their time (whether or not the member came): the hours they count.
HELD = [Status.PENDING, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW]
TOP_PROGRAMS = 5


@dataclass
class SpaceUse:
    space: Space
    open_hours: float  # opening hours in the month times the units
    booked_hours: float  # unit-hours held by bookings
    session_hours: float  # unit-hours held by program sessions

    @property
    def rate(self) -> float:
        used = self.booked_hours + self.session_hours
        return used / self.open_hours if self.open_hours else 0.0


@dataclass
class ProgramUse:
    title: str
    center: str
    sessions: int
    seats_filled: int
    capacity: int


@dataclass
class Report:
    centers: list[Center]
    month: date
    start: datetime
    end: datetime
    bookings_by_status: dict[str, int] = field(default_factory=dict)
    bookings_by_day: dict[date, int] = field(default_factory=dict)
    members_served: int = 0
    visits: int = 0
    no_shows: int = 0
    came_due: int = 0
    sessions_held: int = 0
    seats_filled: int = 0
    seats_offered: int = 0
    spaces: list[SpaceUse] = field(default_factory=list)
    programs: list[ProgramUse] = field(default_factory=list)
    points_earned: int = 0
    points_spent: int = 0
    messages_by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def bookings(self) -> int:
        return sum(self.bookings_by_status.values())

    @property
    def no_show_rate(self) -> float:
        return self.no_shows / self.came_due if self.came_due else 0.0

    @property
    def fill_rate(self) -> float:
        return self.seats_filled / self.seats_offered if self.seats_offered else 0.0

    @property
    def messages(self) -> int:
        return sum(self.messages_by_channel.values())


def month_bounds(month: date, tz) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time(0), tzinfo=tz),
        datetime.combine(following, time(0), tzinfo=tz),
    )


def _overlap_hours(start: datetime, end: datetime, lo: datetime, hi: datetime) -> float:
    return max((min(end, hi) - max(start, lo)).total_seconds(), 0) / 3600


def monthly_report(centers: list[Center], month: date, now: datetime | None = None) -> Report:
    """The report of ``centers`` for the calendar month of ``month``. Bookings and sessions
    belong to the month they start in; check-ins, no-shows and seats to their booking's or
    session's month; points and messages to the month they were written or sent."""
    now = now or timezone.now()
    tz = centers[0].tz
    start, end = month_bounds(month, tz)
    report = Report(centers=centers, month=start.date(), start=start, end=end)
    ids = [c.pk for c in centers]

    bookings = Booking.objects.filter(space__center__in=ids, start__gte=start, start__lt=end)
    report.bookings_by_status = dict(
        bookings.values_list("status").annotate(n=Count("id")).order_by()
    )
    by_day: Counter = Counter()
    for moment in bookings.values_list("start", flat=True):
        by_day[moment.astimezone(tz).date()] += 1
    day, last = start.date(), (end - timedelta(days=1)).date()
    while day <= last:  # every day of the month, the quiet ones too
        report.bookings_by_day[day] = by_day[day]
        day += timedelta(days=1)

    registrations = Registration.objects.filter(
        session__program__center__in=ids, session__start__gte=start, session__start__lt=end
    )
    came_bookings = bookings.filter(checked_in_at__isnull=False)
    came_seats = registrations.filter(checked_in_at__isnull=False)
    report.visits = came_bookings.count() + came_seats.count()
    report.members_served = len(
        set(came_bookings.values_list("member_id", flat=True))
        | set(came_seats.values_list("member_id", flat=True))
    )
    report.no_shows = (
        bookings.filter(status=Status.NO_SHOW).count()
        + registrations.filter(status=Registration.Status.NO_SHOW).count()
    )
    report.came_due = report.visits + report.no_shows

    held = Session.objects.filter(
        program__center__in=ids,
        status=Session.Status.SCHEDULED,
        start__gte=start,
        start__lt=end,
        end__lte=now,
    )
    totals = held.aggregate(n=Count("id"), filled=Sum("seats_taken"), offered=Sum("capacity"))
    report.sessions_held = totals["n"]
    report.seats_filled = totals["filled"] or 0
    report.seats_offered = totals["offered"] or 0
    report.programs = [
        ProgramUse(
            row["program__title"],
            row["program__center__name"],
            row["n"],
            row["filled"],
            row["offered"],
        )
        for row in held.values("program_id", "program__title", "program__center__name")
        .annotate(n=Count("id"), filled=Sum("seats_taken"), offered=Sum("capacity"))
        .order_by("-filled", "program__title")[:TOP_PROGRAMS]
    ]

    report.spaces = _space_use(ids, start, end)

    points = PointsEntry.objects.filter(center__in=ids, created__gte=start, created__lt=end)
    report.points_earned = points.filter(delta__gt=0).aggregate(s=Sum("delta"))["s"] or 0
    report.points_spent = -(points.filter(delta__lt=0).aggregate(s=Sum("delta"))["s"] or 0)

    from notifications.admin import about_centers  # the one map from a message to its center

    sent = Message.objects.filter(
        about_centers(set(ids)),
        status=Message.Status.SENT,
        sent_at__gte=start,
        sent_at__lt=end,
    )
    report.messages_by_channel = dict(
        sent.values_list("channel").annotate(n=Count("id")).order_by()
    )
    return report


def _space_use(center_ids: list[int], start: datetime, end: datetime) -> list[SpaceUse]:
    spaces = list(
        Space.objects.filter(center__in=center_ids, is_active=True)
        .select_related("center")
        .order_by("center_id", "floor", "name")
    )
    if not spaces:
        return []
    first, last = start.date(), (end - timedelta(days=1)).date()
    hours = space_hours(spaces, first - timedelta(days=1), last)
    booked: Counter = Counter()
    for space_id, s, e in Booking.objects.filter(
        space__in=spaces, status__in=HELD, start__lt=end, end__gt=start
    ).values_list("space_id", "start", "end"):
        booked[space_id] += _overlap_hours(s, e, start, end)
    in_sessions: Counter = Counter()
    for space_id, s, e in Session.objects.filter(
        space__in=spaces, status=Session.Status.SCHEDULED, start__lt=end, end__gt=start
    ).values_list("space_id", "start", "end"):
        in_sessions[space_id] += _overlap_hours(s, e, start, end)
    found = []
    for space in spaces:
        opening = merge(i for day in hours[space.id] for i in day.intervals)
        open_hours = sum(_overlap_hours(i.start, i.end, start, end) for i in opening)
        found.append(
            SpaceUse(
                space=space,
                open_hours=open_hours * space.units,
                booked_hours=booked[space.id],
                session_hours=in_sessions[space.id] * space.units,
            )
        )
    return found
