from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from centers.admin_scope import center_ids
from centers.models import Center
from core.admin_kit import ServiceAddMixin
from members.admin.common import MemberScopedAdmin
from members.admin.forms import PointsAdjustmentForm
from members.models import PointsEntry
from members.services.points import points_adjust


@admin.register(PointsEntry)
class PointsEntryAdmin(ServiceAddMixin, MemberScopedAdmin):
    """The ledger is append-only: nobody changes or deletes a line. Staff who manage members add
    adjustments, with a reason, through points_adjust (which keeps the balance and the ledger
    together and refuses to overdraw)."""

    list_display = [
        "created",
        "member",
        "kind",
        "delta",
        "balance_after",
        "reason",
        "center",
        "created_by",
    ]
    list_filter = ["kind"]
    list_select_related = ["member", "center", "created_by"]
    search_fields = ["member__username", "member__display_name", "reason"]
    fields = [
        "member",
        "kind",
        "delta",
        "balance_after",
        "reason",
        "center",
        "created_by",
        "cause_type",
        "cause_id",
        "created",
    ]
    readonly_fields = fields

    def has_change_permission(self, request: HttpRequest, obj: PointsEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PointsEntry | None = None) -> bool:
        return False

    add_form_class = PointsAdjustmentForm
    add_fieldsets = [(None, {"fields": ["member", "delta", "reason", "center"]})]
    add_title = _("Adjust points")

    def get_add_form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        centers = Center.objects.filter(is_active=True)
        if not request.user.is_superuser:
            centers = centers.filter(id__in=center_ids(request, self.edit_action))
        return {"centers": centers}

    def perform_add(self, request: HttpRequest, form: PointsAdjustmentForm) -> HttpResponse:
        data = form.cleaned_data
        with transaction.atomic():
            entry = points_adjust(
                member=data["member"],
                delta=data["delta"],
                reason=data["reason"],
                by=request.user,
                center=data["center"],
            )
            self.log_addition(request, entry, [{"added": {}}])
        message = _("%(member)s: %(delta)+d points; the balance is now %(balance)d.")
        values = {"member": entry.member, "delta": entry.delta}
        self.message_user(
            request, message % (values | {"balance": entry.balance_after}), messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:members_pointsentry_changelist"))
