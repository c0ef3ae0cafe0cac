from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from centers.admin_scope import CenterScopedInline
from centers.permissions import Action
from members.admin.common import MemberScopedAdmin
from members.admin.forms import TeamForm, TeamMembershipForm
from members.models import Team, TeamMembership
from members.services.teams import team_add_member


class TeamMembershipInline(CenterScopedInline, admin.TabularInline):
    model = TeamMembership
    form = TeamMembershipForm
    parent_center_field = "center_id"
    edit_action = Action.MANAGE_MEMBERS
    fields = ["member", "joined"]
    readonly_fields = ["joined"]
    extra = 0


@admin.register(Team)
class TeamAdmin(MemberScopedAdmin):
    form = TeamForm
    list_display = ["name", "kind", "center", "leader", "member_count", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["center", "leader"]
    search_fields = ["name"]
    inlines = [TeamMembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, team: Team) -> int:
        return team.member_total

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The leader is always a member, whatever the member rows said.
        team_add_member(team=form.instance, member=form.instance.leader)
