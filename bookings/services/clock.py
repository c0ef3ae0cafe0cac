"""Clock-driven moves, run every minute by the background jobs. Each claims its rows with
``select_for_update(skip_locked=True)``, so two workers never take the same booking, and each
move is conditional, so running a job twice changes nothing the second time."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.messages import BookingMessage
from bookings.models import AvailabilityChange, Booking
from bookings.services.lifecycle import transition
from members.services.no_shows import no_show_record
from notifications.notify import notify
from notifications.registry import clock_job, daily_job

logger = logging.getLogger(__name__)
Status = Booking.Status
BATCH = 200


def _claim(qs: QuerySet[Booking]) -> list[Booking]:
    # skip_locked: a booking another worker is moving right now is its business, not ours.
    return list(
        qs.select_for_update(skip_locked=True, of=("self",)).select_related(
            "space__center", "member"
        )[:BATCH]
    )


def _no_show(booking: Booking, now: datetime, action: str) -> None:
    booking = transition(
        booking,
        to=Status.NO_SHOW,
        allowed_from=[Status.CONFIRMED],
        action=action,
        actor=None,
    )
    no_show_record(
        member=booking.member,
        center=booking.space.center,
        cause=booking,
        occurred_at=booking.start,
    )


@clock_job
def bookings_release_unclaimed(now: datetime | None = None) -> int:
    """Confirmed bookings nobody checked in to within the space's release time: the unit is
    freed for others and the member gets a no-show."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        started = Booking.objects.filter(
            status=Status.CONFIRMED,
            space__requires_check_in=True,
            space__release_after_minutes__gt=0,
            start__lte=now,
        ).order_by("start")
        for booking in _claim(started):
            # Each space has its own release time; comparing here keeps the query portable.
            if booking.start + timedelta(minutes=booking.space.release_after_minutes) <= now:
                _no_show(booking, now, "release")
                count += 1
    return count


@clock_job
def bookings_mark_no_shows(now: datetime | None = None) -> int:
    """Spaces that never release early: at the end, unclaimed bookings are no-shows."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = Booking.objects.filter(
            status=Status.CONFIRMED,
            space__requires_check_in=True,
            space__release_after_minutes=0,
            end__lte=now,
        )
        for booking in _claim(due):
            _no_show(booking, now, "no_show")
            count += 1
    return count


@clock_job
def bookings_complete_past(now: datetime | None = None) -> int:
    """Finished bookings become completed; pending ones nobody approved in time expire."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        finished = Booking.objects.filter(end__lte=now).filter(
            Q(status=Status.CHECKED_IN) | Q(status=Status.CONFIRMED, space__requires_check_in=False)
        )
        for booking in _claim(finished):
            transition(
                booking,
                to=Status.COMPLETED,
                allowed_from=[Status.CHECKED_IN, Status.CONFIRMED],
                action="complete",
                actor=None,
            )
            count += 1
        for booking in _claim(Booking.objects.filter(status=Status.PENDING, start__lte=now)):
            transition(
                booking,
                to=Status.REJECTED,
                allowed_from=[Status.PENDING],
                action="expire",
                actor=None,
                reason=_("Not approved before the start time."),
            )
            notify(BookingMessage.REJECTED, recipient=booking.member, obj=booking)
            count += 1
    return count


@daily_job
def availability_changes_prune(now: datetime | None = None) -> int:
    """The availability versions of days gone by. Such days are never cached (a day is cached
    only once the notice period lies before it), so nothing reads their versions again; two
    days back is past in every zone."""
    now = now or timezone.now()
    deleted, _ = AvailabilityChange.objects.filter(day__lt=now.date() - timedelta(days=2)).delete()
    return deleted
