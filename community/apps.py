from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        # Registers this app's message texts, and its part of a member's data export and
        # account deletion.
        from community import messages, privacy  # noqa: F401
