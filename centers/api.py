"""Public read API for centers and spaces (API.md, "Places")."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from centers import selectors
from centers.hours import DayHours
from centers.models import Center, Space
from core.db_router import reads_replica
from core.filters import BoundedIntegerFilter, IdFilter, StrictBooleanFilter

# --- Serializers ---------------------------------------------------------------------------------


class ClockIntervalSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="HH:MM in the center's zone")
    end = serializers.CharField(help_text="HH:MM; earlier than start when it ends the next day")


class DayHoursSerializer(serializers.Serializer):
    date = serializers.DateField()
    intervals = ClockIntervalSerializer(many=True)
    note = serializers.CharField()


def _day_hours(day: DayHours, center: Center) -> dict[str, Any]:
    return {
        "date": day.date.isoformat(),
        "intervals": [i.clock(center.tz) for i in day.intervals],
        "note": day.note,
    }


class CenterSerializer(serializers.ModelSerializer):
    open_now = serializers.BooleanField(read_only=True)
    today_hours = serializers.SerializerMethodField()

    class Meta:
        model = Center
        fields = ["id", "name", "address", "district", "parent", "kind", "phone"]
        fields += ["open_now", "today_hours"]

    @extend_schema_field(ClockIntervalSerializer(many=True))
    def get_today_hours(self, center: Center) -> list[dict[str, str]]:
        return [i.clock(center.tz) for i in center.today_hours.intervals]


class SpaceSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Space
        fields = ["id", "name", "kind", "floor", "capacity", "units", "bookable"]


class CenterDetailSerializer(CenterSerializer):
    opening_hours = serializers.SerializerMethodField()
    spaces = SpaceSummarySerializer(many=True, source="active_spaces")

    class Meta(CenterSerializer.Meta):
        fields = [*CenterSerializer.Meta.fields, "alias", "subdistrict", "floors", "area_m2"]
        fields += ["description", "hours_note", "opening_hours", "spaces"]

    @extend_schema_field(DayHoursSerializer(many=True))
    def get_opening_hours(self, center: Center) -> list[dict[str, Any]]:
        return [_day_hours(day, center) for day in center.opening_week]


class SpaceSerializer(serializers.ModelSerializer):
    eligibility = serializers.SerializerMethodField(
        help_text="Who may book, in words (the enforced rule, or staff's note)"
    )
    equipment = serializers.ListField(child=serializers.CharField(), source="equipment_list")

    class Meta:
        model = Space
        fields = [
            "id",
            "center",
            "name",
            "kind",
            "floor",
            "capacity",
            "units",
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
            "eligibility",
            "equipment",
            "unit_label",
            "description",
        ]

    def get_eligibility(self, space: Space) -> str:
        rule = space.eligibility
        return space.eligibility_note or (rule.describe() if rule is not None else "")


# --- Filters -------------------------------------------------------------------------------------


class CenterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=100, help_text="Text search")
    district = django_filters.CharFilter(max_length=50)
    kind = django_filters.ChoiceFilter(choices=Center.Kind.choices)
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = Center
        fields = ["q", "district", "kind", "parent"]

    def search(self, queryset: QuerySet[Center], name: str, value: str) -> QuerySet[Center]:
        terms = Q()
        for field in ("name", "alias", "address", "district", "subdistrict", "description"):
            terms |= Q(**{f"{field}__icontains": value})
        return queryset.filter(terms)


class SpaceFilter(django_filters.FilterSet):
    center = IdFilter(field_name="center_id")
    kind = django_filters.ChoiceFilter(choices=Space.Kind.choices)
    capacity_min = BoundedIntegerFilter(field_name="capacity", lookup_expr="gte")
    bookable = StrictBooleanFilter()

    class Meta:
        model = Space
        fields = ["center", "kind", "capacity_min", "bookable"]


# --- Views ---------------------------------------------------------------------------------------


class CenterViewSet(viewsets.ReadOnlyModelViewSet):
    """Centers and stations, with whether they are open now and today's hours."""

    serializer_class = CenterSerializer
    filterset_class = CenterFilter
    lookup_value_regex = "[0-9]{1,18}"
    queryset = selectors.active_centers()

    @reads_replica
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        selectors.annotate_today(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        center = selectors.center_detail(self.kwargs["pk"])
        return Response(CenterDetailSerializer(center).data)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return CenterDetailSerializer if self.action == "retrieve" else CenterSerializer


class SpaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Spaces with the rules a booking must meet."""

    serializer_class = SpaceSerializer
    filterset_class = SpaceFilter
    lookup_value_regex = "[0-9]{1,18}"
    queryset = selectors.active_spaces()

    @reads_replica
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
