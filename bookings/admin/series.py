"""Recurring bookings: staff book a space weekly for a member or a team; dates that cannot be
booked are skipped and reported. Cancelling a series cancels its bookings still to come."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings.admin.common import SpaceBoundAdmin, SpaceListFilter
from bookings.admin.forms import SeriesForm
from bookings.errors import SeriesEmpty
from bookings.models import Booking, BookingSeries
from bookings.services.series import SeriesResult, booking_series_cancel, booking_series_create
from centers import weekdays
from centers.admin_scope import CenterScopedInline, center_ids
from centers.permissions import Action, staff_can
from core.admin_kit import ReadOnlyInline, ServiceAddMixin, ask_reason, error_message, redirect_back
from core.errors import LinliError
from members.models import Team


def skipped_dates(skipped: list) -> str:
    return "; ".join(f"{day:%Y-%m-%d} {error_message(code)}" for day, code in skipped)


class SeriesBookingInline(ReadOnlyInline, CenterScopedInline, admin.TabularInline):
    model = Booking
    fk_name = "series"
    parent_center_field = "space__center_id"
    fields = ["booking", "start", "end", "unit", "status"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("bookings of this series")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("space__center")

    @admin.display(description=gettext_lazy("booking"))
    def booking(self, booking: Booking) -> str:
        url = reverse("admin:bookings_booking_change", args=[booking.pk])
        return format_html('<a href="{}">#{}</a>', url, booking.pk)


@admin.register(BookingSeries)
class BookingSeriesAdmin(ServiceAddMixin, SpaceBoundAdmin):
    list_display = [
        "series_space",
        "series_member",
        "series_team",
        "days",
        "times",
        "first_date",
        "last_date",
        "purpose",
        "holding",
    ]
    list_filter = [SpaceListFilter]
    list_select_related = ["space__center", "member", "team"]
    search_fields = ["purpose", "member__username", "team__name"]
    ordering = ["-first_date", "-id"]
    actions = ["cancel_series"]
    inlines = [SeriesBookingInline]
    fields = [
        "series_space",
        "series_member",
        "series_team",
        "days",
        "times",
        "first_date",
        "last_date",
        "purpose",
        "creator",
        "created_at",
    ]
    readonly_fields = [
        "series_space",
        "series_member",
        "series_team",
        "days",
        "times",
        "creator",
        "created_at",
    ]
    add_form_class = SeriesForm
    add_fieldsets = [
        (None, {"fields": ["space", "member", "team", "purpose"]}),
        (
            gettext_lazy("When"),
            {"fields": ["weekdays", "start_time", "end_time", "first_date", "last_date"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                holding_count=Count("bookings", filter=Q(bookings__status__in=Booking.HOLDING))
            )
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # The model's foreign keys carry no verbose names (their related names are "+"): label here.
    @admin.display(description=gettext_lazy("space"), ordering="space")
    def series_space(self, series: BookingSeries) -> Any:
        return series.space

    @admin.display(description=gettext_lazy("member"), ordering="member")
    def series_member(self, series: BookingSeries) -> Any:
        return series.member

    @admin.display(description=gettext_lazy("team"))
    def series_team(self, series: BookingSeries) -> Any:
        return series.team or "—"

    @admin.display(description=gettext_lazy("weekdays"))
    def days(self, series: BookingSeries) -> str:
        return weekdays.describe(series.weekdays)

    @admin.display(description=gettext_lazy("time"))
    def times(self, series: BookingSeries) -> str:
        return f"{series.start_time:%H:%M}–{series.end_time:%H:%M}"

    @admin.display(description=gettext_lazy("active bookings"), ordering="holding_count")
    def holding(self, series: BookingSeries) -> int:
        return series.holding_count

    def get_add_form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        teams = Team.objects.filter(is_active=True).select_related("center").order_by("name")
        if not request.user.is_superuser:
            teams = teams.filter(center_id__in=center_ids(request, Action.MANAGE_BOOKINGS))
        spaces = self.spaces(request, Action.MANAGE_BOOKINGS).filter(bookable=True, is_active=True)
        return {"spaces": spaces, "teams": teams}

    def perform_add(self, request: HttpRequest, form: SeriesForm) -> HttpResponse | dict:
        data = form.cleaned_data
        try:
            result = self._create(request, data)
        except SeriesEmpty as empty:
            form.add_error(None, f"{empty.detail} {skipped_dates(empty.skipped)}")
            return {}
        self.log_addition(request, result.series, [{"added": {}}])
        created = len(result.created)
        self.message_user(
            request,
            ngettext(
                "Recurring booking created: %(n)d date booked.",
                "Recurring booking created: %(n)d dates booked.",
                created,
            )
            % {"n": created},
            messages.SUCCESS,
        )
        if result.skipped:
            skipped = skipped_dates(result.skipped)
            self.message_user(
                request,
                ngettext(
                    "%(n)d date was skipped: %(dates)s",
                    "%(n)d dates were skipped: %(dates)s",
                    len(result.skipped),
                )
                % {"n": len(result.skipped), "dates": skipped},
                messages.WARNING,
            )
        return HttpResponseRedirect(
            reverse("admin:bookings_bookingseries_change", args=[result.series.pk])
        )

    def _create(self, request: HttpRequest, data: dict[str, Any]) -> SeriesResult:
        return booking_series_create(
            space=data["space"],
            member=data["member"],
            by=request.user,
            weekday_list=weekdays.from_mask(data["weekdays"]),
            start_time=data["start_time"],
            end_time=data["end_time"],
            first_date=data["first_date"],
            last_date=data["last_date"],
            purpose=data["purpose"],
            team=data["team"],
        )

    @admin.action(description=gettext_lazy("Cancel the series…"), permissions=["manage_bookings"])
    def cancel_series(
        self, request: HttpRequest, queryset: QuerySet[BookingSeries]
    ) -> HttpResponse | None:
        reason, page = ask_reason(
            self,
            request,
            queryset.select_related("space__center"),
            action="cancel_series",
            title=_("Cancel recurring bookings"),
            button=_("Cancel their bookings"),
        )
        if page is not None:
            return page
        cancelled = 0
        for series in queryset.select_related("space__center"):
            if not staff_can(request.user, Action.MANAGE_BOOKINGS, series.space.center_id):
                self.message_user(
                    request,
                    _("%(series)s: your role at this center does not allow this.")
                    % {"series": series},
                    messages.ERROR,
                )
                continue
            try:
                cancelled += len(
                    booking_series_cancel(series=series, by=request.user, reason=reason)
                )
            except LinliError as error:
                self.message_user(request, f"{series}: {error.detail}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(n)d booking cancelled.", "%(n)d bookings cancelled.", cancelled)
            % {"n": cancelled},
            messages.SUCCESS,
        )
        return redirect_back(request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        series = self.get_object(request, object_id)
        actions = []
        if series is not None and staff_can(
            request.user, Action.MANAGE_BOOKINGS, series.space.center_id
        ):
            actions = [("cancel_series", self.cancel_series.short_description)]
        extra = {"object_actions": actions}
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))
