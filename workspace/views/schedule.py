"""Schedule tools: dated hours (a closure, shorter hours) with what they would strand listed
first. ``/admin/schedule/closure/?center=<id>``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from centers.models import OpeningException, Space
from centers.permissions import Action
from core.admin_kit import add_service_error
from core.errors import LinliError
from core.web import posted
from services.admin.forms import PlanConfirmForm
from services.admin.session_pages import report_outcome
from services.services.planning import plan_copy_week, sessions_create_planned
from workspace.forms import ClosureForm, CopyWeekForm
from workspace.scope import centers_for, chosen_center
from workspace.services.closures import HoursConflict, opening_exception_save, stranded_by
from workspace.views.common import page


def closure(request: HttpRequest) -> HttpResponse:
    center = chosen_center(request, Action.MANAGE_PLACES)
    spaces = Space.objects.filter(center=center, is_active=True).order_by("floor", "name")
    form = ClosureForm(posted(request), initial=request.GET.dict(), spaces=spaces)
    stranded = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        exception = OpeningException(
            center=None if data["space"] else center,
            space=data["space"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            opens=data["opens"],
            closes=data["closes"],
            note=data["note"],
        )
        found = stranded_by(exception)
        shown = {f"b{b.pk}" for b in found.bookings} | {f"s{s.pk}" for s in found.sessions}
        seen = set(request.POST.getlist("seen"))
        if found and not (data["cancel_stranded"] and seen == shown):
            if data["cancel_stranded"]:
                form.add_error(None, _("What is in the way has changed; check again."))
            stranded = found
        else:
            try:
                _saved, cancelled = opening_exception_save(
                    exception=exception,
                    by=request.user,
                    cancel_stranded=bool(found),
                    reason=data["reason"],
                )
            except HoursConflict as conflict:
                form.add_error(None, _("What is in the way has changed; check again."))
                stranded = conflict.stranded
            except LinliError as error:
                add_service_error(form, error)
                stranded = found
            else:
                messages.success(request, _("The dated hours are saved."))
                if cancelled:
                    n = len(cancelled.bookings) + len(cancelled.sessions)
                    messages.warning(
                        request,
                        ngettext(
                            "%(n)d booking or session was cancelled; members are told.",
                            "%(n)d bookings and sessions were cancelled; members are told.",
                            n,
                        )
                        % {"n": n},
                    )
                target = (
                    "admin:centers_space_change" if data["space"] else "admin:centers_center_change"
                )
                obj = data["space"] or center
                return HttpResponseRedirect(reverse(target, args=[obj.pk]))
    return page(
        request,
        "admin/workspace/closure.html",
        _("Close or change hours on dates"),
        center=center,
        centers=centers_for(request, Action.MANAGE_PLACES),
        form=form,
        stranded=stranded,
        action=f"{reverse('admin:closure')}?{urlencode({'center': center.pk})}",
    )


def copy_week(request: HttpRequest) -> HttpResponse:
    """Copy a week's sessions to another week: the plan with every conflict first, then
    ``session_create`` for each."""
    center = chosen_center(request, Action.MANAGE_SESSIONS)
    form = CopyWeekForm(posted(request), initial=request.GET.dict())
    confirm_form = PlanConfirmForm(posted(request))
    plans = None
    if request.method == "POST" and form.is_valid():
        try:
            plans = plan_copy_week(
                center=center,
                source=form.cleaned_data["source"],
                target=form.cleaned_data["target"],
            )
        except LinliError as error:
            add_service_error(form, error)
        else:
            seen = {int(v) for v in request.POST.getlist("seen_booking") if v.isdigit()}
            shown = {b.pk for p in plans if not p.taken for b in p.bookings}
            if request.POST.get("confirm") == "yes" and confirm_form.is_valid() and seen == shown:
                data = confirm_form.cleaned_data
                outcome = sessions_create_planned(
                    plans=plans,
                    by=request.user,
                    cancel_bookings=shown if data["cancel_conflicting"] else set(),
                    cancel_reason=data["cancel_reason"],
                )
                report_outcome(request, outcome)
                return HttpResponseRedirect(reverse("admin:services_session_changelist"))
            if request.POST.get("confirm") == "yes":
                form.add_error(None, _("What is in the way has changed; check again."))
            confirm_form = PlanConfirmForm()
    return page(
        request,
        "admin/workspace/copy_week.html",
        _("Copy a week's sessions"),
        center=center,
        centers=centers_for(request, Action.MANAGE_SESSIONS),
        form=form,
        plans=plans,
        confirm_form=confirm_form,
        action=f"{reverse('admin:copy_week')}?{urlencode({'center': center.pk})}",
    )
