from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from centers.admin_scope import CenterScopedAdmin, CenterScopedInline
from centers.closures import stranded_count
from centers.forms import OpeningRuleForm
from centers.models import (
    Center,
    DistrictAssignment,
    OpeningException,
    OpeningRule,
    Space,
    StaffAssignment,
)
from centers.services import staff_assignment_save


class OpeningRuleInline(CenterScopedInline, admin.TabularInline):
    model = OpeningRule
    form = OpeningRuleForm
    extra = 0


class ExceptionFormSet(BaseInlineFormSet):
    """Dated hours that would strand bookings or sessions are refused here, with the way to
    the page that lists them and cancels them with a reason members are told."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or form.errors:
                continue
            stranded = stranded_count(form.instance)
            if stranded:
                center = (
                    form.instance.space.center if form.instance.space_id else form.instance.center
                )
                url = f"{reverse('admin:closure')}?center={center.pk}"
                raise ValidationError(
                    format_html(
                        gettext(
                            "{n} bookings or sessions fall in the hours this closes. "
                            '<a href="{url}">Close or change hours on dates</a> lists them and '
                            "cancels them with a reason members are told."
                        ),
                        n=stranded,
                        url=url,
                    )
                )


class OpeningExceptionInline(CenterScopedInline, admin.TabularInline):
    model = OpeningException
    formset = ExceptionFormSet
    fields = ["start_date", "end_date", "opens", "closes", "note"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).order_by("-start_date")


class CenterOpeningRuleInline(OpeningRuleInline):
    fk_name = "center"


class CenterOpeningExceptionInline(OpeningExceptionInline):
    fk_name = "center"


class SpaceOpeningRuleInline(OpeningRuleInline):
    fk_name = "space"
    parent_center_field = "center_id"
    verbose_name_plural = _("own weekly hours (leave empty to use the center's)")


class SpaceOpeningExceptionInline(OpeningExceptionInline):
    fk_name = "space"
    parent_center_field = "center_id"


class SpaceInline(CenterScopedInline, admin.TabularInline):
    model = Space
    fields = ["name", "kind", "floor", "capacity", "units", "bookable", "is_active"]
    show_change_link = True
    extra = 0


@admin.register(Center)
class CenterAdmin(CenterScopedAdmin):
    center_field = "id"
    list_display = ["name", "alias", "kind", "district", "parent", "space_count", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "alias", "address"]
    inlines = [CenterOpeningRuleInline, CenterOpeningExceptionInline, SpaceInline]
    fieldsets = [
        (None, {"fields": ["name", "alias", "kind", "parent", "is_active"]}),
        (
            _("Where"),
            {"fields": ["district", "subdistrict", "address", "phone", "time_zone"]},
        ),
        (_("About"), {"fields": ["floors", "area_m2", "description", "hours_note"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Meta.ordering does not apply to aggregating queries; keep pages stable.
        return super().get_queryset(request).annotate(space_total=Count("spaces")).order_by("id")

    @admin.display(description=_("spaces"), ordering="space_total")
    def space_count(self, center: Center) -> int:
        return center.space_total

    def get_readonly_fields(self, request: HttpRequest, obj: Center | None = None):
        # Where a place sits in the hierarchy, and whether it exists at all, is decided above
        # the center (by superusers); center managers keep their place's details current.
        if request.user.is_superuser:
            return []
        return ["kind", "parent", "is_active", "time_zone"]

    def has_add_permission(self, request: HttpRequest, obj: Center | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Center | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Space)
class SpaceAdmin(CenterScopedAdmin):
    list_display = ["name", "center", "kind", "floor", "capacity", "units", "bookable"]
    list_filter = ["kind", "bookable", "requires_approval", "is_active", "center"]
    list_select_related = ["center"]
    search_fields = ["name", "center__name"]
    inlines = [SpaceOpeningRuleInline, SpaceOpeningExceptionInline]
    fieldsets = [
        (None, {"fields": ["center", "name", "kind", "floor", "is_active"]}),
        (_("Size"), {"fields": ["capacity", "units", "unit_label", "equipment", "description"]}),
        (
            _("Booking rules"),
            {
                "fields": [
                    "bookable",
                    "requires_approval",
                    "slot_minutes",
                    "min_minutes",
                    "max_minutes",
                    "max_days_ahead",
                    "min_notice_minutes",
                    "cancel_deadline_minutes",
                    "buffer_before_minutes",
                    "buffer_after_minutes",
                    "requires_check_in",
                    "check_in_opens_minutes",
                    "release_after_minutes",
                    "max_active_per_member",
                    "max_active_per_team",
                    "weekly_quota_minutes",
                    "uses_access_codes",
                    "venue_code",
                    "eligibility",
                    "eligibility_note",
                ]
            },
        ),
    ]

    def get_list_filter(self, request: HttpRequest):
        # The center filter would list every center's name; staff only get to see their own.
        if request.user.is_superuser:
            return self.list_filter
        return [f for f in self.list_filter if f != "center"]


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Who works where is decided above the centers: only superusers see or change it."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        staff_assignment_save(assignment=obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    # All five, not just view: Django's defaults would fall back to model permissions, and a
    # staff member holding "add staff assignment" could make themselves manager anywhere.
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(DistrictAssignment)
class DistrictAssignmentAdmin(SuperuserOnlyAdmin):
    """District (区) or sub-district (街道) staff: every center there, read-only."""

    list_display = ["user", "district", "subdistrict", "created"]
    list_filter = ["district"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__display_name", "district", "subdistrict"]
    autocomplete_fields = ["user"]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(SuperuserOnlyAdmin):
    """Who works where. Only superusers assign staff."""

    list_display = ["user", "center", "role", "created"]
    list_filter = ["role"]
    list_select_related = ["user", "center"]
    search_fields = ["user__username", "center__name"]
    autocomplete_fields = ["user", "center"]
