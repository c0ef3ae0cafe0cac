"""Resident web pages for service programs: find a session (search, center, category, date),
see everything about it before any tap, register or join the waitlist (in a volunteer session:
sign up for one of its roles), and the member's list with check-in codes, offers to accept and
cancelling. Under 亲友代办 (``members.acting``) all of it is the relative's."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centers.selectors import active_centers
from core.errors import LinliError
from members.acting import member_of
from members.services.eligibility import eligibility_describe, member_is_free
from services import rules, selectors
from services.models import Program, Registration, Session
from services.services.registration import (
    registration_accept,
    registration_cancel,
    registration_obstacle,
    session_register,
)

PAGE_SIZE = 20
Status = Registration.Status


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def program_list(request: HttpRequest) -> HttpResponse:
    """Upcoming sessions, soonest first, narrowed by words, center, category and day."""
    now = timezone.now()
    sessions = selectors.listed_sessions().filter(status=Session.Status.SCHEDULED, start__gt=now)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        sessions = sessions.filter(
            Q(program__title__icontains=q)
            | Q(program__description__icontains=q)
            | Q(program__center__name__icontains=q)
        )
    center = request.GET.get("center", "")
    if center.isdigit():
        sessions = sessions.filter(program__center_id=int(center))
    category = request.GET.get("category", "")
    if category in Program.Category.values:
        sessions = sessions.filter(program__category=category)
    day = _date(request.GET.get("date"))
    if day is not None:
        tz = timezone.get_current_timezone()
        start = datetime.combine(day, time(0), tzinfo=tz)
        sessions = sessions.filter(start__gte=start, start__lt=start + timedelta(days=1))
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    for session in page.object_list:
        session.open_now = rules.registration_open(session, now)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "q": q,
        "center": center,
        "centers": active_centers().filter(programs__is_active=True).distinct().order_by("name"),
        "category": category,
        "categories": Program.Category.choices,
        "date": day,
        "query": query.urlencode(),
    }
    return render(request, "services/program_list.html", context)


def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(
        selectors.listed_sessions().select_related("space", "program__eligibility__team"),
        pk=session_id,
    )
    now = timezone.now()
    program = session.program
    context = {
        "session": session,
        "program": program,
        "center": program.center,
        "open_now": rules.registration_open(session, now),
        "not_yet": now < session.registration_opens,
        "eligibility": eligibility_describe(program.eligibility),
    }
    context["volunteer"] = program.kind == Program.Kind.VOLUNTEER
    if request.user.is_authenticated:
        member = member_of(request)
        mine = Registration.objects.filter(session=session, member=member).order_by("-id").first()
        mine = mine if mine and mine.status in Registration.ACTIVE else None
        context |= {
            "member": member,
            "mine": mine,
            "can_cancel_mine": mine is not None and rules.can_cancel(mine, now),
            "obstacle": registration_obstacle(session=session, member=member, now=now),
            "free_for_member": program.free_for_elderly
            and member_is_free(member, session.start.date()),
        }
    return render(request, "services/session_detail.html", context)


@login_required
@require_POST
def session_register_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(selectors.listed_sessions(), pk=session_id)
    role = None
    if request.POST.get("role"):
        # Another session's role is no role of this one (the service says so, as in the API).
        role = next((r for r in session.roles.all() if str(r.pk) == request.POST["role"]), None)
        if role is None:
            messages.error(request, _("This session has no such role."))
            return redirect("services:session", session_id=session.pk)
    try:
        registration = session_register(
            session=session, member=member_of(request), role=role, by=request.user
        )
    except LinliError as error:
        messages.error(request, str(error.detail))
        return redirect("services:session", session_id=session.pk)
    if role is not None:
        messages.success(request, _("You signed up as %(role)s. Thank you!") % {"role": role.name})
        return redirect("services:session", session_id=session.pk)
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
    registrations = list(selectors.member_registrations(member_of(request))[:50])
    for registration in registrations:
        registration.can_cancel = rules.can_cancel(registration, now)
        registration.can_accept = rules.can_accept(registration, now)
        registration.show_code = registration.status in (Status.CONFIRMED, Status.OFFERED) and (
            registration.session.end > now
        )
    return render(request, "services/my_registrations.html", {"registrations": registrations})


def _own(request: HttpRequest, registration_id: int) -> Registration:
    registration = (
        selectors.member_registrations(member_of(request)).filter(pk=registration_id).first()
    )
    if registration is None:
        raise Http404
    return registration


@login_required
@require_POST
def my_registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _own(request, registration_id)
    # From a session's page, back to it; else to the list.
    back = (
        redirect("services:session", session_id=registration.session_id)
        if request.POST.get("back") == "session"
        else redirect("services:mine")
    )
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to cancel."))
        return back
    try:
        registration_cancel(registration=registration, by=request.user)
    except LinliError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return back


@login_required
@require_POST
def my_registration_accept(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = _own(request, registration_id)
    try:
        registration_accept(registration=registration, member=member_of(request), by=request.user)
    except LinliError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("The seat is yours. See you there!"))
    return redirect("services:mine")
