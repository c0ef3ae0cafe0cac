from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = _("Centers and spaces")

    def ready(self) -> None:
        # Registers centers with the outbox (the digest's subject, staff scope).
        from centers import messages  # noqa: F401
