"""Programs for staff: what a center offers, who may join and how registration works. Programs
have no write service (their fields are the rules the services read), so managers edit them
here, at their own centers only."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Now
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.admin_scope import CenterScopedAdmin, center_ids
from centers.permissions import Action, staff_can
from members.models import Team
from services.models import Program, Session


@admin.register(Program)
class ProgramAdmin(CenterScopedAdmin):
    center_field = "center_id"
    edit_action = Action.MANAGE_SESSIONS
    change_form_template = "admin/services/program/change_form.html"
    list_display = [
        "title",
        "center",
        "category",
        "kind",
        "mode",
        "points_cost",
        "upcoming",
        "is_active",
    ]
    list_filter = ["category", "kind", "mode", "is_active", "center"]
    list_select_related = ["center"]
    search_fields = ["title", "partner", "description"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "center",
                    "title",
                    "category",
                    "kind",
                    "description",
                    "partner",
                    "organizer_team",
                    "is_active",
                ]
            },
        ),
        (
            gettext_lazy("Who may join"),
            {
                "fields": [
                    "eligibility",
                    "verification_required",
                    "points_cost",
                    "points_reward",
                    "free_for_elderly",
                ]
            },
        ),
        (
            gettext_lazy("Registration"),
            {
                "fields": [
                    "mode",
                    "max_party_size",
                    "max_per_member_per_day",
                    "offer_hours",
                    "cancel_deadline_hours",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        upcoming = Count(
            "sessions",
            filter=Q(sessions__status=Session.Status.SCHEDULED, sessions__start__gt=Now()),
        )
        return super().get_queryset(request).annotate(upcoming_count=upcoming)

    @admin.display(description=gettext_lazy("upcoming sessions"), ordering="upcoming_count")
    def upcoming(self, program: Program) -> int:
        return program.upcoming_count

    def get_list_filter(self, request: HttpRequest):
        # The center filter would list every center's name; staff only get to see their own.
        if request.user.is_superuser:
            return self.list_filter
        return [f for f in self.list_filter if f != "center"]

    def get_readonly_fields(self, request: HttpRequest, obj: Program | None = None):
        # Its sessions hold spaces of its center: a program does not move to another.
        return ["center"] if obj is not None else []

    # A program is retired by unticking "active"; its sessions and registrations stay.
    def has_delete_permission(self, request: HttpRequest, obj: Program | None = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "organizer_team":
            teams = Team.objects.filter(is_active=True).select_related("center")
            if not request.user.is_superuser:
                teams = teams.filter(center_id__in=center_ids(request, self.edit_action))
            kwargs["queryset"] = teams.order_by("center_id", "name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def program_links(self, request: HttpRequest, program: Program) -> list[tuple[str, Any]]:
        """Where staff go from a program: its sessions, and scheduling more of them."""
        if program.category == Program.Category.HOME_VISIT:
            url = reverse("admin:services_homevisitrequest_changelist")
            return [(f"{url}?program__id__exact={program.pk}", _("Home visit requests"))]
        links = [
            (
                f"{reverse('admin:services_session_changelist')}?program={program.pk}",
                _("Sessions"),
            )
        ]
        if not (program.is_active and staff_can(request.user, self.edit_action, program.center_id)):
            return links
        query = f"?program={program.pk}"
        if program.kind == Program.Kind.APPOINTMENT:
            links.append(
                (reverse("admin:services_session_appointments") + query, _("Appointment slots"))
            )
        else:
            links.append((reverse("admin:services_session_add") + query, _("Add a session")))
            links.append((reverse("admin:services_session_series") + query, _("Weekly sessions")))
        return links

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        program = self.get_object(request, object_id)
        extra = {"program_links": self.program_links(request, program)} if program else {}
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))
