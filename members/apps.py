from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # Registers the no-show policy's and family links' messages, and the family links'
        # part of a member's data export and account deletion.
        from members import messages, proxy_privacy  # noqa: F401
