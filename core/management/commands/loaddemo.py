from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from core.locks import unordered


class Command(BaseCommand):
    help = (
        "Load the demo centers, spaces, hours, accounts, bookings and service programs. Safe to "
        "run again: it changes nothing."
    )

    def handle(self, *args: object, **options: object) -> None:
        # settings.DEMO_LOADERS: each app's loader, in the order they build on each other.
        # The demo loads alone, each app's part in one transaction of many services' locks.
        with unordered():
            reports = [import_string(path)() for path in settings.DEMO_LOADERS]
        summary = ", ".join(report.summary for report in reports if report.summary)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
        for line in (line for report in reports for line in report.lines):
            self.stdout.write(f"  {line}")
