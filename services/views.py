"""Resident web pages for service programs: sessions to register for, and the member's list."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import LinliError
from services import selectors
from services.models import Registration, Session
from services.services.registration import (
    registration_accept,
    registration_cancel,
    session_register,
)

SESSIONS_PER_PROGRAM = 5
Status = Registration.Status


def program_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    programs = list(
        selectors.active_programs(now).prefetch_related(None).order_by("center_id", "title")
    )
    upcoming = selectors.listed_sessions().filter(
        status=Session.Status.SCHEDULED, start__gt=now, program__in=programs
    )
    by_program = defaultdict(list)
    for session in upcoming:
        if len(by_program[session.program_id]) < SESSIONS_PER_PROGRAM:
            session.open_now = selectors.registration_open(session, now)
            by_program[session.program_id].append(session)
    for program in programs:
        program.upcoming = by_program[program.id]
    return render(request, "services/program_list.html", {"programs": programs})


@login_required
@require_POST
def session_register_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(selectors.listed_sessions(), pk=session_id)
    try:
        registration = session_register(session=session, member=request.user)
    except LinliError as error:
        messages.error(request, str(error.detail))
        return redirect("services:programs")
    if registration.status == Status.CONFIRMED:
        messages.success(request, _("You are registered. See you there!"))
    elif registration.status == Status.WAITLISTED:
        messages.success(
            request,
            _("The session is full. You are number %(n)d on the waitlist.")
            % {"n": registration.position},
        )
    else:
        messages.success(request, _("You are entered in the lottery. We will tell you the result."))
    return redirect("services:mine")


@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    registrations = list(selectors.member_registrations(request.user)[:50])
    for registration in registrations:
        registration.can_cancel = (
            registration.status in Registration.ACTIVE
            and registration.status != Status.CHECKED_IN
            and now < registration.session.start
        )
        registration.can_accept = registration.status == Status.OFFERED and (
            registration.offer_expires_at is None or now < registration.offer_expires_at
        )
    return render(request, "services/my_registrations.html", {"registrations": registrations})


def _own(request: HttpRequest, registration_id: int) -> Registration:
    registration = selectors.member_registrations(request.user).filter(pk=registration_id).first()
    if registration is None:
        raise Http404
    return registration


@login_required
@require_POST
def my_registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _own(request, registration_id)
    try:
        registration_cancel(registration=registration, by=request.user)
    except LinliError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect("services:mine")


@login_required
@require_POST
def my_registration_accept(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _own(request, registration_id)
    try:
        registration_accept(registration=registration, member=request.user)
    except LinliError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("The seat is yours. See you there!"))
    return redirect("services:mine")
