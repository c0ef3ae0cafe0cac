from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_kit import confirm_page, confirmed
from core.errors import Conflict
from members.admin.common import MemberScopedAdmin
from members.admin.forms import SuspensionLiftForm
from members.models import Suspension
from members.services.no_shows import suspension_lift


@admin.register(Suspension)
class SuspensionAdmin(MemberScopedAdmin):
    """Suspensions come from the no-show policy; staff who manage members lift them, with a
    reason (suspension_lift). Nothing else about them is edited."""

    list_display = ["member", "center", "starts_at", "ends_at", "reason", "lifted_at", "lifted_by"]
    list_filter = [("lifted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["member", "center", "lifted_by"]
    search_fields = ["member__username", "member__display_name"]
    fields = [
        "member",
        "center",
        "starts_at",
        "ends_at",
        "reason",
        "lifted_at",
        "lifted_by",
        "lift_reason",
    ]
    readonly_fields = fields
    actions = ["lift"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Suspension | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Suspension | None = None) -> bool:
        return False

    def has_lift_permission(self, request: HttpRequest) -> bool:
        return self.may_manage(request)

    @admin.action(description=_("Lift the selected suspensions…"), permissions=["lift"])
    def lift(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = SuspensionLiftForm(request.POST if confirmed(request) else None)
        if form.is_bound and form.is_valid():
            lifted = 0
            for suspension in self.managed(request, queryset).filter(lifted_at__isnull=True):
                try:
                    suspension_lift(
                        suspension=suspension, by=request.user, reason=form.cleaned_data["reason"]
                    )
                except Conflict:
                    continue  # lifted by someone else meanwhile
                self.log_change(request, suspension, _("Lifted: %s") % suspension.lift_reason)
                lifted += 1
            self.message_user(
                request,
                ngettext("%(count)d suspension lifted.", "%(count)d suspensions lifted.", lifted)
                % {"count": lifted},
                messages.SUCCESS if lifted else messages.WARNING,
            )
            return None
        return confirm_page(
            self,
            request,
            queryset.select_related("member", "center"),
            form=form,
            action="lift",
            title=_("Lift suspensions"),
            button=_("Lift"),
            lead=_(
                "These members may book and register again as soon as their suspension is lifted:"
            ),
            label=suspension_label,
        )


def suspension_label(suspension: Suspension) -> str:
    until = formats.date_format(timezone.localtime(suspension.ends_at), "Y-m-d H:i")
    label = f"{suspension.member} · {suspension.center} · {_('until')} {until}"
    return f"{label} ({_('already lifted')})" if suspension.lifted_at else label
