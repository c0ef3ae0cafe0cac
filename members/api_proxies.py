"""Family links (亲友代办) under /api/v1/me/proxies/ (API.md, "Community"). A member acts for
a relative on any member endpoint with ``X-On-Behalf-Of`` (members.authentication); links
themselves are made, confirmed and ended only by the member for themselves."""

from typing import Any

from django.db.models import QuerySet
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

from core import idempotency
from core.serializers import ErrorSerializer, StrictCharField, StrictSerializer
from members.authentication import NotForARelative
from members.models import ProxyLink, User
from members.phones import mask_phone
from members.selectors import member_name, member_proxy_links
from members.services.proxies import proxy_confirm, proxy_end, proxy_request

I_ACT_FOR, ACTS_FOR_ME = "i_act_for", "acts_for_me"


class RelativeSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True,
        help_text="The member id to send as X-On-Behalf-Of; null until the relative agreed",
    )
    display_name = serializers.CharField()
    phone = serializers.CharField(help_text="Masked, e.g. 138****5678")


class ProxyLinkSerializer(serializers.ModelSerializer):
    relative = serializers.SerializerMethodField(
        help_text="The other person of the link: whom I act for, or who acts for me"
    )
    direction = serializers.SerializerMethodField()

    class Meta:
        model = ProxyLink
        fields = ["id", "relative", "status", "direction", "via", "created", "confirmed_at"]
        read_only_fields = fields

    def _me(self) -> User:
        return self.context["request"].user

    @extend_schema_field(serializers.ChoiceField(choices=[I_ACT_FOR, ACTS_FOR_ME]))
    def get_direction(self, link: ProxyLink) -> str:
        return I_ACT_FOR if link.proxy_id == self._me().pk else ACTS_FOR_ME

    @extend_schema_field(RelativeSerializer)
    def get_relative(self, link: ProxyLink) -> dict[str, Any]:
        if link.proxy_id != self._me().pk:
            other = link.proxy
        elif link.member_id is not None:
            other = link.member
        else:  # still waiting for the code: what the member typed
            return {
                "id": None,
                "display_name": link.relative_name,
                "phone": mask_phone(link.phone),
            }
        return {"id": other.pk, "display_name": member_name(other), "phone": other.phone_masked}


class ProxyRequestSerializer(StrictSerializer):
    phone = StrictCharField(max_length=32, help_text="The relative's mainland mobile number")
    display_name = StrictCharField(
        max_length=50, allow_blank=True, default="", help_text="What you call them, e.g. 妈妈"
    )


class ProxyConfirmSerializer(StrictSerializer):
    code = StrictCharField(max_length=12, help_text="The code texted to the relative's phone")


class EmptySerializer(StrictSerializer):
    """A body with no fields."""


ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(
        responses={200: ProxyLinkSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer},
        description=(
            "The member's family links both ways: relatives they act for (`i_act_for`) and "
            "family who act for them (`acts_for_me`), newest first."
        ),
    ),
    retrieve=extend_schema(responses={200: ProxyLinkSerializer, **ERRORS}),
)
class ProxyLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Family links (亲友代办)."""

    permission_classes = [IsAuthenticated, NotForARelative]
    serializer_class = ProxyLinkSerializer
    filter_backends = []
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[ProxyLink]:
        if getattr(self, "swagger_fake_view", False):
            return ProxyLink.objects.none()
        return member_proxy_links(self.request.user)

    def _render(self, link: ProxyLink, code: int = status.HTTP_200_OK) -> Response:
        link = self.get_queryset().get(pk=link.pk)
        return Response(self.get_serializer(link).data, status=code)

    @extend_schema(
        request=ProxyRequestSerializer,
        responses={
            201: ProxyLinkSerializer,
            **ERRORS,
            409: OpenApiResponse(
                ErrorSerializer, description="already_linked, request_in_progress"
            ),
            422: OpenApiResponse(ErrorSerializer, description="idempotency_key_reused"),
        },
        parameters=[idempotency.PARAMETER],
        description=(
            "Ask to act for the relative with this mobile number (`pending`): a one-time code "
            "goes to that phone by SMS; the relative reads it out and you send it to "
            "`confirm`. Staff can also link you at a center's front desk, seeing the relative "
            "in person. Errors: 400 `verification_required` (verify your real name first), "
            "`invalid`, `quota_exceeded` (three codes a day); 409 `already_linked`."
        ),
    )
    @idempotency.idempotent
    def create(self, request: Request) -> Response:
        """Ask to act for a relative."""
        body = ProxyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link = proxy_request(
            proxy=request.user,
            phone=body.validated_data["phone"],
            relative_name=body.validated_data["display_name"],
        )
        return self._render(link, status.HTTP_201_CREATED)

    @extend_schema(
        request=ProxyConfirmSerializer,
        responses={
            200: ProxyLinkSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="invalid_transition, already_linked"),
        },
        description=(
            "The code the relative read out: the link becomes `active`, and the relative's "
            "`id` appears, to send as `X-On-Behalf-Of`. A relative without an account gets "
            "one (their phone is proven by the code). Errors: 400 `wrong_code` (five tries), "
            "`code_expired` (30 minutes); 409 `invalid_transition` when not pending."
        ),
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Confirm a family link with the relative's code."""
        link = self.get_object()
        body = ProxyConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._render(proxy_confirm(link=link, by=request.user, **body.validated_data))

    @extend_schema(
        request=None,
        responses={
            200: ProxyLinkSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="invalid_transition"),
        },
        description=(
            "End the link (`ended`), from either side: the family member, or the relative "
            "at any time. Both are told."
        ),
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """End a family link."""
        link = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        return self._render(proxy_end(link=link, by=request.user))
