"""What the community screens share: scoping by center, the role behind every action (the
front desk and managers manage the community; viewers and district oversight only look), an
action applied row by row through its service, and the audit trail as the row's history."""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from centers.admin_scope import CenterScopedAdmin
from centers.permissions import Action, staff_can
from core.admin_kit import ServiceOwnedRows, apply_each, local


class CommunityAdmin(ServiceOwnedRows, CenterScopedAdmin):
    """Wishes and proposals change only through their services (actions and the add page),
    never by editing fields, so the admin obeys the API's rules and writes the same trail."""

    edit_action = Action.MANAGE_COMMUNITY
    change_form_template = "admin/change_form_with_actions.html"
    object_history_template = "admin/audit_history.html"
    # The audit rows' ``action`` in words, and the statuses' labels (the model's choices).
    event_labels: dict[str, Any] = {}
    status_labels: dict[str, Any] = {}
    note_label: Any = gettext_lazy("reason")

    def has_manage_community_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.MANAGE_COMMUNITY)

    def apply(
        self,
        request: HttpRequest,
        objects: Iterable[Model],
        perform: Callable[[Any], object],
        done: Callable[[int], str],
    ) -> HttpResponse | None:
        """``perform`` (one service call) on each row the user's role allows at its center."""
        return apply_each(
            self,
            request,
            objects,
            allowed=lambda obj: self.may_manage(request, obj),
            perform=perform,
            done=done,
        )

    def object_actions(self, request: HttpRequest, obj: Any) -> list[str]:
        """The names of the actions that make sense for ``obj`` now (buttons on its page)."""
        return []

    def may_manage(self, request: HttpRequest, obj: Any) -> bool:
        return staff_can(request.user, Action.MANAGE_COMMUNITY, self.center_of(obj))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        buttons = []
        if obj is not None and self.may_manage(request, obj):
            names = self.object_actions(request, obj)
            buttons = [(name, getattr(self, name).short_description) for name in names]
        extra = {"object_actions": buttons}
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    # --- The audit trail -------------------------------------------------------------------

    def status_change(self, event: Any) -> str:
        before = self.status_labels.get(event.from_status, event.from_status) or "—"
        return f"{before} → {self.status_labels.get(event.to_status, event.to_status)}"

    def audit_row(self, event: Any) -> dict[str, Any]:
        return {
            "when": local(event.at),
            "what": self.event_labels.get(event.action, event.action),
            "status_change": self.status_change(event),
            "by": event.actor or gettext_lazy("system"),
            "reason": "",
        }

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context=None
    ) -> HttpResponse:
        """The audit trail, the one true history (the admin's own log is empty: every change
        goes through a service)."""
        obj = self.get_object(request, unquote(object_id))
        rows = []
        if obj is not None:
            rows = [self.audit_row(event) for event in obj.events.select_related("actor")]
        extra = {"audit_rows": rows, "note_label": self.note_label}
        return super().history_view(request, object_id, extra | (extra_context or {}))
