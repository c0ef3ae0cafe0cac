from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from centers.admin_scope import CenterScopedAdmin, center_ids
from centers.permissions import Action
from members.admin.forms import EligibilityRuleForm, shared_or_of
from members.models import EligibilityRule, Team
from members.services.eligibility import eligibility_describe


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(CenterScopedAdmin):
    """Rules without a center are shared: every staff member sees and uses them, only superusers
    change them. A center's own rules are its managers' (who also manage its spaces)."""

    edit_action = Action.MANAGE_PLACES
    form = EligibilityRuleForm
    list_display = ["name", "center", "description"]
    list_select_related = ["center", "team"]
    search_fields = ["name"]

    @admin.display(description=_("who may"))
    def description(self, rule: EligibilityRule) -> str:
        return eligibility_describe(rule)

    def scope_queryset(self, request: HttpRequest, qs: QuerySet) -> QuerySet:
        if request.user.is_superuser:
            return qs
        return qs.filter(shared_or_of(center_ids(request)))

    def _role_ok(self, request: HttpRequest, obj: EligibilityRule | None, action: Action) -> bool:
        if obj is not None and obj.center_id is None and not request.user.is_superuser:
            return action == Action.VIEW and bool(center_ids(request))
        return super()._role_ok(request, obj, action)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "center" in form.base_fields:
            # Staff make rules for their own centers; shared rules are the superusers'.
            form.base_fields["center"].required = True
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "team" and not request.user.is_superuser:
            kwargs["queryset"] = Team.objects.filter(
                center_id__in=center_ids(request, self.edit_action)
            ).select_related("center")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
