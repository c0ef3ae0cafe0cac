"""What the outbox promises when things break, shown with real processes: Redis down, a worker
killed in the middle of a send, two clocks running at once.

The guarantee, precisely: a message is written in the transaction of the change that causes it,
so it is never lost; a send is claimed by a conditional update, so two workers never send it at
the same time; a task whose worker died comes back (acks late, reject on worker lost) and finds
the claim taken; a claim that never finished is handed out again after ``STALE_CLAIM``. A worker
killed after the gateway accepted a message but before it wrote "sent" would send it again:
at least once, across that one gap."""

import os
import signal
import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from time import monotonic

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Message
from notifications.services import STALE_CLAIM, message_send, messages_recover_stale
from notifications.tasks import clock_jobs, tick
from tests.factories import ALL_DAY, BookableSpaceFactory, UserFactory, book
from tests.notifications.celery_worker import (
    SMS_BACKEND,
    TEST_REDIS_URL,
    empty_broker,
    free_port,
    publishing_to,
    redis_server,
    running_worker,
    sms_events,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Status = Message.Status


def member(n: int):
    return UserFactory(phone=f"+861390000{n:04d}")


def days_ahead_at_ten(space, days: int) -> datetime:
    day = timezone.localdate(timezone=space.center.tz) + timedelta(days=days)
    return datetime.combine(day, time(10), tzinfo=space.center.tz)


def status(message_id: int) -> str:
    return Message.objects.get(pk=message_id).status


def confirmation(booking_id: int) -> Message:
    return Message.objects.get(kind="booking_confirmed", object_id=booking_id)


@pytest.mark.redis
def test_bookings_succeed_while_redis_is_down_and_confirmations_follow(tmp_path: Path):
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"  # nothing listens there yet: Redis is down
    space = BookableSpaceFactory(hours=ALL_DAY, units=2)
    start = days_ahead_at_ten(space, 1)
    residents = [member(1), member(2)]
    clients = [APIClient() for _ in residents]
    for client, resident in zip(clients, residents, strict=True):
        client.force_authenticate(resident)
    end = start + timedelta(hours=1)
    body = {"space": space.pk, "start": start.isoformat(), "end": end.isoformat()}

    with publishing_to(broker):
        began = monotonic()
        response = clients[0].post("/api/v1/bookings/", body, format="json")
        took = monotonic() - began

        assert response.status_code == 201, response.json()
        assert took < 5
        during_outage = confirmation(response.json()["id"])
        assert (during_outage.status, during_outage.attempts) == (Status.PENDING, 0)

        with redis_server(port), running_worker(broker, tmp_path) as worker:
            # Redis is back: a new booking's confirmation goes out at once...
            response = clients[1].post("/api/v1/bookings/", body, format="json")
            assert response.status_code == 201, response.json()
            after = confirmation(response.json()["id"])
            wait_for(lambda: status(after.pk) == Status.SENT, what="the new confirmation")
            assert status(during_outage.pk) == Status.PENDING
            # ...and the clock's next tick sends the one written during the outage.
            tick.delay()
            wait_for(lambda: status(during_outage.pk) == Status.SENT, what="the late one")
            tick.delay()  # a later tick finds nothing left to send
            wait_for(
                lambda: worker.log().count("notifications.tasks.tick[") >= 4,  # received, done
                what="the second tick",
            )

    delivered = sorted(e["phone"] for e in sms_events(worker.sms_file))
    assert delivered == sorted(r.phone for r in residents)


@pytest.mark.redis
def test_a_pool_process_killed_mid_send_loses_nothing_and_sends_once(tmp_path: Path):
    """A worker's pool process dies in the middle of a send (the OOM killer, a segfault); the
    worker's main process lives on and gives the task back."""
    hold = tmp_path / "hold"
    hold.touch()  # the gateway holds each message until this file is gone
    resident = member(1)
    space = BookableSpaceFactory(hours=ALL_DAY)
    empty_broker(TEST_REDIS_URL)

    with (
        running_worker(
            TEST_REDIS_URL, tmp_path, pool="prefork", env={"LINLI_SMS_HOLD": str(hold)}
        ) as worker,
        publishing_to(TEST_REDIS_URL),
    ):
        booking = book(space, days_ahead_at_ten(space, 1), member=resident)
        message = confirmation(booking.pk)
        (started,) = wait_for(lambda: sms_events(worker.sms_file, "started"), what="the send")
        assert started["pid"] != worker.process.pid  # a pool process sends

        os.kill(started["pid"], signal.SIGKILL)  # before the gateway accepted the message

        # Acked late and rejected on worker lost, the task comes back to a fresh pool process;
        # the claim is still taken, so it does not send a second time alongside.
        wait_for(lambda: "'skipped'" in worker.log(), what="the returned task")
        assert "WorkerLostError" in worker.log()
        assert status(message.pk) == Status.SENDING
        assert len(sms_events(worker.sms_file, "started")) == 1
        assert sms_events(worker.sms_file) == []
        # Ten minutes on, the clock hands the unfinished claim out again.
        hold.unlink()
        later = timezone.now() + STALE_CLAIM + timedelta(minutes=1)
        assert messages_recover_stale(now=later) == 1
        tick.delay()
        wait_for(lambda: status(message.pk) == Status.SENT, what="the resend")

    (delivered,) = sms_events(worker.sms_file)
    assert delivered["phone"] == resident.phone
    assert booking.check_in_code in delivered["text"]
    message.refresh_from_db()
    assert message.attempts == 2


@pytest.mark.redis
def test_a_whole_worker_killed_mid_send_loses_nothing(tmp_path: Path):
    """The worker process itself dies (a solo pool as ``scripts/run`` runs it, or the machine):
    nobody is left to give its task back, which stays unacknowledged in Redis until the
    visibility timeout. The outbox does not wait for that."""
    hold = tmp_path / "hold"
    hold.touch()
    resident = member(1)
    space = BookableSpaceFactory(hours=ALL_DAY)
    empty_broker(TEST_REDIS_URL)

    with publishing_to(TEST_REDIS_URL):
        with running_worker(
            TEST_REDIS_URL, tmp_path, name="doomed", env={"LINLI_SMS_HOLD": str(hold)}
        ) as doomed:
            booking = book(space, days_ahead_at_ten(space, 1), member=resident)
            message = confirmation(booking.pk)
            (started,) = wait_for(lambda: sms_events(doomed.sms_file, "started"), what="the send")
            assert started["pid"] == doomed.process.pid
            doomed.process.kill()
            doomed.process.wait()
        assert status(message.pk) == Status.SENDING
        assert sms_events(doomed.sms_file) == []

        with running_worker(TEST_REDIS_URL, tmp_path, name="successor"):
            later = timezone.now() + STALE_CLAIM + timedelta(minutes=1)
            assert messages_recover_stale(now=later) == 1
            tick.delay()
            wait_for(lambda: status(message.pk) == Status.SENT, what="the resend")

    # When Redis hands the dead worker's task out again, it finds the message sent.
    assert message_send(message.pk) == "skipped"
    (delivered,) = sms_events(doomed.sms_file)  # the file both workers deliver to
    assert delivered["phone"] == resident.phone


CLOCKS = 4
BOOKINGS = 12


def clocks_at_once() -> list[dict[str, int]]:
    """``CLOCKS`` ticks at the same moment, each in its own thread with its own connection, each
    sending inline what it finds due: two beats, or a tick that overran into the next."""
    ready = threading.Barrier(CLOCKS)
    outcomes: list = []

    def clock() -> None:
        try:
            ready.wait(timeout=30)
            outcomes.append(tick())
        except Exception as error:  # reported by the caller's assertion
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=clock) for _ in range(CLOCKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_clocks_running_at_once_send_each_reminder_once(
    tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
):
    space = BookableSpaceFactory(hours=ALL_DAY, units=BOOKINGS)
    start = days_ahead_at_ten(space, 3)
    residents = [member(n) for n in range(BOOKINGS)]
    bookings = [book(space, start, member=resident) for resident in residents]
    sms_file = tmp_path / "sms.jsonl"  # from here on, after the confirmations went out
    settings.SMS_BACKEND = SMS_BACKEND
    monkeypatch.setenv("LINLI_SMS_FILE", str(sms_file))
    every_job = {job.__name__ for job in clock_jobs()} | {"messages_queued"}

    for hours in (24, 1):
        with time_machine.travel(start - timedelta(hours=hours, minutes=-1), tick=True):
            outcomes = clocks_at_once()

        assert [set(o) if isinstance(o, dict) else o for o in outcomes] == [every_job] * CLOCKS
        reminders = Message.objects.filter(kind=f"reminder_{hours}h")
        assert sorted(reminders.values_list("object_id", flat=True)) == sorted(
            b.pk for b in bookings
        )
        assert set(reminders.values_list("status", "attempts")) == {(Status.SENT, 1)}

    delivered = sorted(e["phone"] for e in sms_events(sms_file))
    assert delivered == sorted(r.phone for r in residents for _ in (24, 1))
