"""Home-visit requests (预约上门服务) for staff: members ask, a manager schedules the visit with a
staff member of the center and a time (``home_visit_schedule``, which tells the member)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from centers.admin_scope import CenterScopedAdmin
from centers.permissions import Action, staff_can
from centers.selectors import center_staff
from core.admin_kit import confirm_page, confirmed, redirect_back
from core.errors import LinliError
from services.admin.common import ProgramListFilter, member_label, visible_programs
from services.admin.forms import HomeVisitScheduleForm
from services.models import HomeVisitRequest, Program
from services.services.home_visits import home_visit_schedule

Status = HomeVisitRequest.Status


class HomeVisitProgramFilter(ProgramListFilter):
    def programs(self, request: HttpRequest) -> QuerySet[Program]:
        return visible_programs(request).filter(category=Program.Category.HOME_VISIT)


@admin.register(HomeVisitRequest)
class HomeVisitRequestAdmin(CenterScopedAdmin):
    center_field = "program__center_id"
    edit_action = Action.MANAGE_SESSIONS
    change_form_template = "admin/change_form_with_actions.html"
    list_display = [
        "requested",
        "requester",
        "program",
        "address",
        "preferred_time",
        "status",
        "assignee",
        "scheduled_at",
    ]
    list_filter = ["status", HomeVisitProgramFilter]
    list_select_related = ["program__center", "member", "assignee"]
    search_fields = ["member__username", "member__phone", "address"]
    ordering = ["-created", "-id"]
    actions = ["schedule"]
    fields = [
        "program",
        "requester",
        "address",
        "preferred_time",
        "notes",
        "requested",
        "status",
        "assignee",
        "scheduled_at",
    ]
    readonly_fields = ["requester", "requested"]

    # Members make requests (the API); staff change them only through the schedule action.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_manage_sessions_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.MANAGE_SESSIONS)

    @admin.display(description=gettext_lazy("member"), ordering="member__username")
    def requester(self, visit: HomeVisitRequest) -> str:
        return member_label(visit.member)

    @admin.display(description=gettext_lazy("requested"), ordering="created")
    def requested(self, visit: HomeVisitRequest) -> str:
        return f"{timezone.localtime(visit.created):%Y-%m-%d %H:%M}"

    @admin.action(description=gettext_lazy("Schedule the visit…"), permissions=["manage_sessions"])
    def schedule(
        self, request: HttpRequest, queryset: QuerySet[HomeVisitRequest]
    ) -> HttpResponse | None:
        visits = list(queryset.select_related("program__center", "member"))
        staff = center_staff({visit.program.center_id for visit in visits})
        form = HomeVisitScheduleForm(request.POST if confirmed(request) else None, staff=staff)
        if not form.is_valid():
            return confirm_page(
                self,
                request,
                visits,
                form=form,
                action="schedule",
                title=_("Schedule home visits"),
                button=_("Schedule"),
            )
        assignee, when = form.cleaned_data["assignee"], form.cleaned_data["when"]
        count = 0
        for visit in visits:
            # The service checks again (the role, and that the assignee works there); asking
            # first gives staff a message in words.
            if not staff_can(request.user, Action.MANAGE_SESSIONS, visit.program.center_id):
                self.message_user(
                    request,
                    _("%(visit)s: your role at this center does not allow this.")
                    % {"visit": visit},
                    messages.ERROR,
                )
                continue
            try:
                home_visit_schedule(request=visit, by=request.user, assignee=assignee, when=when)
            except LinliError as error:
                self.message_user(request, f"{visit}: {error.detail}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(n)d home visit scheduled; the member is told.",
                    "%(n)d home visits scheduled; the members are told.",
                    count,
                )
                % {"n": count},
                messages.SUCCESS,
            )
        return redirect_back(request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        visit = self.get_object(request, object_id)
        actions = []
        if (
            visit is not None
            and visit.status in (Status.REQUESTED, Status.SCHEDULED)
            and staff_can(request.user, Action.MANAGE_SESSIONS, visit.program.center_id)
        ):
            actions = [("schedule", self.schedule.short_description)]
        extra = {"object_actions": actions}
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))
