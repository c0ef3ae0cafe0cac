from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Service programs")

    def ready(self) -> None:
        # Registers this app's part of a member's data export and account deletion.
        from services import privacy  # noqa: F401
