"""A space's free times over its whole horizon (a strip of days, a grid of start times), the
confirmation page with the rules in words, and booking. Three taps from the space page to a
confirmed booking: a day, a start time, "确认预约" (the length can be changed on the way)."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import rules, selectors
from bookings.models import Booking
from bookings.services.create import booking_create
from centers.models import Space
from core.errors import LinliError
from core.views import bad_request
from members.acting import member_of
from members.services.eligibility import eligibility_describe


def _space(space_id: int) -> Space:
    return get_object_or_404(
        Space.objects.select_related("center", "eligibility__team"),
        pk=space_id,
        is_active=True,
        center__is_active=True,
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def space_detail(request: HttpRequest, space_id: int) -> HttpResponse:
    space = _space(space_id)
    context = {"space": space, "eligibility": eligibility_describe(space.eligibility)}
    if rules.is_bookable(space):
        days = selectors.booking_horizon(space)
        strip = [{"date": d.date, "open": bool(d.open), "free": bool(d.free)} for d in days]
        wanted = _date(request.GET.get("day"))
        chosen = next((d for d in days if d.date == wanted), None)
        if chosen is None:  # the first day with free time, else today
            chosen = next((d for d in days if d.free), days[0])
        index = days.index(chosen)
        context |= {
            "strip": strip,
            "chosen": chosen,
            "starts": selectors.booking_choices(space, chosen),
            "previous_day": days[index - 1].date if index > 0 else None,
            "next_day": days[index + 1].date if index + 1 < len(days) else None,
        }
    return render(request, "bookings/space_detail.html", context)


def _choice(space: Space, request: HttpRequest) -> tuple[datetime, list[datetime]] | None:
    """The start (``day`` + ``time``) asked for, if it is still bookable, with its ends."""
    day = _date(request.GET.get("day"))
    try:
        clock = time.fromisoformat(request.GET.get("time", ""))
    except ValueError:
        return None
    if day is None:
        return None
    start = datetime.combine(day, clock, tzinfo=space.center.tz)
    for d in selectors.booking_horizon(space):
        if d.date == day:
            for choice in selectors.booking_choices(space, d):
                if choice.start == start:
                    return choice.start, choice.ends
    return None


@login_required
def space_confirm(request: HttpRequest, space_id: int) -> HttpResponse:
    space = _space(space_id)
    choice = _choice(space, request) if rules.is_bookable(space) else None
    if choice is None:
        messages.error(request, _("This time can no longer be booked. Please choose another."))
        url = reverse("bookings:space", args=[space.pk])
        day = _date(request.GET.get("day"))
        return redirect(f"{url}?day={day.isoformat()}" if day else url)
    start, ends = choice
    try:
        length = int(request.GET.get("minutes", ""))
    except ValueError:
        length = 0
    end = next((e for e in ends if e - start == timedelta(minutes=length)), ends[0])
    deadline = rules.cancel_until(space, start)
    context = {
        "space": space,
        "start": start,
        "end": end,
        "lengths": [{"minutes": int((e - start).total_seconds() // 60), "end": e} for e in ends],
        "cancel_until": deadline,
        "cancel_passed": deadline < timezone.now(),
        "eligibility": eligibility_describe(space.eligibility),
    }
    return render(request, "bookings/confirm.html", context)


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
        booking = booking_create(
            member=member_of(request), space=space, start=start, end=end, by=request.user
        )
    except LinliError as error:
        messages.error(request, str(error.detail))
        day = start.astimezone(space.center.tz).date().isoformat()
        return redirect(f"{reverse('bookings:space', args=[space.pk])}?day={day}")
    if booking.status == Booking.Status.PENDING:
        messages.success(request, _("Booking received. Staff will confirm it soon."))
    else:
        messages.success(request, _("Booked. Show your check-in code when you arrive."))
    return redirect("bookings:detail", booking_id=booking.pk)
