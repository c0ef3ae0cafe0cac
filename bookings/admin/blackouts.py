"""Blocking a space: once or weekly. Bookings in the way are listed first; staff cancel them in
the same step only after seeing exactly which ones."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings.admin.common import ServiceAddMixin, SpaceBoundAdmin, SpaceListFilter
from bookings.admin.forms import BlackoutForm
from bookings.errors import BlackoutConflict
from bookings.models import Blackout
from bookings.services.blackouts import blackout_create, blackout_delete
from centers.permissions import Action


@admin.register(Blackout)
class BlackoutAdmin(ServiceAddMixin, SpaceBoundAdmin):
    list_display = ["space", "start", "end", "repeat_weekly_until", "reason", "creator"]
    list_filter = [SpaceListFilter]
    list_select_related = ["space__center", "created_by"]
    date_hierarchy = "start"
    search_fields = ["reason"]
    ordering = ["-start"]
    fields = ["space", "start", "end", "repeat_weekly_until", "reason", "creator", "created_at"]
    readonly_fields = ["creator", "created_at"]
    add_form_class = BlackoutForm
    add_form_template = "admin/bookings/blackout/add_form.html"
    add_fieldsets = [(None, {"fields": ["space", "start", "end", "repeat_weekly_until", "reason"]})]

    def get_add_form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"spaces": self.spaces(request, Action.MANAGE_BOOKINGS)}

    def get_add_fieldsets(self, request: HttpRequest, extra: dict[str, Any]) -> list:
        if not extra.get("conflicts"):
            return self.add_fieldsets
        return [
            *self.add_fieldsets,
            (
                gettext_lazy("Bookings in the way"),
                {"fields": ["cancel_conflicting", "cancel_reason"]},
            ),
        ]

    def perform_add(self, request: HttpRequest, form: BlackoutForm) -> HttpResponse | dict:
        data = form.cleaned_data
        block = {
            "space": data["space"],
            "start": data["start"],
            "end": data["end"],
            "repeat_weekly_until": data["repeat_weekly_until"],
            "reason": data["reason"],
            "by": request.user,
        }
        try:
            blackout, cancelled = blackout_create(**block)
        except BlackoutConflict as conflict:
            if conflict.blocked_by_blackout or not conflict.bookings:
                form.add_error(None, _("Another blackout already blocks part of this time."))
                return {}
            shown = {str(b.pk) for b in conflict.bookings}
            seen = set(request.POST.getlist("seen_conflict"))
            if not data["cancel_conflicting"] or seen != shown:
                # Cancel only the bookings staff were shown: if others appeared (or the time
                # changed) since, show the list again.
                form.add_error(
                    None,
                    _("The bookings in the way have changed; check the list again.")
                    if data["cancel_conflicting"]
                    else conflict.detail,
                )
                return {"conflicts": conflict.bookings}
            blackout, cancelled = blackout_create(
                **block, cancel_conflicting=True, cancel_reason=data["cancel_reason"]
            )
        self.log_addition(request, blackout, [{"added": {}}])
        self.message_user(
            request, _("Blackout created: %(blackout)s") % {"blackout": blackout}, messages.SUCCESS
        )
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(n)d booking was cancelled; its member is told.",
                    "%(n)d bookings were cancelled; their members are told.",
                    len(cancelled),
                )
                % {"n": len(cancelled)},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:bookings_blackout_changelist"))

    def delete_model(self, request: HttpRequest, obj: Blackout) -> None:
        blackout_delete(blackout=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Blackout]) -> None:
        for blackout in queryset.select_related("space"):
            blackout_delete(blackout=blackout, by=request.user)
