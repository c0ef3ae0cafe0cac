"""Volunteer roles for staff: the roles of a volunteer session (on its page, and in a list of
their own), adding one and changing its seats, each through the volunteering services."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.admin_scope import CenterScopedAdmin, CenterScopedInline, center_ids
from centers.permissions import Action
from core.admin_kit import ReadOnlyInline, ServiceAddMixin
from core.errors import LinliError
from services.models import Program, Session, VolunteerRole
from services.services.volunteering import volunteer_role_add, volunteer_role_change


class VolunteerRoleForm(forms.Form):
    session = forms.ModelChoiceField(
        queryset=Session.objects.none(), label=VolunteerRole._meta.get_field("session").verbose_name
    )
    name = forms.CharField(
        max_length=50,
        label=VolunteerRole._meta.get_field("name").verbose_name,
        help_text=gettext_lazy("e.g. 理发, 扦脚, 眼镜护理"),
    )
    seats = forms.IntegerField(
        min_value=1, max_value=999, label=VolunteerRole._meta.get_field("seats").verbose_name
    )

    def __init__(self, *args: Any, sessions: QuerySet[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class VolunteerRoleInline(ReadOnlyInline, CenterScopedInline, admin.TabularInline):
    """A volunteer session's roles and how many have signed up for each."""

    model = VolunteerRole
    parent_center_field = "program__center_id"
    fields = ["name", "seats", "seats_taken"]
    readonly_fields = fields


@admin.register(VolunteerRole)
class VolunteerRoleAdmin(ServiceAddMixin, CenterScopedAdmin):
    center_field = "session__program__center_id"
    edit_action = Action.MANAGE_SESSIONS
    list_display = ["session", "name", "seats", "seats_taken"]
    list_select_related = ["session__program__center"]
    search_fields = ["name", "session__program__title"]
    ordering = ["-session__start", "id"]
    fields = ["session", "name", "seats", "seats_taken"]
    readonly_fields = ["session", "name", "seats_taken"]
    add_form_class = VolunteerRoleForm
    add_fieldsets = [(None, {"fields": ["session", "name", "seats"]})]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # sign-ups point at it; a role is emptied by cancelling them

    def get_add_form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        sessions = Session.objects.filter(
            program__kind=Program.Kind.VOLUNTEER,
            status=Session.Status.SCHEDULED,
            start__gt=timezone.now(),
        ).select_related("program__center")
        if not request.user.is_superuser:
            sessions = sessions.filter(
                program__center_id__in=center_ids(request, Action.MANAGE_SESSIONS)
            )
        return {"sessions": sessions.order_by("start")}

    def perform_add(self, request: HttpRequest, form: VolunteerRoleForm) -> HttpResponse:
        role = volunteer_role_add(by=request.user, **form.cleaned_data)
        self.log_addition(request, role, [{"added": {}}])
        self.message_user(request, _("Role added: %(role)s") % {"role": role}, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:services_session_change", args=[role.session_id])
        )

    def save_model(self, request: HttpRequest, obj: VolunteerRole, form: Any, change: bool) -> None:
        try:
            volunteer_role_change(role=obj, seats=form.cleaned_data["seats"], by=request.user)
        except LinliError as error:
            self.message_user(request, str(error.detail), messages.ERROR)
