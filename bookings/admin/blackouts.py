"""Blocking a space: once or weekly. Bookings in the way are listed first; staff cancel them in
the same step only after seeing exactly which ones."""

from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings.admin.common import SpaceBoundAdmin, SpaceListFilter
from bookings.admin.forms import BlackoutForm
from bookings.conflicts import InTheWay
from bookings.errors import BlackoutConflict
from bookings.models import Blackout
from bookings.services.blackouts import blackout_create, blackout_delete
from centers.permissions import Action
from core.admin_kit import ServiceAddMixin


def week_key(item: InTheWay) -> str:
    return item.start.isoformat()


def same(request: HttpRequest, name: str, shown: list) -> bool:
    return set(request.POST.getlist(name)) == {str(value) for value in shown}


def local_day(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


def held_by(conflict: BlackoutConflict) -> str:
    """The sessions and blackouts in the way, by name."""
    names = [str(session) for session in conflict.sessions]
    names += [_("blackout: %(blackout)s") % {"blackout": b} for b in conflict.blackouts]
    return "; ".join(names)


def taken_message(conflict: BlackoutConflict) -> str:
    return _("This time is already held by: %(what)s. Move or cancel that first.") % {
        "what": held_by(conflict)
    }


def conflict_summary(conflict: BlackoutConflict) -> str:
    said = []
    if conflict.bookings:
        said.append(str(conflict.detail))
    if conflict.taken:
        said.append(_("Some weeks are already held by: %(what)s.") % {"what": held_by(conflict)})
    return " ".join(said)


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
        fieldsets = list(self.add_fieldsets)
        if extra.get("conflicts"):
            fields = ["cancel_conflicting", "cancel_reason"]
            fieldsets.append((gettext_lazy("Bookings in the way"), {"fields": fields}))
        if extra.get("taken") and not extra.get("nothing_left"):
            fieldsets.append((gettext_lazy("Weeks already taken"), {"fields": ["skip_taken"]}))
        return fieldsets

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
            shown = {"conflicts": conflict.bookings, "taken": conflict.taken}
            if conflict.nothing_left:
                form.add_error(None, taken_message(conflict))
                return shown | {"nothing_left": True}
            # Go ahead only with what staff were shown: if more appeared (or the time changed)
            # since, show the lists again.
            saw = same(request, "seen_conflict", [b.pk for b in conflict.bookings]) and same(
                request, "seen_taken", [week_key(item) for item in conflict.taken]
            )
            agreed = (not conflict.bookings or data["cancel_conflicting"]) and (
                not conflict.taken or data["skip_taken"]
            )
            if not (saw and agreed):
                if (data["cancel_conflicting"] or data["skip_taken"]) and not saw:
                    form.add_error(None, _("What is in the way has changed; check again."))
                else:
                    form.add_error(None, conflict_summary(conflict))
                return shown
            blackout, cancelled = blackout_create(
                **block,
                cancel_conflicting=bool(conflict.bookings),
                cancel_reason=data["cancel_reason"],
                skip_taken=bool(conflict.taken),
            )
        self.log_addition(request, blackout, [{"added": {}}])
        self.message_user(
            request, _("Blackout created: %(blackout)s") % {"blackout": blackout}, messages.SUCCESS
        )
        if blackout.skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d week was left out (already taken): %(dates)s",
                    "%(n)d weeks were left out (already taken): %(dates)s",
                    len(blackout.skipped),
                )
                % {
                    "n": len(blackout.skipped),
                    "dates": ", ".join(local_day(s) for s, _e in blackout.skipped),
                },
                messages.WARNING,
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
