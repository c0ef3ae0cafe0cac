"""The booking list and page for staff, the actions on bookings and the check-in desk."""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings import rules
from bookings.admin.common import SpaceBoundAdmin, SpaceListFilter
from bookings.models import Booking, BookingEvent
from bookings.services.lifecycle import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_check_in_by_code,
    booking_reject,
)
from centers.admin_scope import CenterScopedInline
from centers.permissions import Action, staff_can
from core.admin_kit import (
    CheckInByCodeMixin,
    ReadOnlyInline,
    apply_each,
    ask_reason,
    local,
)
from core.localtime import span

Status = Booking.Status

# The actions the services write to the audit trail, in words.
EVENT_LABELS = {
    "create": gettext_lazy("booked"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "expire": gettext_lazy("not approved in time"),
    "cancel": gettext_lazy("cancelled by the member"),
    "cancel_by_staff": gettext_lazy("cancelled by staff"),
    "check_in": gettext_lazy("checked in"),
    "complete": gettext_lazy("completed"),
    "release": gettext_lazy("released without check-in"),
    "no_show": gettext_lazy("no-show"),
}


class WhenFilter(admin.SimpleListFilter):
    """The front desk's usual views: today's bookings, this week's (Monday to Sunday), what is
    still to come. Days are the admin's local days (Asia/Shanghai)."""

    title = gettext_lazy("when")
    parameter_name = "when"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("today", gettext_lazy("Today")),
            ("week", gettext_lazy("This week")),
            ("upcoming", gettext_lazy("Not over yet")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        if self.value() == "today":
            first, last = today, today
        elif self.value() == "week":
            first = today - timedelta(days=today.weekday())
            last = first + timedelta(days=6)
        elif self.value() == "upcoming":
            return queryset.filter(end__gt=timezone.now())
        else:
            return queryset
        tz = timezone.get_current_timezone()
        return queryset.filter(
            start__gte=datetime.combine(first, time(0), tzinfo=tz),
            start__lt=datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
        )


class BookingEventInline(ReadOnlyInline, CenterScopedInline, admin.TabularInline):
    """The audit trail of a booking, as written by the services."""

    model = BookingEvent
    parent_center_field = "space__center_id"
    fields = ["when", "what", "status_change", "by", "reason"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=gettext_lazy("time"))
    def when(self, event: BookingEvent) -> str:
        return local(event.at)

    @admin.display(description=gettext_lazy("action"))
    def what(self, event: BookingEvent) -> Any:
        return EVENT_LABELS.get(event.action, event.action)

    @admin.display(description=gettext_lazy("by"))
    def by(self, event: BookingEvent) -> Any:
        return event.actor or gettext_lazy("system")

    @admin.display(description=gettext_lazy("status"))
    def status_change(self, event: BookingEvent) -> str:
        labels = dict(Status.choices)
        before = labels.get(event.from_status, event.from_status) or "—"
        return f"{before} → {labels.get(event.to_status, event.to_status)}"


@admin.register(Booking)
class BookingAdmin(CheckInByCodeMixin, SpaceBoundAdmin):
    # Few, short columns: the whole row fits a 1024px tablet next to the filters.
    list_display = ["when", "place", "who", "status", "attendees"]
    list_display_links = ["when"]
    list_filter = [WhenFilter, SpaceListFilter, "status"]
    list_select_related = ["space__center", "member", "team"]
    date_hierarchy = "start"
    search_fields = [
        "member__display_name",
        "member__first_name",
        "member__last_name",
        "member__username",
        "member__phone",
        "=check_in_code",
    ]
    search_help_text = gettext_lazy("Member's name or phone, or a check-in code.")
    ordering = ["-start", "-id"]
    actions = ["approve", "reject", "cancel", "check_in"]
    inlines = [BookingEventInline]
    change_list_template = "admin/bookings/booking/change_list.html"
    object_history_template = "admin/audit_history.html"
    fieldsets = [
        (None, {"fields": ["space", "unit", "member", "team", "series_link", "status"]}),
        (gettext_lazy("Time"), {"fields": ["start", "end", "cancel_until", "checked_in_at"]}),
        (
            gettext_lazy("Details"),
            {
                "fields": [
                    "purpose",
                    "attendees",
                    "check_in_code",
                    "access_code",
                    "creator",
                    "created_at",
                ]
            },
        ),
    ]
    readonly_fields = ["series_link", "creator", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("time"), ordering="start")
    def when(self, booking: Booking) -> str:
        return span(booking.start, booking.end, booking.space.center.tz)

    @admin.display(description=gettext_lazy("space"), ordering="space__name")
    def place(self, booking: Booking) -> str:
        space = booking.space
        unit = f" #{booking.unit}" if space.units > 1 else ""
        return format_html(
            '{}{}<br><span class="quiet">{}</span>', space.name, unit, space.center.name
        )

    @admin.display(description=gettext_lazy("member"), ordering="member__display_name")
    def who(self, booking: Booking) -> str:
        if booking.team_id is None:
            return str(booking.member)
        return format_html('{}<br><span class="quiet">{}</span>', booking.member, booking.team)

    @admin.display(description=gettext_lazy("recurring booking"))
    def series_link(self, booking: Booking) -> Any:
        if booking.series_id is None:
            return "—"
        url = reverse("admin:bookings_bookingseries_change", args=[booking.series_id])
        return format_html('<a href="{}">{}</a>', url, booking.series)

    # --- Actions: each calls the service, booking by booking ---------------------------------

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Booking],
        action: Action,
        perform: Callable[[Booking], object],
        done: Callable[[int], str],
    ) -> HttpResponse | None:
        return apply_each(
            self,
            request,
            queryset.select_related("space__center", "member"),
            allowed=lambda booking: staff_can(request.user, action, booking.space.center_id),
            perform=perform,
            done=done,
        )

    @admin.action(description=gettext_lazy("Approve"), permissions=["manage_bookings"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Booking]) -> HttpResponse | None:
        return self._each(
            request,
            queryset,
            Action.MANAGE_BOOKINGS,
            lambda b: booking_approve(booking=b, by=request.user),
            lambda n: ngettext("%(n)d booking approved.", "%(n)d bookings approved.", n) % {"n": n},
        )

    @admin.action(description=gettext_lazy("Reject…"), permissions=["manage_bookings"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Booking]) -> HttpResponse | None:
        reason, page = ask_reason(
            self,
            request,
            queryset.select_related("space__center", "member"),
            action="reject",
            title=_("Reject bookings"),
            button=_("Reject"),
        )
        if page is not None:
            return page
        return self._each(
            request,
            queryset,
            Action.MANAGE_BOOKINGS,
            lambda b: booking_reject(booking=b, by=request.user, reason=reason),
            lambda n: ngettext("%(n)d booking rejected.", "%(n)d bookings rejected.", n) % {"n": n},
        )

    @admin.action(description=gettext_lazy("Cancel…"), permissions=["manage_bookings"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Booking]) -> HttpResponse | None:
        reason, page = ask_reason(
            self,
            request,
            queryset.select_related("space__center", "member"),
            action="cancel",
            title=_("Cancel bookings"),
            button=_("Cancel the bookings"),
        )
        if page is not None:
            return page
        return self._each(
            request,
            queryset,
            Action.MANAGE_BOOKINGS,
            lambda b: booking_cancel(booking=b, by=request.user, reason=reason),
            lambda n: (
                ngettext("%(n)d booking cancelled.", "%(n)d bookings cancelled.", n) % {"n": n}
            ),
        )

    @admin.action(description=gettext_lazy("Check in"), permissions=["check_in"])
    def check_in(self, request: HttpRequest, queryset: QuerySet[Booking]) -> HttpResponse | None:
        return self._each(
            request,
            queryset,
            Action.CHECK_IN,
            lambda b: booking_check_in(booking=b, by=request.user, code=b.check_in_code),
            lambda n: (
                ngettext("%(n)d booking checked in.", "%(n)d bookings checked in.", n) % {"n": n}
            ),
        )

    def object_actions(self, request: HttpRequest, booking: Booking) -> list[tuple[str, Any]]:
        """The actions that make sense for this booking now, as buttons on its page."""
        now = timezone.now()
        center_id = booking.space.center_id
        manage = staff_can(request.user, Action.MANAGE_BOOKINGS, center_id)
        found = []
        if manage and booking.status == Status.PENDING:
            found += ["approve", "reject"]
        if manage and rules.is_cancellable(booking, now):
            found.append("cancel")
        if (
            staff_can(request.user, Action.CHECK_IN, center_id)
            and booking.status == Status.CONFIRMED
            and booking.end > now
        ):
            found.append("check_in")
        return [(name, getattr(self, name).short_description) for name in found]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        booking = self.get_object(request, object_id)
        extra = {"object_actions": self.object_actions(request, booking)} if booking else {}
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context=None
    ) -> HttpResponse:
        """The audit trail, the one true history of a booking (the admin's own log is empty:
        every change goes through a service)."""
        booking = self.get_object(request, unquote(object_id))
        trail = BookingEventInline(self.model, self.admin_site)
        rows = []
        if booking is not None:
            for event in booking.events.select_related("actor"):
                rows.append(
                    {
                        "when": trail.when(event),
                        "what": trail.what(event),
                        "status_change": trail.status_change(event),
                        "by": trail.by(event),
                        "reason": event.reason,
                    }
                )
        return super().history_view(
            request, object_id, {"audit_rows": rows} | (extra_context or {})
        )

    # --- The check-in desk -------------------------------------------------------------------

    check_in_template = "admin/bookings/booking/check_in.html"
    checked_in_name = "booking"

    def get_urls(self) -> list:
        return [self.check_in_url(), *super().get_urls()]

    def check_in_by_code(self, request: HttpRequest, code: str) -> Booking:
        """The booking is found among the staff member's centers'."""
        return booking_check_in_by_code(by=request.user, code=code)

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra = {"can_check_in": self.has_check_in_permission(request)}
        return super().changelist_view(request, extra | (extra_context or {}))
