"""The session screens beyond the list and the page: a weekly series, a block of one-to-one
appointments, a session's new time or seats, its printable roster and the check-in desk. Each
page parses a form and calls one service; the service's errors come back on the form."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from centers import weekdays
from centers.permissions import Action, staff_can
from core.admin_kit import CheckInByCodeMixin, add_service_error, error_message, form_page
from core.errors import LinliError
from core.web import posted
from services import errors
from services.admin.common import (
    chosen_program,
    conflict_message,
    member_label,
    scheduling_programs,
    scheduling_spaces,
    scheduling_staff,
)
from services.admin.forms import (
    AppointmentBlockForm,
    PlanConfirmForm,
    SeriesForm,
    SessionChangeForm,
)
from services.models import Program, Registration, Session
from services.services.attendance import registration_check_in_by_code
from services.services.planning import plan_series, sessions_create_planned
from services.services.sessions import appointment_block_create, session_update

Status = Registration.Status


def sessions_of(program: Program) -> str:
    return f"{reverse('admin:services_session_changelist')}?program={program.pk}"


def skipped_reason(code: str) -> str:
    """Why a date of a series was left out, in words."""
    reasons = {
        "skipped": _("on the list of dates to skip"),
        "session_conflict": _("a session or blackout holds the space"),
    }
    return reasons.get(code) or error_message(code)


def report_outcome(request: HttpRequest, outcome) -> None:
    """What a plan's creation did, in messages (shared with the weekly series page)."""
    n = len(outcome.created)
    messages.success(
        request, ngettext("%(n)d session created.", "%(n)d sessions created.", n) % {"n": n}
    )
    if outcome.cancelled:
        messages.warning(
            request,
            ngettext(
                "%(n)d booking was cancelled; its member is told.",
                "%(n)d bookings were cancelled; their members are told.",
                outcome.cancelled,
            )
            % {"n": outcome.cancelled},
        )
    if outcome.skipped:
        dates = "; ".join(
            f"{plan.start.astimezone(plan.program.center.tz):%Y-%m-%d %H:%M} {skipped_reason(code)}"
            for plan, code in outcome.skipped
        )
        messages.warning(
            request,
            ngettext(
                "%(n)d date was skipped: %(dates)s",
                "%(n)d dates were skipped: %(dates)s",
                len(outcome.skipped),
            )
            % {"n": len(outcome.skipped), "dates": dates},
        )


