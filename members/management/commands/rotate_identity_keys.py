from django.core.management.base import BaseCommand

from members.services.identity import identity_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every ID number and real name with the first key in ID_NUMBER_KEYS and "
        "recompute the lookup digests with ID_NUMBER_HMAC_KEY. Run after putting a new key "
        "first, before dropping the old one. Safe to run again."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = identity_keys_rotate()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the identity data of {count} members."))
