"""Planning many sessions at once (a weekly series, a copy of last week) so that staff see
every conflict of every date before anything is saved, then creating them through
``session_create``: bookings staff saw in the way are cancelled with their reason (members are
told), dates a session or blackout holds are left out."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.conflicts import InTheWay, in_the_way
from centers.models import Center, Space
from core.errors import Invalid, LinliError
from members.models import User
from services import errors
from services.models import Program, Session
from services.services.sessions import session_create

MAX_DAYS = 366


@dataclass
class Planned:
    program: Program
    start: datetime
    end: datetime
    capacity: int
    space: Space | None = None
    registration_opens: datetime | None = None
    registration_closes: datetime | None = None
    staff: User | None = None
    note: str = ""
    skipped: str = ""  # why this date is left out before asking anything
    way: InTheWay | None = None

    @property
    def key(self) -> str:
        return f"{self.program.pk}@{self.start.isoformat()}"

    @property
    def taken(self) -> bool:
        return bool(self.way and self.way.taken)

    @property
    def bookings(self) -> list:
        return self.way.bookings if self.way else []


@dataclass
class Outcome:
    created: list[Session] = field(default_factory=list)
    skipped: list[tuple[Planned, str]] = field(default_factory=list)
    cancelled: int = 0


def _conflicts(plans: list[Planned]) -> list[Planned]:
    """What is in the way of each planned session, one query per space."""
    by_space: dict[int, list[Planned]] = defaultdict(list)
    for plan in plans:
        if plan.space is not None and not plan.skipped:
            by_space[plan.space.pk].append(plan)
    for items in by_space.values():
        found = in_the_way(items[0].space, [(p.start, p.end) for p in items])
        for plan, way in zip(items, found, strict=True):
            plan.way = way
    return plans


def plan_series(
    *,
    program: Program,
    weekday_list: list[int],
    start_time: time,
    end_time: time,
    first_date: date,
    last_date: date,
    capacity: int,
    space: Space | None = None,
    skip_dates: set[date] | None = None,
    opens_days_before: int = 7,
) -> list[Planned]:
    """One session on each chosen weekday from the first date to the last."""
    if last_date < first_date or (last_date - first_date).days > MAX_DAYS:
        raise Invalid(_("The last date must be after the first, within a year."))
    tz = program.center.tz
    plans = []
    day = first_date
    while day <= last_date:
        if day.weekday() in weekday_list:
            start = datetime.combine(day, start_time, tzinfo=tz)
            end_day = day if end_time > start_time else day + timedelta(days=1)
            plans.append(
                Planned(
                    program=program,
                    start=start,
                    end=datetime.combine(end_day, end_time, tzinfo=tz),
                    capacity=capacity,
                    space=space,
                    registration_opens=start - timedelta(days=opens_days_before),
                    skipped="skipped" if skip_dates and day in skip_dates else "",
                )
            )
        day += timedelta(days=1)
    return _conflicts(plans)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def plan_copy_week(
    *, center: Center, source: date, target: date, now: datetime | None = None
) -> list[Planned]:
    """The scheduled sessions of ``center`` in the week of ``source``, at the same weekdays and
    clock times in the week of ``target``; registration opens and closes as far ahead of the
    start as it did (not before now)."""
    now = now or timezone.now()
    tz = center.tz
    source, target = monday_of(source), monday_of(target)
    if source == target:
        raise Invalid(_("Choose another week to copy to."), fields={"target": ["="]})
    week_start = datetime.combine(source, time(0), tzinfo=tz)
    sessions = (
        Session.objects.filter(
            program__center=center,
            status=Session.Status.SCHEDULED,
            start__gte=week_start,
            start__lt=week_start + timedelta(days=7),
        )
        .select_related("program__center", "space__center", "staff")
        .order_by("start", "id")
    )
    shift = target - source
    plans = []
    for session in sessions:
        local_start, local_end = session.start.astimezone(tz), session.end.astimezone(tz)
        # Same wall-clock time in the other week (a zone's offset may differ between them).
        start = datetime.combine(local_start.date() + shift, local_start.time(), tzinfo=tz)
        end = datetime.combine(local_end.date() + shift, local_end.time(), tzinfo=tz)
        opens = max(start - (session.start - session.registration_opens), now)
        closes = start - (session.start - session.registration_closes)
        plans.append(
            Planned(
                program=session.program,
                start=start,
                end=end,
                capacity=session.capacity,
                space=session.space,
                registration_opens=opens,
                registration_closes=closes if closes > opens else start,
                staff=session.staff,
                note=session.note,
                skipped="in_past" if start <= now else "",
            )
        )
    return _conflicts(plans)


def sessions_create_planned(
    *, plans: list[Planned], by: User, cancel_bookings: set[int], cancel_reason: str = ""
) -> Outcome:
    """Create the planned sessions. A date whose bookings in the way were all shown to staff
    and chosen for cancelling cancels them (with ``cancel_reason``, members are told); any
    other conflict leaves the date out, with its reason."""
    outcome = Outcome()
    for plan in plans:
        if plan.skipped:
            outcome.skipped.append((plan, plan.skipped))
            continue
        values = {
            "program": plan.program,
            "start": plan.start,
            "end": plan.end,
            "capacity": plan.capacity,
            "by": by,
            "space": plan.space,
            "registration_opens": plan.registration_opens,
            "registration_closes": plan.registration_closes,
            "staff": plan.staff,
            "note": plan.note,
        }
        try:
            try:
                outcome.created.append(session_create(**values))
            except errors.SessionConflict as conflict:
                wanted = {b.pk for b in conflict.bookings}
                if not conflict.bookings or not wanted <= cancel_bookings:
                    raise
                outcome.created.append(
                    session_create(**values, cancel_conflicting=True, cancel_reason=cancel_reason)
                )
                outcome.cancelled += len(wanted)
        except LinliError as error:
            outcome.skipped.append((plan, error.code))
    return outcome