class SessionPagesMixin(CheckInByCodeMixin):
    """Mixed into SessionAdmin (a ModelAdmin scoped to the staff member's centers)."""

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        pages = [
            ("series/", self.series_view, "series"),
            ("appointments/", self.appointments_view, "appointments"),
            ("<int:object_id>/edit/", self.edit_view, "edit"),
            ("<int:object_id>/roster/", self.roster_view, "roster"),
        ]
        own = [
            path(route, view(page), name=f"services_session_{name}") for route, page, name in pages
        ]
        return [*own, self.check_in_url(), *super().get_urls()]

    def _scoped_session(self, request: HttpRequest, object_id: int) -> Session:
        """The session if the staff member's centers have it; another center's is missing."""
        session = self.get_object(request, str(object_id))
        if session is None:
            raise Http404
        return session

    # --- Creating many sessions at once --------------------------------------------------------

    def series_view(self, request: HttpRequest) -> HttpResponse:
        """The same session every week (e.g. 驿心便民周周享 every Wednesday morning)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        programs = scheduling_programs(request)
        program = chosen_program(request, programs)
        form = SeriesForm(
            posted(request),
            initial=request.GET.dict(),
            programs=programs,
            spaces=scheduling_spaces(request, program),
        )
        plans, confirm_form = None, PlanConfirmForm(posted(request))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                plans = plan_series(
                    program=data["program"],
                    weekday_list=weekdays.from_mask(data["weekdays"]),
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    first_date=data["first_date"],
                    last_date=data["last_date"],
                    capacity=data["capacity"],
                    space=data["space"],
                    skip_dates=data["skip_dates"],
                )
            except LinliError as error:
                add_service_error(form, error)
            else:
                # Every conflict of every date is shown before anything is saved; the plan is
                # created once staff confirm what they saw (and nothing changed since).
                seen = {int(v) for v in request.POST.getlist("seen_booking") if v.isdigit()}
                shown = {b.pk for p in plans if not p.taken for b in p.bookings}
                troubled = any(p.skipped or p.taken or p.bookings for p in plans)
                confirmed = request.POST.get("confirm") == "yes" and confirm_form.is_valid()
                if (confirmed and seen == shown) or not troubled:
                    choice = confirm_form.cleaned_data if confirmed else {}
                    outcome = sessions_create_planned(
                        plans=plans,
                        by=request.user,
                        cancel_bookings=shown if choice.get("cancel_conflicting") else set(),
                        cancel_reason=choice.get("cancel_reason", ""),
                    )
                    for session in outcome.created:
                        self.log_addition(request, session, [{"added": {}}])
                    report_outcome(request, outcome)
                    return HttpResponseRedirect(sessions_of(data["program"]))
                if request.POST.get("confirm") == "yes":
                    form.add_error(None, _("What is in the way has changed; check again."))
                confirm_form = PlanConfirmForm()
        fieldsets = [
            (None, {"fields": ["program", "capacity", "space"]}),
            (
                gettext_lazy("When"),
                {
                    "fields": [
                        "weekdays",
                        "start_time",
                        "end_time",
                        "first_date",
                        "last_date",
                        "skip_dates",
                    ]
                },
            ),
        ]
        return form_page(
            self,
            request,
            form=form,
            fieldsets=fieldsets,
            title=_("Weekly sessions"),
            button=_("Create the sessions") if plans else _("Show the plan"),
            extra={"plans": plans, "confirm_form": confirm_form},
            lead=_(
                "One session on each chosen weekday from the first date to the last. Every "
                "date and what is in its way is shown before anything is saved."
            ),
        )

    def appointments_view(self, request: HttpRequest) -> HttpResponse:
        """A block of staff time cut into one-seat slots (法律咨询, 心理咨询)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        programs = scheduling_programs(request).filter(kind=Program.Kind.APPOINTMENT)
        program = chosen_program(request, programs)
        form = AppointmentBlockForm(
            posted(request),
            initial=request.GET.dict(),
            programs=programs,
            spaces=scheduling_spaces(request, program),
            staff=scheduling_staff(request, program),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                slots = appointment_block_create(
                    program=data["program"],
                    start=data["start"],
                    end=data["end"],
                    slot_minutes=data["slot_minutes"],
                    staff=data["staff"],
                    space=data["space"],
                    by=request.user,
                )
            except errors.SessionConflict as conflict:
                form.add_error(None, conflict_message(conflict))
            except LinliError as error:
                add_service_error(form, error)
            else:
                for slot in slots:
                    self.log_addition(request, slot, [{"added": {}}])
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d appointment slot created.",
                        "%(n)d appointment slots created.",
                        len(slots),
                    )
                    % {"n": len(slots)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(sessions_of(data["program"]))
        fieldsets = [
            (None, {"fields": ["program", "staff", "space"]}),
            (gettext_lazy("When"), {"fields": ["start", "end", "slot_minutes"]}),
        ]
        return form_page(
            self,
            request,
            form=form,
            fieldsets=fieldsets,
            title=_("Appointment slots"),
            button=_("Create the slots"),
            lead=_("The time from start to end is cut into one-to-one slots of one seat each."),
        )

    # --- One session -------------------------------------------------------------------------

    def edit_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """New time, seats or note (``session_update``): registered members are told, extra
        seats go to the waitlist at once."""
        session = self._scoped_session(request, object_id)
        if not staff_can(request.user, Action.MANAGE_SESSIONS, session.program.center_id):
            raise PermissionDenied
        page = reverse("admin:services_session_change", args=[session.pk])
        if session.status != Session.Status.SCHEDULED:
            self.message_user(request, _("A cancelled session cannot be changed."), messages.ERROR)
            return HttpResponseRedirect(page)
        initial = {name: getattr(session, name) for name in ("start", "end", "capacity", "note")}
        form = SessionChangeForm(posted(request), initial=initial)
        if request.method == "POST" and form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if not changes:
                self.message_user(request, _("Nothing was changed."), messages.INFO)
                return HttpResponseRedirect(page)
            try:
                session_update(session=session, by=request.user, **changes)
            except errors.SessionConflict as conflict:
                form.add_error(None, conflict_message(conflict))
            except LinliError as error:
                add_service_error(form, error)
            else:
                labels = [str(form.fields[name].label) for name in changes]
                self.log_change(request, session, [{"changed": {"fields": labels}}])
                self.message_user(
                    request,
                    _("Session changed; its registered members are told."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(page)
        return form_page(
            self,
            request,
            form=form,
            fieldsets=[(None, {"fields": ["start", "end", "capacity", "note"]})],
            title=_("Change time or seats"),
            button=_("Save"),
            lead=_(
                "Registered members are told of the change. Extra seats go to the waitlist at "
                "once; fewer seats than are taken is refused."
            ),
            extra={"original": session},
        )

    def roster_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The sign-in sheet to print: who holds a seat, with a column to sign."""
        session = self._scoped_session(request, object_id)
        seated = (
            session.registrations.filter(status__in=[Status.CONFIRMED, Status.CHECKED_IN])
            .select_related("member")
            .order_by("created", "id")
        )
        rows = [
            {
                "name": member_label(r.member),
                "phone": r.member.phone_masked,
                "party_size": r.party_size,
                "code": r.check_in_code,
            }
            for r in seated
        ]
        context = {
            "session": session,
            "program": session.program,
            "center": session.program.center,
            "rows": rows,
            "people": sum(row["party_size"] for row in rows),
        }
        return TemplateResponse(request, "admin/services/session/roster.html", context)

    # --- The check-in desk -------------------------------------------------------------------

    def has_check_in_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.CHECK_IN)

    check_in_template = "admin/services/session/check_in.html"
    checked_in_name = "registration"

    def check_in_by_code(self, request: HttpRequest, code: str) -> Registration:
        """The registration is found among the staff member's centers' sessions that have not
        ended."""
        return registration_check_in_by_code(by=request.user, code=code)

    def checked_in_context(self, request: HttpRequest, registration: Any) -> dict[str, Any]:
        return {"member_name": member_label(registration.member) if registration else ""}
