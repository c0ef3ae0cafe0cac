"""Outbox throughput through a real Celery worker on a real Redis. 2,000 booking confirmations
are written to the outbox and handed to the broker one by one, as ``notifications.notify``
does after a booking commits; then a worker process (``celery worker``, prefork, 2 processes
as on a 2-core machine, logging at INFO like docker-compose's) sends them all by SMS through
the log backend. Prints the enqueue rate (outbox row and publish: what a member's request pays)
and the send rate (messages marked sent per second, first to last).

    .venv/bin/python bench/notifications.py            # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/notifications.py        # PostgreSQL

Needs Redis at BENCH_BROKER_URL (default redis://127.0.0.1:6379/14; emptied first). The worker
opens the benchmark's throwaway database too (a file for SQLite). BENCH_MESSAGES (2000) and
BENCH_CONCURRENCY (2) change the load and the worker's processes. Bookings are inserted in bulk:
only their messages are measured.
"""

import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from urllib.parse import quote

from _setup import ROOT, setup_django

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
TIMEOUT_SECONDS = 600


def database_url(settings: dict) -> str:
    """The benchmark's database as a URL for the worker process."""
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user = quote(settings["USER"] or "", safe="")
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{user}{password}@{host}/{settings['NAME']}"


def start_worker(database: str, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "SMS_BACKEND": "members.sms.LogSMSBackend",
    }
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info"),
        *("--pool=prefork", f"--concurrency={CONCURRENCY}", "--hostname=bench@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def main() -> None:
    vendor = setup_django(shared=True)
    import redis
    from django.db import connection, transaction
    from django.db.models import Max, Min
    from django.utils import timezone

    from bookings.models import Booking
    from centers.models import Center, Space
    from config.celery import app
    from members.models import User
    from notifications.models import Message
    from notifications.services import dispatch, message_enqueue

    redis.Redis.from_url(BROKER_URL).flushdb()
    # The test settings run tasks inline; here they go to Redis, as in production.
    app.conf.update(
        broker_url=BROKER_URL,
        broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5},
        task_always_eager=False,
    )

    center = Center.objects.create(name="基准中心", district="静安区", address="基准路1号")
    space = Space.objects.create(center=center, name="多功能活动室", capacity=10)
    members = User.objects.bulk_create(
        (User(username=f"bench{n}", phone=f"+86139{n:08d}") for n in range(MESSAGES)),
        batch_size=1000,
    )
    first = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    bookings = Booking.objects.bulk_create(
        (
            Booking(
                space=space,
                unit=1,
                member=member,
                start=first + timedelta(hours=n),
                end=first + timedelta(hours=n + 1),
                status=Booking.Status.CONFIRMED,
                check_in_code=f"{n:08d}",
                cancel_until=first + timedelta(hours=n),
                created_by=member,
            )
            for n, member in enumerate(members)
        ),
        batch_size=1000,
    )

    began = time.perf_counter()
    for booking in bookings:
        with transaction.atomic():
            message = message_enqueue(
                kind="booking_confirmed", recipient=booking.member, about=booking
            )
        dispatch(message.pk)
    enqueue_seconds = time.perf_counter() - began

    sent = Message.objects.filter(status=Message.Status.SENT)
    with tempfile.TemporaryFile() as log:
        worker = start_worker(database_url(connection.settings_dict), log)
        try:
            deadline = time.monotonic() + TIMEOUT_SECONDS
            while sent.count() < MESSAGES:
                if worker.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    sys.exit(f"the worker stopped short:\n{log.read().decode()[-3000:]}")
                time.sleep(0.5)
        finally:
            worker.terminate()
            worker.wait(timeout=60)

    window = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    send_seconds = (window["last"] - window["first"]).total_seconds()
    print(
        f"notifications {vendor}: {MESSAGES} booking confirmations by SMS; "
        f"enqueue (outbox row + publish) {MESSAGES / enqueue_seconds:.0f}/s; "
        f"worker ({CONCURRENCY} processes) sent {(MESSAGES - 1) / send_seconds:.0f}/s, "
        f"all in {send_seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
