"""The member's notifications (additions to API.md, "The member"): WeChat subscribe-message
consents the mini-program reports, and the messages sent to the member."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import idempotency
from core.serializers import ErrorSerializer, StrictCharField, StrictSerializer
from notifications import selectors, services
from notifications.models import Message, WeChatConsent

# One wx.requestSubscribeMessage call asks for at most a few templates; 20 is generous.
MAX_TEMPLATES = 20


class WeChatConsentsSerializer(StrictSerializer):
    template_ids = serializers.ListField(
        child=StrictCharField(max_length=64),
        min_length=1,
        max_length=MAX_TEMPLATES,
        help_text="Templates the member accepted (the `accept` keys of the "
        "wx.requestSubscribeMessage result)",
    )


class WeChatConsentSerializer(serializers.ModelSerializer):
    remaining = serializers.IntegerField(help_text="Messages of this template that may be sent")

    class Meta:
        model = WeChatConsent
        fields = ["template_id", "remaining"]


class WeChatConsentsResponseSerializer(serializers.Serializer):
    consents = WeChatConsentSerializer(many=True)


class MessageSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField(help_text="e.g. booking_confirmed, reminder_24h")

    class Meta:
        model = Message
        fields = ["id", "kind", "channel", "status", "created", "sent_at"]

    def get_kind(self, message: Message) -> str:
        # Without the suffix that keeps repeated kinds apart (session_changed@<time>).
        return message.kind.split("@", 1)[0]


ERRORS = {400: ErrorSerializer, 401: ErrorSerializer}


class WeChatConsentsView(APIView):
    """What the member accepted in the mini-program's subscribe-message dialog."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: WeChatConsentsResponseSerializer, 401: ErrorSerializer},
        description="The templates the member has consents left for, and how many each.",
    )
    def get(self, request: Request) -> Response:
        consents = selectors.wechat_consents_left(request.user)
        return Response({"consents": WeChatConsentSerializer(consents, many=True).data})

    @extend_schema(
        request=WeChatConsentsSerializer,
        responses={
            200: WeChatConsentsResponseSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="request_in_progress"),
            422: OpenApiResponse(ErrorSerializer, description="idempotency_key_reused"),
        },
        parameters=[idempotency.PARAMETER],
        description=(
            "Call after wx.requestSubscribeMessage with the templates the member accepted: each "
            "lets one more message of its template through (one-time subscriptions). A template "
            "named twice counts once. A template this service does not send is a 400 `invalid`. "
            "Send an Idempotency-Key: a report sent again must not count twice."
        ),
    )
    @idempotency.idempotent
    def post(self, request: Request) -> Response:
        serializer = WeChatConsentsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consents = services.wechat_consents_record(
            member=request.user, template_ids=serializer.validated_data["template_ids"]
        )
        return Response({"consents": WeChatConsentSerializer(consents, many=True).data})


class WeChatConsentWithdrawSerializer(StrictSerializer):
    template_id = StrictCharField(max_length=64, help_text="The template to stop")


class WeChatConsentWithdrawView(APIView):
    """The member withdraws their consents for one template."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=WeChatConsentWithdrawSerializer,
        responses={200: WeChatConsentsResponseSerializer, **ERRORS, 404: ErrorSerializer},
        description=(
            "Withdraw the member's consents for this template: no more messages of it go "
            "through WeChat (they go by the member's next channel) until the member agrees "
            "again in the mini-program. Answers with the consents left. None to withdraw: 404 "
            "`not_found`."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = WeChatConsentWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.wechat_consent_withdraw(
            member=request.user, template_id=serializer.validated_data["template_id"]
        )
        consents = selectors.wechat_consents_left(request.user)
        return Response({"consents": WeChatConsentSerializer(consents, many=True).data})


class MessagesView(generics.ListAPIView):
    """The messages sent (or being sent) to the member, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = MessageSerializer
    filter_backends = []

    def get_queryset(self) -> QuerySet[Message]:
        return selectors.member_messages(self.request.user)

    @extend_schema(responses={200: MessageSerializer(many=True), 401: ErrorSerializer})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
