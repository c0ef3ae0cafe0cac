from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import Conflict
from members.admin.common import MemberScopedAdmin
from members.models import VolunteerRecord
from members.services.volunteering import volunteer_record_review


@admin.register(VolunteerRecord)
class VolunteerRecordAdmin(MemberScopedAdmin):
    """Hours members report; staff who manage members approve (points are credited) or reject
    them, once (volunteer_record_review)."""

    list_display = ["day", "member", "center", "hours", "description", "status", "reviewed_by"]
    list_filter = ["status"]
    list_select_related = ["member", "center", "reviewed_by"]
    search_fields = ["member__username", "member__display_name", "description"]
    fields = ["member", "center", "day", "hours", "description", "status", "reviewed_by"]
    readonly_fields = fields
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return self.may_manage(request)

    @admin.action(description=_("Approve the selected hours"), permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._review(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected hours"), permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._review(request, queryset, approve=False)

    def _review(self, request: HttpRequest, queryset: QuerySet, *, approve: bool) -> None:
        done = 0
        pending = self.managed(request, queryset).filter(status=VolunteerRecord.Status.PENDING)
        for record in pending.select_related("center", "member"):
            try:
                volunteer_record_review(record=record, by=request.user, approve=approve)
            except Conflict:
                continue  # reviewed by someone else meanwhile
            done += 1
        skipped = queryset.count() - done
        message = ngettext("%(count)d record reviewed.", "%(count)d records reviewed.", done) % {
            "count": done
        }
        if skipped:
            message += " " + ngettext(
                "%(count)d skipped (already reviewed, or not yours to review).",
                "%(count)d skipped (already reviewed, or not yours to review).",
                skipped,
            ) % {"count": skipped}
        self.message_user(request, message, messages.SUCCESS if done else messages.WARNING)
