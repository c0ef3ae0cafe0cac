from django.core.management.base import BaseCommand

from bookings.demo import load_bookings
from centers.demo import load_places
from members.demo import load_accounts
from services.demo import load_services


class Command(BaseCommand):
    help = (
        "Load the demo centers, spaces, hours, accounts, bookings and service programs. Safe to "
        "run again: it changes nothing."
    )

    def handle(self, *args: object, **options: object) -> None:
        centers = load_places()
        logins = load_accounts()
        load_bookings()
        load_services()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(centers)} centers."))
        for login in logins:
            self.stdout.write(
                f"  {login.username:<10} password {login.password:<22} ({login.role})"
            )
