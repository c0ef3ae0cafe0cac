"""The member's own API (API.md, "The member") and WeChat mini-program login ("General").

The resident ID number comes in once, through the verification endpoint, and never goes out:
every body here shows ``id_number_masked`` only.
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PageNumberPagination
from core.serializers import (
    ErrorSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictSerializer,
)
from core.throttles import ScopedIPRateThrottle
from members import selectors
from members.authentication import NotForARelative
from members.models import PointsEntry, User
from members.services import identity, privacy, profile, wechat
from members.services.no_shows import active_suspension

# Personal data and tokens: no shared cache may keep a copy.
NO_STORE = {"Cache-Control": "no-store"}

# --- Serializers ---------------------------------------------------------------------------------


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField(help_text="Masked, e.g. 138****5678")
    email = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField(help_text="Completed years today, from birth_date")
    is_verified = serializers.BooleanField(read_only=True)
    id_number_masked = serializers.SerializerMethodField(
        help_text=(
            "First and last character only, e.g. 3****************4; null until verified. "
            "The full number is never shown."
        )
    )
    suspended_until = serializers.SerializerMethodField(
        help_text="End of an active no-show suspension, or null"
    )
    teams = serializers.SerializerMethodField()
    # A list of channel names, not "any JSON" as the model field would have it.
    notification_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=User.Channel.choices), read_only=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "display_name",
            "phone",
            "email",
            "birth_date",
            "age",
            "neighbourhood",
            "is_verified",
            "id_number_masked",
            "points_balance",
            "suspended_until",
            "teams",
            "language",
            "is_party_member",
            "notification_channels",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, member: User) -> str | None:
        return member.phone_masked or None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, member: User) -> str | None:
        return member.email or None

    def get_age(self, member: User) -> int | None:
        return member.age_on(timezone.localdate())

    def get_id_number_masked(self, member: User) -> str | None:
        return member.id_number_masked or None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_suspended_until(self, member: User) -> str | None:
        suspension = active_suspension(member)
        if suspension is None:
            return None
        field = serializers.DateTimeField(default_timezone=suspension.center.tz)
        return field.to_representation(suspension.ends_at)

    @extend_schema_field(TeamRefSerializer(many=True))
    def get_teams(self, member: User) -> list[dict[str, Any]]:
        return [{"id": t.pk, "name": t.name} for t in selectors.member_teams(member)]


class MeUpdateSerializer(StrictSerializer):
    fixed_fields = frozenset(MeSerializer.Meta.fields) - profile.EDITABLE

    display_name = StrictCharField(max_length=50, allow_blank=True, required=False)
    neighbourhood = StrictCharField(max_length=100, allow_blank=True, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    notification_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=User.Channel.choices),
        max_length=len(User.Channel),
        required=False,
        help_text="In order of preference, each at most once",
    )
    is_party_member = StrictBooleanField(required=False)
    birth_date = serializers.DateField(
        allow_null=True, required=False, help_text="Only until verified; then from the ID number"
    )


class DeleteAccountSerializer(StrictSerializer):
    confirm = StrictBooleanField(help_text="Must be true")

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("Send “confirm”: true to delete your account."))
        return value


class VerificationSerializer(StrictSerializer):
    real_name = StrictCharField(max_length=50, help_text="As on the ID card")
    # Longer than 18 on purpose: the service says what is wrong with a malformed number.
    id_number = StrictCharField(max_length=40, help_text="18-character resident ID number")


class WeChatLoginSerializer(StrictSerializer):
    code = StrictCharField(min_length=1, max_length=128, help_text="The code from wx.login()")


class WeChatLoginResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as the X-Session-Token header")
    member = MeSerializer()
    created = serializers.BooleanField(help_text="True when this login made a new account")


class PointsEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsEntry
        fields = ["id", "delta", "kind", "reason", "created"]


class PointsPagination(PageNumberPagination):
    """Our pagination, with the member's balance in front."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"] = {
            "balance": {"type": "integer", "example": 120},
            **paginated["properties"],
        }
        paginated["required"] = ["balance", *paginated.get("required", [])]
        return paginated


