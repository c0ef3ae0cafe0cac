"""The day board: a center's spaces down the side, the day's opening hours across, and what
holds each space when (bookings by status, program sessions, blackouts), with the free
stretches in between. Five queries for a center of any size."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bookings.models import Booking, SpaceHold
from bookings.services.holds import buffered
from centers.hours import Interval, merge
from centers.models import Center, Space
from centers.selectors import space_hours
from services.models import Session

DEFAULT_HOURS = (time(8), time(20))  # the axis of a day the center is closed


@dataclass
class Bar:
    """Something placed on a lane, in percent of the axis."""

    kind: str  # booking, session, blackout, free, closed
    start: datetime
    end: datetime
    left: float = 0.0
    width: float = 0.0
    status: str = ""
    label: str = ""
    obj: object = None


@dataclass
class Lane:
    space: Space
    unit: int | None  # None: a single-unit space
    bars: list[Bar] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.unit is None:
            return self.space.name
        return f"{self.space.name} · {self.space.unit_label or '#'}{self.unit}"


@dataclass
class Board:
    center: Center
    day: date
    start: datetime
    end: datetime
    lanes: list[Lane]
    ticks: list[tuple[str, float]]
    sessions_elsewhere: list[Session]
    counts: dict[str, int]


def _day_bounds(day: date, tz) -> tuple[datetime, datetime]:
    return datetime.combine(day, time(0), tzinfo=tz), datetime.combine(
        day + timedelta(days=1), time(0), tzinfo=tz
    )


def _axis(opening: list[Interval], items: list[tuple[datetime, datetime]], day: date, tz):
    """Whole hours around the day's opening hours and everything placed (clipped to the day)."""
    day_start, day_end = _day_bounds(day, tz)
    moments = [(max(i.start, day_start), min(i.end, day_end)) for i in opening]
    moments += [(max(s, day_start), min(e, day_end)) for s, e in items]
    if not moments:
        return (
            datetime.combine(day, DEFAULT_HOURS[0], tzinfo=tz),
            datetime.combine(day, DEFAULT_HOURS[1], tzinfo=tz),
        )
    first = min(s for s, _ in moments).astimezone(tz)
    last = max(e for _, e in moments).astimezone(tz)
    start = first.replace(minute=0, second=0, microsecond=0)
    end = (
        last
        if last == last.replace(minute=0, second=0, microsecond=0)
        else (last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
    )
    return start, min(end, day_end) if end > start else start + timedelta(hours=1)


def free_stretches(
    space: Space,
    opening: list[Interval],
    taken: list[tuple[datetime, datetime]],
    earliest: datetime,
) -> list[tuple[datetime, datetime]]:
    """Stretches of one unit's open time long enough for the space's shortest booking, on its
    slot grid, after ``earliest``. ``taken`` are the unit's holds as stored (a booking's with
    its buffers); a new booking keeps its own buffers clear of them."""
    before = timedelta(minutes=space.buffer_before_minutes)
    after = timedelta(minutes=space.buffer_after_minutes)
    blocked = merge(Interval(s - after, e + before) for s, e in taken)
    slot = timedelta(minutes=space.slot_minutes)
    shortest = timedelta(minutes=space.min_minutes)
    tz = space.center.tz
    free = []
    for stretch in opening:
        cursor = max(stretch.start, earliest)
        for hold in [*blocked, Interval(stretch.end, stretch.end)]:
            if hold.end <= cursor:
                continue
            gap_end = min(hold.start, stretch.end)
            if gap_end > cursor:
                # Round the start up to the slot grid, counted from local midnight.
                local = cursor.astimezone(tz)
                midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
                steps = -(-(local - midnight) // slot)
                begin = midnight + steps * slot
                if gap_end - begin >= shortest:
                    free.append((begin, gap_end))
            cursor = max(cursor, hold.end)
            if cursor >= stretch.end:
                break
    return free


def day_board(center: Center, day: date, *, now: datetime | None = None) -> Board:
    now = now or timezone.now()
    tz = center.tz
    day_start, day_end = _day_bounds(day, tz)
    spaces = list(
        Space.objects.filter(center=center, is_active=True).order_by("floor", "name", "id")
    )
    for space in spaces:
        space.center = center
    hours = space_hours(spaces, day, day) if spaces else {}
    opening = {s.id: merge(hours[s.id][0].intervals) for s in spaces}

    bookings = list(
        Booking.objects.filter(space__in=spaces, start__lt=day_end, end__gt=day_start)
        .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.REJECTED])
        .select_related("member", "team")
        .order_by("start", "id")
    )
    sessions = list(
        Session.objects.filter(
            program__center=center,
            status=Session.Status.SCHEDULED,
            start__lt=day_end,
            end__gt=day_start,
        )
        .select_related("program")
        .order_by("start", "id")
    )
    blackouts: dict[tuple[int, int, datetime], SpaceHold] = {}
    for hold in SpaceHold.objects.filter(
        space__in=spaces, blackout__isnull=False, start__lt=day_end, end__gt=day_start
    ).select_related("blackout"):
        blackouts.setdefault((hold.space_id, hold.blackout_id, hold.start), hold)

    placed = [(b.start, b.end) for b in bookings] + [(s.start, s.end) for s in sessions]
    placed += [(h.start, h.end) for h in blackouts.values()]
    # A 24-hour room would stretch the axis over the night for everyone: the axis follows the
    # other spaces' hours (and whatever is placed), unless every space is open all day.
    every = [i for intervals in opening.values() for i in intervals]
    daytime = [i for i in every if i.end - i.start < timedelta(hours=24)]
    start, end = _axis(daytime or every, placed, day, tz)
    span = (end - start).total_seconds()

    def bar(kind: str, s: datetime, e: datetime, **extra) -> Bar | None:
        s, e = max(s, start), min(e, end)
        if e <= s:
            return None
        left = (s - start).total_seconds() / span * 100
        width = (e - s).total_seconds() / span * 100
        return Bar(kind, s, e, round(left, 3), round(width, 3), **extra)

    lanes = []
    for space in spaces:
        units = list(range(1, space.units + 1))
        space_lanes = {u: Lane(space, u if space.units > 1 else None) for u in units}
        shared: list[Bar | None] = []  # sessions and blackouts hold every unit
        taken_all: list[tuple[datetime, datetime]] = []
        for session in sessions:
            if session.space_id == space.id:
                shared.append(
                    bar(
                        "session",
                        session.start,
                        session.end,
                        label=session.program.title,
                        status="session",
                        obj=session,
                    )
                )
                taken_all.append((session.start, session.end))
        for (space_id, _b, _s), hold in blackouts.items():
            if space_id == space.id:
                shared.append(
                    bar(
                        "blackout",
                        hold.start,
                        hold.end,
                        label=hold.blackout.reason,
                        status="blackout",
                        obj=hold.blackout,
                    )
                )
                taken_all.append((hold.start, hold.end))
        taken = {u: list(taken_all) for u in units}
        for booking in bookings:
            if booking.space_id == space.id and booking.unit in space_lanes:
                lane = space_lanes[booking.unit]
                lane.bars.append(
                    bar(
                        "booking",
                        booking.start,
                        booking.end,
                        status=booking.status,
                        label=_who(booking),
                        obj=booking,
                    )
                )
                if booking.status in Booking.HOLDING:
                    taken[booking.unit].append(buffered(space, booking.start, booking.end))
        closed = _closed(opening[space.id], start, end)
        for unit, lane in space_lanes.items():
            lane.bars += shared
            lane.bars += [bar("closed", s, e, status="closed") for s, e in closed]
            if space.bookable:
                earliest = max(now, day_start)
                for s, e in free_stretches(space, opening[space.id], sorted(taken[unit]), earliest):
                    lane.bars.append(bar("free", s, e, status="free"))
            lane.bars = sorted((b for b in lane.bars if b), key=lambda b: (b.start, b.kind))
            lanes.append(lane)

    ticks = []
    t = start
    while t <= end:
        ticks.append(
            (f"{t.astimezone(tz):%H:%M}", round((t - start).total_seconds() / span * 100, 3))
        )
        t += timedelta(hours=1)
    counts: dict[str, int] = {}
    for booking in bookings:
        counts[booking.status] = counts.get(booking.status, 0) + 1
    return Board(
        center=center,
        day=day,
        start=start,
        end=end,
        lanes=lanes,
        ticks=ticks,
        sessions_elsewhere=[s for s in sessions if s.space_id is None],
        counts=counts,
    )


def _who(booking: Booking) -> str:
    """A bar's label: the team, else the member's name (the tooltip and the page have more)."""
    if booking.team_id:
        return booking.team.name
    member = booking.member
    return member.display_name or member.get_full_name() or member.username


def _closed(opening: list[Interval], start: datetime, end: datetime):
    """The parts of the axis outside the opening hours."""
    gaps, cursor = [], start
    for interval in opening:
        if interval.start > cursor:
            gaps.append((cursor, min(interval.start, end)))
        cursor = max(cursor, interval.end)
    if cursor < end:
        gaps.append((cursor, end))
    return [(s, e) for s, e in gaps if e > s]
