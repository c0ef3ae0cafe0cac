"""The member's own bookings: upcoming and past, one booking's page (QR check-in code, door
code, calendar file, cancelling until the deadline, the center's phone after it). Under 亲友代办
(``members.acting``) they are the relative's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import rules, selectors
from bookings.ics import MEDIA_TYPE, booking_ics
from bookings.models import Booking
from bookings.services.lifecycle import booking_cancel
from core.errors import LinliError
from members.acting import member_of

PAST_PAGE = 20


def _own(request: HttpRequest, booking_id: int) -> Booking:
    """The member's booking; anyone else's is a 404, as if it did not exist."""
    booking = selectors.member_bookings(member_of(request)).filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    return booking


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    bookings = selectors.member_bookings(member_of(request))
    upcoming = list(bookings.filter(end__gt=now).order_by("start", "id"))
    past = Paginator(bookings.filter(end__lte=now).order_by("-start", "-id"), PAST_PAGE)
    return render(
        request,
        "bookings/my_bookings.html",
        {"upcoming": upcoming, "past": past.get_page(request.GET.get("page"))},
    )


@login_required
def my_booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _own(request, booking_id)
    now = timezone.now()
    context = {
        "booking": booking,
        "space": booking.space,
        "center": booking.space.center,
        "can_cancel": rules.member_can_cancel(booking, now),
        "holds_time": booking.holds_time and booking.end > now,
    }
    return render(request, "bookings/booking_detail.html", context)


@login_required
def my_booking_ics(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _own(request, booking_id)
    response = HttpResponse(booking_ics(booking), content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="linli-booking-{booking.pk}.ics"'
    return response


@login_required
@require_POST
def my_booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _own(request, booking_id)
    try:
        booking_cancel(booking=booking, by=request.user)
    except LinliError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your booking has been cancelled."))
    return redirect("bookings:detail", booking_id=booking.pk)
