from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        # Registers this app's part of a member's data export and account deletion, its
        # messages (kinds, texts, reminders, the staff digest) and its clock jobs.
        from bookings import messages, privacy  # noqa: F401
        from bookings.services import clock  # noqa: F401
