"""Celery tasks: thin, each loads by id or runs jobs. No far-future ETAs: the clock (beat,
every minute) finds due work in the database, so a Redis restart loses nothing."""

import logging
from collections.abc import Callable

from celery import shared_task

from core.idempotency import idempotency_keys_purge
from notifications import registry
from notifications.jobs import reminders_schedule
from notifications.services import message_send, messages_due, messages_recover_stale

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_message(message_id: int) -> str:
    return message_send(message_id)


def clock_jobs() -> list[Callable[[], int]]:
    """Every minute: the apps' registered jobs, then the outbox's own."""
    return [*registry.CLOCK_JOBS, reminders_schedule, messages_recover_stale]


def daily_jobs() -> list[Callable[[], int]]:
    """Every day at 8:00: the apps' registered jobs, then the expired idempotency keys."""
    return [*registry.DAILY_JOBS, idempotency_keys_purge]


def _run(jobs: list[Callable[[], int]]) -> dict[str, int]:
    done = {}
    for job in jobs:
        try:
            done[job.__name__] = job()
        except Exception:  # one failing job must not stop the others
            logger.exception("clock job %s failed", job.__name__)
    return done


@shared_task(ignore_result=True)
def tick() -> dict[str, int]:
    """Every minute: the clock jobs, then hand every due message to a worker."""
    done = _run(clock_jobs())
    due = messages_due()
    for message_id in due:
        send_message.delay(message_id)
    done["messages_queued"] = len(due)
    return done


@shared_task(ignore_result=True)
def daily() -> dict[str, int]:
    return _run(daily_jobs())
