from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from centers.admin_scope import center_ids
from centers.models import Center
from core.errors import LinliError
from members.admin.common import MemberScopedAdmin
from members.admin.forms import PointsAdjustmentForm
from members.models import PointsEntry
from members.services.points import points_adjust


@admin.register(PointsEntry)
class PointsEntryAdmin(MemberScopedAdmin):
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

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        centers = Center.objects.filter(is_active=True)
        if not request.user.is_superuser:
            centers = centers.filter(id__in=center_ids(request, self.edit_action))
        form = PointsAdjustmentForm(
            request.POST if request.method == "POST" else None, centers=centers
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    entry = points_adjust(
                        member=data["member"],
                        delta=data["delta"],
                        reason=data["reason"],
                        by=request.user,
                        center=data["center"],
                    )
                    self.log_addition(request, entry, [{"added": {}}])
            except LinliError as error:
                for field, problems in (error.fields or {None: [error.detail]}).items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, str(problem))
            else:
                message = _("%(member)s: %(delta)+d points; the balance is now %(balance)d.")
                values = {"member": entry.member, "delta": entry.delta}
                self.message_user(
                    request, message % (values | {"balance": entry.balance_after}), messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:members_pointsentry_changelist"))

        adminform = helpers.AdminForm(
            form, [(None, {"fields": ["member", "delta", "reason", "center"]})], {}
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Adjust points"),
            "subtitle": None,
            "adminform": adminform,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + adminform.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)
