from rest_framework.routers import DefaultRouter

from centers.api import CenterViewSet, SpaceViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("centers", CenterViewSet, basename="center")
router.register("spaces", SpaceViewSet, basename="space")

urlpatterns = router.urls
