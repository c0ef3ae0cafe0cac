"""Programs, sessions, registrations and home-visit endpoints under /api/v1/ (API.md,
"Programs")."""

from rest_framework.routers import DefaultRouter

from services.api.views import (
    HomeVisitViewSet,
    ProgramViewSet,
    RegistrationViewSet,
    SessionViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("programs", ProgramViewSet, basename="program")
router.register("sessions", SessionViewSet, basename="session")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("home-visits", HomeVisitViewSet, basename="home-visit")

urlpatterns = router.urls
