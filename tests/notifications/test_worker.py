"""The outbox through a real Celery worker on a real Redis: a separate process that shares the
PostgreSQL test database and sends by the file gateway of ``celery_worker``."""

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from notifications.models import Message
from notifications.services import message_enqueue
from notifications.tasks import tick
from tests.factories import ALL_DAY, BookableSpaceFactory, UserFactory, book
from tests.notifications.celery_worker import (
    TEST_REDIS_URL,
    empty_broker,
    publishing_to,
    running_worker,
    sms_events,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory: pytest.TempPathFactory):
    """One worker for the module: starting one takes seconds."""
    empty_broker(TEST_REDIS_URL)
    with running_worker(TEST_REDIS_URL, tmp_path_factory.mktemp("worker")) as running:
        yield running


@pytest.fixture
def sms_file(worker) -> Path:
    worker.sms_file.write_text("")
    return worker.sms_file


def member(n: int):
    return UserFactory(phone=f"+861380000{n:04d}")


def tomorrow_at_ten(space) -> datetime:
    day = timezone.localdate(timezone=space.center.tz) + timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=space.center.tz)


def status(message_id: int) -> str:
    return Message.objects.get(pk=message_id).status


def test_a_booking_confirmation_is_sent_by_the_worker(worker, sms_file):
    resident = member(1)
    space = BookableSpaceFactory(hours=ALL_DAY)

    with publishing_to(TEST_REDIS_URL):
        booking = book(space, tomorrow_at_ten(space), member=resident)

    message = Message.objects.get(kind="booking_confirmed", object_id=booking.pk)
    wait_for(lambda: status(message.pk) == Message.Status.SENT, what="the confirmation")
    message.refresh_from_db()
    assert (message.channel, message.attempts, message.last_error) == ("sms", 1, "")
    assert message.sent_at is not None
    (delivered,) = sms_events(sms_file)
    assert delivered["phone"] == resident.phone
    assert booking.check_in_code in delivered["text"]
    assert delivered["pid"] == worker.process.pid  # sent by the worker, not by this process


def test_tick_on_the_worker_sends_what_is_due(worker, sms_file):
    space = BookableSpaceFactory(hours=ALL_DAY)
    # Made earlier: their confirmations went out at once (inline, not by this gateway).
    bookings = [
        book(space, tomorrow_at_ten(space) + timedelta(hours=n), member=member(n)) for n in range(3)
    ]
    # Written by the clock's jobs, not dispatched: only the clock's tick sends them.
    due = [message_enqueue(kind="reminder_24h", recipient=b.member, about=b).pk for b in bookings]
    later = message_enqueue(
        kind="reminder_1h",
        recipient=bookings[0].member,
        about=bookings[0],
        due_at=timezone.now() + timedelta(hours=2),
    )

    with publishing_to(TEST_REDIS_URL):
        tick.delay()  # what beat does every minute

    wait_for(
        lambda: Message.objects.filter(pk__in=due, status=Message.Status.SENT).count() == 3,
        what="the due reminders",
    )
    assert status(later.pk) == Message.Status.PENDING
    delivered = sms_events(sms_file)
    assert sorted(e["phone"] for e in delivered) == sorted(b.member.phone for b in bookings)
    assert {e["pid"] for e in delivered} == {worker.process.pid}
