"""Programs, sessions, registrations and home visits under /api/v1/ (API.md, "Programs").

Views parse, call one service or selector, and render; the services raise the errors whose
codes API.md names, and core.api turns them into the one error shape. Times leave in the
center's zone: rendering runs under ``timezone.override(center.tz)``, which DRF's DateTimeField
uses.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from centers.models import Center
from core import idempotency
from core.filters import IdFilter, IsoDateFilter, StrictBooleanFilter
from core.serializers import (
    ErrorSerializer,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)
from members.services.eligibility import eligibility_describe
from services import selectors
from services.models import HomeVisitRequest, Program, Registration, Session
from services.services.home_visits import home_visit_request
from services.services.registration import (
    registration_accept,
    registration_cancel,
    session_register,
)

# party_size is a PositiveSmallIntegerField.
MAX_PARTY_SIZE = 32767
ID_REGEX = "[0-9]{1,18}"

# --- Serializers ---------------------------------------------------------------------------------


class NextSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    seats_left = serializers.IntegerField()


class ProgramSerializer(serializers.ModelSerializer):
    eligibility = serializers.SerializerMethodField(
        help_text="Who may register, in words; empty when everyone may"
    )
    next_session = serializers.SerializerMethodField(
        help_text="The next scheduled session that has not started, or null"
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "center",
            "title",
            "category",
            "description",
            "kind",
            "eligibility",
            "points_cost",
            "next_session",
            "mode",
            "partner",
            "max_party_size",
            "verification_required",
            "points_reward",
            "free_for_elderly",
        ]
        read_only_fields = fields

    def get_eligibility(self, program: Program) -> str:
        return eligibility_describe(program.eligibility)

    @extend_schema_field(NextSessionSerializer(allow_null=True))
    def get_next_session(self, program: Program) -> dict[str, Any] | None:
        session = next(iter(program.next_sessions), None)
        if session is None:
            return None
        with timezone.override(program.center.tz):
            return NextSessionSerializer(session).data


class SessionSerializer(serializers.ModelSerializer):
    center = serializers.IntegerField(source="program.center_id", read_only=True)
    seats_left = serializers.IntegerField(read_only=True)
    waitlist_length = serializers.IntegerField(read_only=True, help_text="Members on the waitlist")
    registration_open = serializers.SerializerMethodField(
        help_text="Now within the registration window, and the session scheduled and not started"
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "program",
            "start",
            "end",
            "space",
            "capacity",
            "seats_left",
            "waitlist_length",
            "registration_open",
            "center",
            "status",
            "registration_opens",
            "registration_closes",
            "note",
        ]
        read_only_fields = fields

    def get_registration_open(self, session: Session) -> bool:
        return selectors.registration_open(session, self.context.get("now") or timezone.now())

    def to_representation(self, session: Session) -> dict[str, Any]:
        with timezone.override(session.program.center.tz):
            return super().to_representation(session)


class RegistrationSerializer(serializers.ModelSerializer):
    position = serializers.SerializerMethodField(
        help_text="Place in the waitlist's order while waitlisted (it does not move up when "
        "others leave); null otherwise"
    )
    program = serializers.IntegerField(source="session.program_id", read_only=True)
    program_title = serializers.CharField(source="session.program.title", read_only=True)
    center = serializers.IntegerField(source="session.program.center_id", read_only=True)
    start = serializers.DateTimeField(source="session.start", read_only=True)
    end = serializers.DateTimeField(source="session.end", read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "session",
            "status",
            "position",
            "check_in_code",
            "party_size",
            "offer_expires_at",
            "created",
            "program",
            "program_title",
            "center",
            "start",
            "end",
        ]
        read_only_fields = fields

    def get_position(self, registration: Registration) -> int | None:
        if registration.status != Registration.Status.WAITLISTED:
            return None
        return registration.position

    def to_representation(self, registration: Registration) -> dict[str, Any]:
        with timezone.override(registration.session.program.center.tz):
            return super().to_representation(registration)


class RegistrationCreateSerializer(StrictSerializer):
    party_size = StrictIntegerField(
        min_value=1,
        max_value=MAX_PARTY_SIZE,
        default=1,
        help_text="1 = the member alone; up to the program's max_party_size",
    )


class RegistrationCancelSerializer(StrictSerializer):
    reason = StrictCharField(max_length=200, allow_blank=True, default="")


class EmptySerializer(StrictSerializer):
    """A body with no fields (any field is a 400 ``invalid``)."""


class HomeVisitSerializer(serializers.ModelSerializer):
    program_title = serializers.CharField(source="program.title", read_only=True)

    class Meta:
        model = HomeVisitRequest
        fields = [
            "id",
            "program",
            "program_title",
            "address",
            "preferred_time",
            "notes",
            "status",
            "scheduled_at",
            "created",
        ]
        read_only_fields = fields

    def to_representation(self, visit: HomeVisitRequest) -> dict[str, Any]:
        with timezone.override(visit.program.center.tz):
            return super().to_representation(visit)


class HomeVisitCreateSerializer(StrictSerializer):
    address = StrictCharField(max_length=200)
    preferred_time = StrictCharField(
        max_length=100, allow_blank=True, default="", help_text="In words, e.g. 周三上午"
    )
    notes = StrictCharField(max_length=2000, allow_blank=True, default="")


# --- Filters -------------------------------------------------------------------------------------


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


# --- Views ---------------------------------------------------------------------------------------

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
IDEMPOTENCY_ERRORS = {
    409: OpenApiResponse(ErrorSerializer, description="request_in_progress"),
    422: OpenApiResponse(ErrorSerializer, description="idempotency_key_reused"),
}


class ListOnlyFilterMixin:
    """Query filters narrow lists only: a detail or an action finds any object of the
    queryset (a past session, too)."""

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(responses={200: ProgramSerializer(many=True), 400: ErrorSerializer}),
    retrieve=extend_schema(responses={200: ProgramSerializer, 404: ErrorSerializer}),
)
class ProgramViewSet(ListOnlyFilterMixin, viewsets.ReadOnlyModelViewSet):
    """Service programs of active centers, each with its next session."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Program]:
        return selectors.active_programs()

    @extend_schema(
        request=HomeVisitCreateSerializer,
        responses={201: HomeVisitSerializer, **ERRORS, **IDEMPOTENCY_ERRORS},
        parameters=[idempotency.PARAMETER],
        description=(
            "Ask for a visit at home (预约上门服务), for programs of the category `home_visit`. "
            "Errors: 400 `invalid` (another category, or the address), `not_eligible`, "
            "`member_suspended`, `verification_required`."
        ),
        tags=["home-visits"],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="home-visits",
        permission_classes=[IsAuthenticated],
    )
    @idempotency.idempotent
    def home_visits(self, request: Request, pk: str) -> Response:
        """Request a home visit."""
        program = self.get_object()
        body = HomeVisitCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = home_visit_request(program=program, member=request.user, **body.validated_data)
        return Response(HomeVisitSerializer(visit).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        responses={200: SessionSerializer(many=True), 400: ErrorSerializer},
        description="Upcoming scheduled sessions, soonest first; with `from`, also those "
        "that have started since that day. Times in the center's zone (+08:00).",
    ),
    retrieve=extend_schema(
        responses={200: SessionSerializer, 404: ErrorSerializer},
        description="Any session of an active program, past or cancelled too.",
    ),
)
class SessionViewSet(ListOnlyFilterMixin, viewsets.ReadOnlyModelViewSet):
    """Sessions (场次) of programs; the list shows upcoming scheduled ones, soonest first."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Session]:
        return selectors.listed_sessions()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        request=RegistrationCreateSerializer,
        responses={
            201: RegistrationSerializer,
            **ERRORS,
            409: OpenApiResponse(
                ErrorSerializer, description="already_registered, request_in_progress"
            ),
            422: IDEMPOTENCY_ERRORS[422],
        },
        parameters=[idempotency.PARAMETER],
        description=(
            "A seat if one is free (`confirmed`, points spent), else a place at the end of the "
            "waitlist (`waitlisted`, with its `position`); for lottery programs an entry "
            "(`entered`). Errors: 400 `not_eligible`, `registration_closed`, "
            "`insufficient_points`, `member_suspended`, `verification_required`, "
            "`quota_exceeded`, `invalid`; 409 `already_registered`."
        ),
        tags=["registrations"],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="registrations",
        permission_classes=[IsAuthenticated],
    )
    @idempotency.idempotent
    def register(self, request: Request, pk: str) -> Response:
        """Register for the session."""
        session = get_object_or_404(self.get_queryset(), pk=pk)
        body = RegistrationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        registration = session_register(
            session=session, member=request.user, party_size=body.validated_data["party_size"]
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: RegistrationSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: RegistrationSerializer, **ERRORS}),
)
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The logged-in member's registrations, latest session first."""

    permission_classes = [IsAuthenticated]
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Registration]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no member
            return Registration.objects.none()
        return selectors.member_registrations(self.request.user)

    @extend_schema(
        request=RegistrationCancelSerializer,
        responses={200: RegistrationSerializer, **ERRORS, 409: ErrorSerializer},
        description=(
            "Leave a seat, an offer, the waitlist or the lottery before the session starts; "
            "points come back until the program's cancel deadline. A freed seat is offered to "
            "the first on the waitlist. Errors: 409 `not_cancellable`."
        ),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel the registration."""
        registration = self.get_object()
        body = RegistrationCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        registration = registration_cancel(
            registration=registration, by=request.user, reason=body.validated_data["reason"]
        )
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        request=None,
        responses={200: RegistrationSerializer, **ERRORS, 409: ErrorSerializer},
        description=(
            "Take an offered seat before `offer_expires_at` (points are spent now). Errors: "
            "400 `offer_expired`, `insufficient_points`; 409 `invalid_transition` when the "
            "registration is not offered a seat."
        ),
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept an offered seat."""
        registration = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        registration = registration_accept(registration=registration, member=request.user)
        return Response(RegistrationSerializer(registration).data)


@extend_schema_view(
    list=extend_schema(responses={200: HomeVisitSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: HomeVisitSerializer, **ERRORS}),
)
class HomeVisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The logged-in member's home-visit requests, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = HomeVisitSerializer
    filter_backends = []
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[HomeVisitRequest]:
        if getattr(self, "swagger_fake_view", False):
            return HomeVisitRequest.objects.none()
        return selectors.member_home_visits(self.request.user)
