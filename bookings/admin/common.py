"""What the booking screens share: scoping by the space's center, the role checks behind the
actions, the spaces filter. The pages every app's screens share are in core.admin_kit."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from centers.admin_scope import CenterScopedAdmin, IdListFilter, center_ids
from centers.models import Space
from centers.permissions import Action
from core import admin_kit


class SpaceBoundAdmin(CenterScopedAdmin):
    """Rows that belong to a space: anyone on a center's staff sees them; the actions need a
    role that allows them (front desk and managers), checked again by each service."""

    center_field = "space__center_id"
    edit_action = Action.MANAGE_BOOKINGS
    change_form_template = "admin/change_form_with_actions.html"

    # Rows change only through services (actions and add pages), never by editing fields.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("by"))
    def creator(self, obj: Any) -> Any:
        return obj.created_by

    @admin.display(description=gettext_lazy("created"), ordering="created")
    def created_at(self, obj: Any) -> str:
        return admin_kit.local(obj.created)

    def has_manage_bookings_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.MANAGE_BOOKINGS)

    def has_check_in_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.CHECK_IN)

    def spaces(self, request: HttpRequest, action: Action = Action.VIEW) -> QuerySet[Space]:
        spaces = Space.objects.select_related("center").order_by("center_id", "name")
        if request.user.is_superuser:
            return spaces
        return spaces.filter(center_id__in=center_ids(request, action))


class SpaceListFilter(IdListFilter):
    """The spaces of the staff member's own centers (Django's related filter would list every
    center's spaces)."""

    title = gettext_lazy("space")
    parameter_name = "space"
    field = "space_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(space.pk), str(space)) for space in model_admin.spaces(request)]
