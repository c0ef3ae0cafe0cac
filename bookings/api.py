"""Availability and bookings under /api/v1/ (API.md, "Places" and "Bookings").

Views parse, call one service or selector, and render; services raise the errors whose codes
API.md names, and core.api turns them into the one error shape. Times leave in the center's
zone: rendering runs under ``timezone.override(center.tz)``, which DRF's DateTimeField uses.
"""

from datetime import date, timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import selectors
from bookings.availability_cache import availability_json, center_body, space_body
from bookings.ics import MEDIA_TYPE, booking_ics
from bookings.models import Booking
from bookings.services.create import booking_create, member_team
from bookings.services.lifecycle import booking_cancel, booking_check_in
from centers.models import Center, Space
from centers.selectors import active_spaces, local_today
from core import idempotency
from core.acting import actor_of
from core.db_router import reads_replica
from core.fields import AwareDateTimeField
from core.filters import MAX_ID, StrictBooleanFilter
from core.renderers import PrerenderedJSON
from core.serializers import (
    ErrorSerializer,
    FieldsBuiltOnceMixin,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)

MAX_DAYS = 31
DEFAULT_DAYS = 7
# How far from today ``?start=`` may lie: enough for any booking horizon, and it keeps dates
# such as 0001-01-01 (which would overflow a day earlier) a 400, not a 500.
START_RANGE = timedelta(days=366)
MAX_SMALL_INT = 32767

# --- Availability --------------------------------------------------------------------------------


class AvailabilityQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="YYYY-MM-DD in the center's zone; default today"
    )
    days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, default=DEFAULT_DAYS, help_text="1–31, default 7"
    )

    def validate_start(self, value: date) -> date:
        today = self.context["today"]
        if not today - START_RANGE <= value <= today + START_RANGE:
            raise serializers.ValidationError(_("Choose a date within a year of today."))
        return value


class TimeSpanSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class FreeStretchSerializer(TimeSpanSerializer):
    units_free = serializers.IntegerField(help_text="Units free for the whole stretch")


class DayAvailabilitySerializer(serializers.Serializer):
    date = serializers.DateField()
    open = TimeSpanSerializer(many=True, help_text="Opening intervals (may end the next day)")
    free = FreeStretchSerializer(
        many=True, help_text="Bookable stretches on the slot grid; empty if not bookable"
    )


class SpaceAvailabilitySerializer(serializers.Serializer):
    space = serializers.IntegerField()
    days = DayAvailabilitySerializer(many=True)


class CenterAvailabilitySerializer(serializers.Serializer):
    center = serializers.IntegerField()
    spaces = SpaceAvailabilitySerializer(many=True)


def _window(request: Request, center: Center) -> tuple[date, int]:
    if request.query_params.get("start") == "":
        # DRF reads an empty optional field as absent; the schema says a date, so say so.
        raise serializers.ValidationError({"start": [_("Enter a date as YYYY-MM-DD.")]})
    query = AvailabilityQuerySerializer(
        data=request.query_params, context={"today": local_today(center)}
    )
    query.is_valid(raise_exception=True)
    return query.validated_data.get("start", query.context["today"]), query.validated_data["days"]


AVAILABILITY_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class SpaceAvailabilityView(APIView):
    @extend_schema(
        parameters=[AvailabilityQuerySerializer],
        responses={200: SpaceAvailabilitySerializer, **AVAILABILITY_ERRORS},
        tags=["spaces"],
    )
    @reads_replica
    def get(self, request: Request, pk: str) -> Response:
        """Opening hours and free bookable stretches of a space, day by day."""
        space = get_object_or_404(active_spaces(), pk=pk)
        start, days = _window(request, space.center)
        days_by_space = availability_json([space], start, days)
        return Response(PrerenderedJSON(space_body(space, days_by_space[space.id])))


class CenterAvailabilityView(APIView):
    @extend_schema(
        parameters=[AvailabilityQuerySerializer],
        responses={200: CenterAvailabilitySerializer, **AVAILABILITY_ERRORS},
        tags=["centers"],
    )
    @reads_replica
    def get(self, request: Request, pk: str) -> Response:
        """Availability of every bookable space of a center, in one response."""
        center, spaces = selectors.open_center_spaces(int(pk))
        if center is None:
            raise Http404
        start, days = _window(request, center)
        days_by_space = availability_json(spaces, start, days)
        return Response(PrerenderedJSON(center_body(center.id, spaces, days_by_space)))


# --- Bookings ------------------------------------------------------------------------------------


class BookingSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    space_name = serializers.CharField(source="space.name", read_only=True)
    center = serializers.IntegerField(source="space.center_id", read_only=True)
    access_code = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Door code; null unless the space uses door codes",
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "space",
            "start",
            "end",
            "status",
            "unit",
            "purpose",
            "attendees",
            "check_in_code",
            "access_code",
            "cancel_until",
            "created",
            "team",
            "space_name",
            "center",
            "checked_in_at",
        ]
        read_only_fields = fields

    def to_representation(self, booking: Booking) -> dict[str, Any]:
        with timezone.override(booking.space.center.tz):
            return super().to_representation(booking)


