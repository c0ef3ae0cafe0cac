"""Notification endpoints under /api/v1/ (additions to API.md)."""

from django.urls import path

from notifications import api

urlpatterns = [
    path("me/wechat-consents/", api.WeChatConsentsView.as_view(), name="me-wechat-consents"),
    path(
        "me/wechat-consents/withdraw/",
        api.WeChatConsentWithdrawView.as_view(),
        name="me-wechat-consents-withdraw",
    ),
    path("me/messages/", api.MessagesView.as_view(), name="me-messages"),
]
