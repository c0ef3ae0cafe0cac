from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        # Registers this app's messages, its part of a member's data export and account
        # deletion, and its clock job.
        from community import messages, privacy  # noqa: F401
        from community.services import wishes  # noqa: F401
