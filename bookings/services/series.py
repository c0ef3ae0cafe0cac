from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import errors
from bookings.models import Booking, BookingSeries
from bookings.services.create import booking_create
from bookings.services.lifecycle import booking_cancel
from centers import weekdays
from centers.models import Space
from centers.permissions import Action, staff_can
from core.errors import Invalid, LinliError
from members.errors import NotEligible
from members.models import Team, User
from members.services.teams import member_leads

MAX_SERIES_DAYS = 366


@dataclass
class SeriesResult:
    series: BookingSeries
    created: list[Booking] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)  # (date, error code)


def booking_series_create(
    *,
    space: Space,
    member: User,
    by: User,
    weekday_list: list[int],
    start_time: time,
    end_time: time,
    first_date: date,
    last_date: date,
    purpose: str,
    team: Team | None = None,
) -> SeriesResult:
    """Weekly bookings on the chosen days from ``first_date`` to ``last_date``. Staff and team
    leaders only. Each date is booked on its own; dates that fail (taken, closed, ...) are
    skipped and reported with their error code."""
    is_staff = staff_can(by, Action.MANAGE_BOOKINGS, space.center_id)
    if not is_staff and not (
        team is not None and by.pk == member.pk and member_leads(member, team)
    ):
        raise NotEligible(_("Only staff and team leaders can make recurring bookings."))
    if not weekday_list or any(d not in range(7) for d in weekday_list):
        raise Invalid(_("Choose the weekdays."), fields={"weekdays": [_("Choose the weekdays.")]})
    if last_date < first_date or (last_date - first_date).days > MAX_SERIES_DAYS:
        raise Invalid(
            _("The last date must be after the first, within a year."),
            fields={"last_date": [_("Within a year of the first date.")]},
        )
    # One transaction: a series none of whose dates could be booked leaves nothing behind.
    with transaction.atomic():
        series = BookingSeries.objects.create(
            space=space,
            member=member,
            team=team,
            weekdays=weekdays.to_mask(weekday_list),
            start_time=start_time,
            end_time=end_time,
            first_date=first_date,
            last_date=last_date,
            purpose=purpose,
            created_by=by,
        )
        result = SeriesResult(series)
        tz = space.center.tz
        day = first_date
        while day <= last_date:
            if day.weekday() in weekday_list:
                start = datetime.combine(day, start_time, tzinfo=tz)
                end_day = day if end_time > start_time else day + timedelta(days=1)
                end = datetime.combine(end_day, end_time, tzinfo=tz)
                try:
                    booking = booking_create(
                        member=member,
                        space=space,
                        start=start,
                        end=end,
                        purpose=purpose,
                        team=team,
                        by=by,
                        series=series,
                    )
                    result.created.append(booking)
                except LinliError as error:
                    result.skipped.append((day, error.code))
            day += timedelta(days=1)
        if not result.created:
            # A series with no booking would list as made while holding nothing: refuse it,
            # saying why its dates failed (the rollback keeps nothing of it).
            raise errors.SeriesEmpty(result.skipped)
    return result


def booking_series_cancel(
    *, series: BookingSeries, by: User, reason: str = "", now: datetime | None = None
) -> list[Booking]:
    """Cancel every future booking of the series that still holds time. A booking under way
    stays; a missing reason or permission fails the whole call (nothing is cancelled)."""
    now = now or timezone.now()
    cancelled = []
    with transaction.atomic():
        for booking in series.bookings.filter(
            status__in=Booking.HOLDING, start__gt=now
        ).select_related("space__center", "member"):
            try:
                cancelled.append(booking_cancel(booking=booking, by=by, reason=reason, now=now))
            except (errors.CancelDeadlinePassed, errors.NotCancellable):
                continue  # the leader's own booking past its deadline, or just moved: leave it
    return cancelled
