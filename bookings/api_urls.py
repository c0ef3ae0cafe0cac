"""Bookings and availability endpoints under /api/v1/ (API.md, "Places" and "Bookings")."""

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from bookings.api import BookingViewSet, CenterAvailabilityView, SpaceAvailabilityView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("bookings", BookingViewSet, basename="booking")

urlpatterns = [
    re_path(
        r"^spaces/(?P<pk>[0-9]{1,18})/availability/$",
        SpaceAvailabilityView.as_view(),
        name="space-availability",
    ),
    re_path(
        r"^centers/(?P<pk>[0-9]{1,18})/availability/$",
        CenterAvailabilityView.as_view(),
        name="center-availability",
    ),
    *router.urls,
]
