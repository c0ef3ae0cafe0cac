"""Reminders before whatever the apps registered a reminder query for (bookings, sessions).
Safe to run twice at once: the outbox's uniqueness writes each message once."""

from datetime import datetime

from django.utils import timezone

from notifications import registry
from notifications.services import message_enqueue


def reminders_schedule(now: datetime | None = None) -> int:
    """Write the reminders every registered query says are due now."""
    now = now or timezone.now()
    count = 0
    for source in registry.REMINDER_SOURCES:
        for reminder in source(now):
            count += bool(
                message_enqueue(
                    kind=reminder.kind, recipient=reminder.recipient, about=reminder.about
                )
            )
    return count
