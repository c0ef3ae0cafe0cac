from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Service programs")

    def ready(self) -> None:
        # Registers this app's part of a member's data export and account deletion, its
        # messages (kinds, texts, reminders) and its clock jobs.
        from services import messages, privacy  # noqa: F401
        from services.services import attendance, registration  # noqa: F401
