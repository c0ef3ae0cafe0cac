from django.db.models import QuerySet
from django.http import HttpRequest

from centers.admin_scope import CenterScopedAdmin, center_ids
from centers.permissions import Action


class MemberScopedAdmin(CenterScopedAdmin):
    """Member matters of a center: any staff of it sees them, MANAGE_MEMBERS changes them."""

    edit_action = Action.MANAGE_MEMBERS

    def may_manage(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.MANAGE_MEMBERS)

    def managed(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """The rows of ``queryset`` at centers where the user may manage members."""
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.center_field}__in": center_ids(request, Action.MANAGE_MEMBERS)}
        )
