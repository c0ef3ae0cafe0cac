"""The programs API's views: parse, call one service or selector, render."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core import idempotency
from core.acting import actor_of
from core.db_router import reads_replica
from core.serializers import ErrorSerializer
from services import selectors
from services.api.filters import ProgramFilter, RegistrationFilter, SessionFilter
from services.api.serializers import (
    EmptySerializer,
    HomeVisitCreateSerializer,
    HomeVisitSerializer,
    ProgramSerializer,
    RegistrationCancelSerializer,
    RegistrationCreateSerializer,
    RegistrationSerializer,
    SessionSerializer,
)
from services.errors import RoleRequired
from services.models import HomeVisitRequest, Program, Registration, Session
from services.services.home_visits import home_visit_request
from services.services.registration import (
    registration_accept,
    registration_cancel,
    session_register,
)

ID_REGEX = "[0-9]{1,18}"
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

    @reads_replica
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

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

    @reads_replica
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        request=RegistrationCreateSerializer,
        responses={
            201: RegistrationSerializer,
            **ERRORS,
            409: OpenApiResponse(
                ErrorSerializer, description="already_registered, role_full, request_in_progress"
            ),
            422: IDEMPOTENCY_ERRORS[422],
        },
        parameters=[idempotency.PARAMETER],
        description=(
            "A seat if one is free (`confirmed`, points spent), else a place at the end of the "
            "waitlist (`waitlisted`, with its `position`); for lottery programs an entry "
            "(`entered`). Errors: 400 `not_eligible`, `registration_closed`, "
            "`insufficient_points`, `member_suspended`, `verification_required`, "
            "`quota_exceeded`, `invalid`; 409 `already_registered`. A volunteer session takes "
            '`{"role": <id>}` (one of the session\'s `roles`): a place in that role, or 409 '
            "`role_full`."
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
        session = get_object_or_404(selectors.registrable_sessions(), pk=pk)
        body = RegistrationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        role = None
        if data["role"] is not None:
            # Another session's role is no role of this one (the service says so).
            role = next((r for r in session.roles.all() if r.pk == data["role"]), None)
            if role is None:
                raise RoleRequired(_("This session has no such role."))
        registration = session_register(
            session=session,
            member=request.user,
            party_size=data["party_size"],
            role=role,
            by=actor_of(request),
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
            registration=registration, by=actor_of(request), reason=body.validated_data["reason"]
        )
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        request=None,
        responses={200: RegistrationSerializer, **ERRORS, 409: ErrorSerializer},
        description=(
            "Take an offered seat before `offer_expires_at` (points are spent now). Errors: "
            "400 `offer_expired` (the offer lapsed, was already taken, or there is none), "
            "`insufficient_points`."
        ),
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept an offered seat."""
        registration = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        registration = registration_accept(
            registration=registration, member=request.user, by=actor_of(request)
        )
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