# --- Views ---------------------------------------------------------------------------------------

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer}


class WeChatLoginView(APIView):
    """Log in from the WeChat mini-program with a ``wx.login()`` code."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedIPRateThrottle]
    throttle_scope = "wechat_login"

    @extend_schema(
        request=WeChatLoginSerializer,
        responses={
            200: WeChatLoginResponseSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            429: ErrorSerializer,
            503: ErrorSerializer,
        },
        auth=[],
        description=(
            "Exchanges the code with WeChat (sns/jscode2session) and finds or creates the member "
            "for (appid, openid). Errors: 400 `wechat_code_invalid` (get a new code), 429 "
            "`wechat_rate_limited` or `throttled`, 503 `wechat_unavailable` (retry later), 403 "
            "`account_disabled`."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = WeChatLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member, created = wechat.wechat_login(code=serializer.validated_data["code"])
        body = {
            "token": wechat.session_token_for(member),
            "member": MeSerializer(member).data,
            "created": created,
        }
        return Response(body, headers=NO_STORE)


class MeView(APIView):
    """The logged-in member's profile."""

    permission_classes = [IsAuthenticated]
    documents_delete_body = True  # core.schema.AutoSchema: DELETE takes {"confirm": true}

    @extend_schema(responses={200: MeSerializer, 401: ErrorSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses={200: MeSerializer, **ERRORS},
        description="Any other field, including the read-only ones, is a 400 `invalid`.",
    )
    def patch(self, request: Request) -> Response:
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = profile.member_update(member=request.user, data=serializer.validated_data)
        return Response(MeSerializer(member).data)

    @extend_schema(
        request=DeleteAccountSerializer,
        responses={204: None, **ERRORS, 403: ErrorSerializer},
        description=(
            'Deletes the account. Send the body `{"confirm": true}`. The account is anonymized '
            "(bookings and registrations stay, without anything that identifies the member) and "
            "every token and session of it stops working. Never for a relative: 403 "
            "`not_on_behalf` with `X-On-Behalf-Of`."
        ),
    )
    def delete(self, request: Request) -> Response:
        NotForARelative().has_permission(request, self)
        DeleteAccountSerializer(data=request.data).is_valid(raise_exception=True)
        privacy.member_delete(member=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerificationView(APIView):
    """Real-name verification with the 18-digit resident ID number."""

    permission_classes = [IsAuthenticated, NotForARelative]

    @extend_schema(
        request=VerificationSerializer,
        responses={200: MeSerializer, **ERRORS, 403: ErrorSerializer, 409: ErrorSerializer},
        description=(
            "Checks the GB 11643 check digit and derives the birth date. Errors: 400 "
            "`invalid_id_number`, 400 `invalid` (name), 409 `id_number_in_use`, 409 "
            "`already_verified`; 403 `not_on_behalf` with `X-On-Behalf-Of`. The number is "
            "stored encrypted and only ever shown masked."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = VerificationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = identity.member_verify_identity(member=request.user, **serializer.validated_data)
        return Response(MeSerializer(member).data)


class PointsView(generics.ListAPIView):
    """The member's points balance and ledger, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = PointsEntrySerializer
    pagination_class = PointsPagination
    filter_backends = []

    def get_queryset(self) -> QuerySet[PointsEntry]:
        return selectors.member_points_entries(self.request.user)

    @extend_schema(responses={200: PointsEntrySerializer(many=True), 401: ErrorSerializer})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data = {"balance": request.user.points_balance, **response.data}
        return response


class ExportView(APIView):
    """Everything the system holds about the member (PIPL), as a JSON download."""

    permission_classes = [IsAuthenticated, NotForARelative]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request: Request) -> Response:
        headers = {
            "Content-Disposition": f'attachment; filename="{privacy.EXPORT_FILENAME}"',
            **NO_STORE,
        }
        return Response(privacy.member_export(request.user), headers=headers)
