"""Reminders before whatever the apps registered a reminder query for (bookings, sessions).
Safe to run twice at once: the outbox's uniqueness writes each message once."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from notifications import registry
from notifications.services import messages_enqueue_many


def reminders_schedule(now: datetime | None = None) -> int:
    """Write the reminders every registered query says are due now: each query and the
    reminders it found in one transaction (a query marks what it found), written in bulk."""
    now = now or timezone.now()
    count = 0
    for source in registry.REMINDER_SOURCES:
        with transaction.atomic():
            reminders = list(source(now))
            count += messages_enqueue_many(
                [(r.kind, r.recipient, r.about) for r in reminders], due_at=now
            )
    return count
