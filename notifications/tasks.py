"""Celery tasks: thin, each loads by id or runs one job. No far-future ETAs: the clock (beat,
every minute) finds due work in the database, so a Redis restart loses nothing."""

import logging

from celery import shared_task

from bookings.services.clock import (
    bookings_complete_past,
    bookings_mark_no_shows,
    bookings_release_unclaimed,
)
from community.services.wishes import wishes_release_stale
from core.idempotency import idempotency_keys_purge
from notifications import jobs
from notifications.services import message_send, messages_due, messages_recover_stale
from services.services.attendance import registrations_mark_no_shows
from services.services.registration import offers_expire

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_message(message_id: int) -> str:
    return message_send(message_id)


CLOCK_JOBS = [
    bookings_release_unclaimed,
    bookings_mark_no_shows,
    bookings_complete_past,
    offers_expire,
    registrations_mark_no_shows,
    wishes_release_stale,
    jobs.reminders_schedule,
    messages_recover_stale,
]


@shared_task(ignore_result=True)
def tick() -> dict[str, int]:
    """Every minute: the clock jobs, then hand every due message to a worker."""
    done = {}
    for job in CLOCK_JOBS:
        try:
            done[job.__name__] = job()
        except Exception:  # one failing job must not stop the others
            logger.exception("clock job %s failed", job.__name__)
    due = messages_due()
    for message_id in due:
        send_message.delay(message_id)
    done["messages_queued"] = len(due)
    return done


@shared_task(ignore_result=True)
def daily() -> dict[str, int]:
    return {"staff_digest": jobs.staff_digest(), "idempotency_keys": idempotency_keys_purge()}
