"""Celery tasks: thin, each loads by id or runs jobs. No far-future ETAs: the clock (beat,
every minute) finds due work in the database, so a Redis restart loses nothing."""

import logging
from collections.abc import Callable

from celery import shared_task

from core.idempotency import idempotency_keys_purge
from notifications import registry
from notifications.jobs import reminders_schedule
from notifications.services import message_send, messages_hand_over, messages_recover_stale

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_message(message_id: int) -> str:
    return message_send(message_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_messages(message_ids: list[int]) -> int:
    """A batch the clock hands over: one task per ``HAND_OVER_BATCH`` messages rather than one
    per message (a catch-up hands over thousands). Each is claimed before it is sent, so a batch
    delivered twice (a worker lost mid-batch) sends nothing twice."""
    return sum(message_send(message_id) == "sent" for message_id in message_ids)


HAND_OVER_BATCH = 50


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
    done["messages_queued"] = messages_hand_over_to_workers()
    return done


def messages_hand_over_to_workers() -> int:
    """Every due message to the workers, in batches (``messages_hand_over`` marks them)."""
    due = messages_hand_over()
    for start in range(0, len(due), HAND_OVER_BATCH):
        send_messages.delay(due[start : start + HAND_OVER_BATCH])
    return len(due)


@shared_task(ignore_result=True)
def daily() -> dict[str, int]:
    return _run(daily_jobs())
