"""Resident web pages for booking a space: its free times, booking one, and the member's list."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import selectors
from bookings.models import Booking
from bookings.services.create import booking_create
from bookings.services.lifecycle import booking_cancel
from centers.models import Space
from core.errors import LinliError
from core.views import bad_request

DAYS_SHOWN = 7
PAST_SHOWN = 20


def _space(space_id: int) -> Space:
    return get_object_or_404(
        Space.objects.select_related("center"),
        pk=space_id,
        is_active=True,
        center__is_active=True,
    )


def _slots(space: Space, days) -> list[dict]:
    """Each day with its bookable starts: every grid slot of a free stretch from which the
    shortest booking still fits, as (start, end) in the center's zone."""
    tz = space.center.tz
    step = timedelta(minutes=space.slot_minutes)
    length = timedelta(minutes=space.min_minutes)
    out = []
    for day in days:
        slots = []
        for stretch in day.free:
            start = stretch.start.astimezone(tz)
            while start + length <= stretch.end:
                slots.append({"start": start, "end": start + length})
                start += step
        out.append({"date": day.date, "open": bool(day.open), "slots": slots})
    return out


def space_detail(request: HttpRequest, space_id: int) -> HttpResponse:
    space = _space(space_id)
    days = []
    if space.bookable:
        today = timezone.localdate(timezone=space.center.tz)
        days = _slots(space, selectors.availability([space], today, DAYS_SHOWN)[space.id])
    return render(request, "bookings/space_detail.html", {"space": space, "days": days})


def _aware(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


@login_required
@require_POST
def space_book(request: HttpRequest, space_id: int) -> HttpResponse:
    space = _space(space_id)
    start, end = _aware(request.POST.get("start")), _aware(request.POST.get("end"))
    if start is None or end is None:
        return bad_request(request)
    try:
        booking = booking_create(member=request.user, space=space, start=start, end=end)
    except LinliError as error:
        messages.error(request, str(error.detail))
        return redirect("bookings:space", space_id=space.pk)
    if booking.status == Booking.Status.PENDING:
        messages.success(request, _("Booking received. Staff will confirm it soon."))
    else:
        messages.success(request, _("Booked. Show your check-in code when you arrive."))
    return redirect("bookings:mine")


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    bookings = selectors.member_bookings(request.user)
    upcoming = list(bookings.filter(end__gt=now).order_by("start", "id"))
    past = list(bookings.filter(end__lte=now).order_by("-start", "-id")[:PAST_SHOWN])
    for booking in upcoming:
        booking.can_cancel = booking.status in Booking.HOLDING and now <= booking.cancel_until
    return render(request, "bookings/my_bookings.html", {"upcoming": upcoming, "past": past})


@login_required
@require_POST
def my_booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = selectors.member_bookings(request.user).filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    try:
        booking_cancel(booking=booking, by=request.user)
    except LinliError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your booking has been cancelled."))
    return redirect("bookings:mine")