class BookingCreateSerializer(StrictSerializer):
    space = StrictIntegerField(min_value=1, max_value=MAX_ID)
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    purpose = StrictCharField(max_length=200, allow_blank=True, default="")
    attendees = StrictIntegerField(min_value=1, max_value=MAX_SMALL_INT, default=1)
    team = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        default=None,
        help_text="Book for this team (its leader only)",
    )

    def validate_space(self, value: int) -> Any:
        # With its center only: most spaces have no eligibility rule, and for one that has,
        # the rule is read when the booking checks it (its team only for the refusal's words).
        # ``get``, not ``first``: no ORDER BY by the spaces' ordering to build for one row.
        try:
            return active_spaces().select_related(None).select_related("center").get(pk=value)
        except Space.DoesNotExist:
            raise serializers.ValidationError(_("There is no such space.")) from None


class CancelSerializer(StrictSerializer):
    reason = StrictCharField(max_length=200, allow_blank=True, default="")


class CheckInSerializer(StrictSerializer):
    code = StrictCharField(max_length=12, help_text="The code shown at the venue")


class BookingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices)
    upcoming = StrictBooleanFilter(
        method="filter_upcoming",
        help_text="true: not yet over and holding time (pending, confirmed, checked in), "
        "soonest first; false: the others",
    )

    class Meta:
        model = Booking
        fields = ["status", "upcoming"]

    def filter_upcoming(
        self, queryset: QuerySet[Booking], name: str, value: bool | None
    ) -> QuerySet[Booking]:
        if value is None:
            return queryset
        holding = {"end__gt": timezone.now(), "status__in": Booking.HOLDING}
        if value:
            return queryset.filter(**holding).order_by("start", "id")
        return queryset.exclude(**holding)


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """The calendar file is sent whatever the client accepts; errors stay JSON."""

    def select_parser(self, request: Request, parsers: list) -> Any:
        return parsers[0]

    def select_renderer(self, request: Request, renderers: list, format_suffix=None) -> tuple:
        return renderers[0], renderers[0].media_type


ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(summary="The member's own bookings, newest first"),
    retrieve=extend_schema(responses={200: BookingSerializer, **ERRORS}),
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The logged-in member's bookings."""

    permission_classes = [IsAuthenticated]
    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Booking]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no member
            return Booking.objects.none()
        return selectors.member_bookings(self.request.user).order_by("-start", "-id")

    @extend_schema(
        request=BookingCreateSerializer,
        responses={
            201: BookingSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="slot_taken, request_in_progress"),
            422: OpenApiResponse(ErrorSerializer, description="idempotency_key_reused"),
        },
        parameters=[idempotency.PARAMETER],
        description=(
            "Errors: 409 `slot_taken`; 400 `outside_opening_hours`, `off_grid`, `too_short`, "
            "`too_long`, `too_soon`, `too_far_ahead`, `in_past`, `quota_exceeded`, "
            "`not_eligible`, `member_suspended`, `space_not_bookable`, "
            "`verification_required`, `invalid`."
        ),
    )
    @idempotency.idempotent
    def create(self, request: Request) -> Response:
        """Book a space (one unit of it) for a time."""
        body = BookingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        booking = booking_create(
            member=request.user,
            space=data["space"],
            start=data["start"],
            end=data["end"],
            purpose=data["purpose"],
            attendees=data["attendees"],
            team=member_team(request.user, data["team"]),
            by=actor_of(request),
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CancelSerializer,
        responses={200: BookingSerializer, **ERRORS, 409: ErrorSerializer},
        description="Errors: 400 `cancel_deadline_passed`; 409 `not_cancellable`.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel the booking (before the space's deadline)."""
        booking = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        booking = booking_cancel(
            booking=booking, by=actor_of(request), reason=body.validated_data["reason"]
        )
        return Response(BookingSerializer(booking).data)

    @extend_schema(
        request=CheckInSerializer,
        responses={200: BookingSerializer, **ERRORS},
        description="Errors: 400 `wrong_code`, `check_in_not_open`.",
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str) -> Response:
        """Check in at the venue with the code shown there."""
        booking = self.get_object()
        body = CheckInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        booking = booking_check_in(
            booking=booking, by=actor_of(request), code=body.validated_data["code"]
        )
        return Response(BookingSerializer(booking).data)

    @extend_schema(
        responses={
            # Text, not "binary": a generated client reads it as a string (binary crashed one).
            (200, MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR, description="RFC 5545, one VEVENT, TZID Asia/Shanghai"
            ),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get"], content_negotiation_class=IgnoreAcceptNegotiation)
    def ics(self, request: Request, pk: str) -> HttpResponse:
        """The booking as a calendar file."""
        booking = self.get_object()
        return HttpResponse(
            booking_ics(booking),
            content_type=f"{MEDIA_TYPE}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="booking-{booking.pk}.ics"'},
        )
