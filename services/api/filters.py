"""Query filters of the programs and sessions lists."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from centers.models import Center
from core.filters import IdFilter, IsoDateFilter, StrictBooleanFilter
from services.models import Program, Registration, Session


class ProgramFilter(django_filters.FilterSet):
    center = IdFilter(field_name="center_id")
    category = django_filters.ChoiceFilter(choices=Program.Category.choices)
    kind = django_filters.ChoiceFilter(choices=Program.Kind.choices)
    q = django_filters.CharFilter(
        method="search", max_length=100, help_text="Text in the title, description or partner"
    )

    class Meta:
        model = Program
        fields = ["center", "category", "kind", "q"]

    def search(self, queryset: QuerySet[Program], name: str, value: str) -> QuerySet[Program]:
        terms = Q()
        for field in ("title", "description", "partner"):
            terms |= Q(**{f"{field}__icontains": value})
        return queryset.filter(terms)


def _local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


class SessionFilter(django_filters.FilterSet):
    """Without ``from``, only sessions that have not started; always only scheduled ones."""

    program = IdFilter(field_name="program_id")
    center = IdFilter(field_name="program__center_id")
    # "from" is a Python keyword, so the filter enters the class namespace by name.
    locals()["from"] = IsoDateFilter(
        method="starting_from",
        help_text="YYYY-MM-DD in the center's zone: sessions starting on or after this day "
        "(default: those not yet started)",
    )
    to = IsoDateFilter(
        method="starting_until",
        help_text="YYYY-MM-DD in the center's zone: sessions starting on or before this day",
    )
    has_seats = StrictBooleanFilter(
        method="filter_has_seats", help_text="true: seats left; false: full"
    )

    class Meta:
        model = Session
        fields = ["program", "center", "from", "to", "has_seats"]

    def filter_queryset(self, queryset: QuerySet[Session]) -> QuerySet[Session]:
        queryset = super().filter_queryset(queryset).filter(status=Session.Status.SCHEDULED)
        if self.form.cleaned_data.get("from") is None:
            queryset = queryset.filter(start__gt=timezone.now())
        return queryset

    def _in_each_zone(self, lookup: str, day: date) -> Q:
        """``start <lookup> midnight of day`` with midnight in each session's center's zone
        (every center has its own, though today all are Asia/Shanghai)."""
        zones = Center.objects.filter(is_active=True).values_list("time_zone", flat=True)
        condition = Q()
        for zone in set(zones):
            condition |= Q(
                program__center__time_zone=zone,
                **{f"start__{lookup}": _local_midnight(day, zone)},
            )
        return condition

    def starting_from(
        self, queryset: QuerySet[Session], name: str, value: date
    ) -> QuerySet[Session]:
        return queryset.filter(self._in_each_zone("gte", value))

    def starting_until(
        self, queryset: QuerySet[Session], name: str, value: date
    ) -> QuerySet[Session]:
        return queryset.filter(self._in_each_zone("lt", value + timedelta(days=1)))

    def filter_has_seats(
        self, queryset: QuerySet[Session], name: str, value: bool | None
    ) -> QuerySet[Session]:
        if value is None:
            return queryset
        has_seats = Q(seats_taken__lt=F("capacity"))
        return queryset.filter(has_seats) if value else queryset.exclude(has_seats)


class RegistrationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Registration.Status.choices)

    class Meta:
        model = Registration
        fields = ["status"]
