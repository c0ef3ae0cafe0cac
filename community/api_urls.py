"""Micro-wishes and proposals under /api/v1/ (API.md, "Community")."""

from rest_framework.routers import DefaultRouter

from community.api.views import ProposalViewSet, WishViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("wishes", WishViewSet, basename="wish")
router.register("proposals", ProposalViewSet, basename="proposal")

urlpatterns = router.urls
