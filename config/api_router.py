from django.urls import path
from rest_framework.routers import DefaultRouter

from centers.api import CenterViewSet, SpaceViewSet
from members import api as members_api
from members.api_proxies import ProxyLinkViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("centers", CenterViewSet, basename="center")
router.register("spaces", SpaceViewSet, basename="space")
router.register("me/proxies", ProxyLinkViewSet, basename="proxy-link")

urlpatterns = [
    path("auth/wechat/", members_api.WeChatLoginView.as_view(), name="auth-wechat"),
    path("me/", members_api.MeView.as_view(), name="me"),
    path("me/verification/", members_api.VerificationView.as_view(), name="me-verification"),
    path("me/points/", members_api.PointsView.as_view(), name="me-points"),
    path("me/export/", members_api.ExportView.as_view(), name="me-export"),
    *router.urls,
]
