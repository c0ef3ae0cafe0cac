"""The rush, over HTTP: 2,000 members register at once for a 200-seat session (100 client
threads, each member with its own app token), and 50 members ask at once for one space slot;
gunicorn with BENCH_WORKERS sync workers (default 2 and 8). Checks what must hold — exactly 200
confirmed, the waitlist 1..1,800 without a gap, exactly one booking — and prints registrations
per second, p50 and p99, and the status codes.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/rush.py
"""

import os
import sys
from datetime import time, timedelta

from _http import load, percentile, serve, tokens_for
from _setup import setup_django

MEMBERS = 2000
SEATS = 200
CLIENTS = 100
SLOT_RUSH = 50


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    vendor = setup_django()
    if vendor != "postgresql":
        sys.exit("bench/rush.py needs BENCH_DATABASE_URL=postgres://...")
    from django.utils import timezone

    from centers.models import Center, OpeningRule, Space, StaffAssignment
    from members.models import User
    from services.models import Program, Registration
    from services.services.sessions import session_create

    center = Center.objects.create(name="抢位中心", district="静安区", address="基准路3号")
    OpeningRule.objects.create(center=center, opens=time(8, 30), closes=time(20, 30))
    staff = User.objects.create(username="rush-staff", is_staff=True)
    StaffAssignment.objects.create(user=staff, center=center, role=StaffAssignment.Role.MANAGER)
    program = Program.objects.create(center=center, title="健康讲座", description="")
    room = Space.objects.create(center=center, name="多功能室", min_notice_minutes=0)
    members = User.objects.bulk_create(User(username=f"rush{n}") for n in range(MEMBERS))
    tokens = tokens_for(members)
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    tomorrow = timezone.localdate(timezone=center.tz) + timedelta(days=1)
    print(f"{vendor}: {MEMBERS} members with tokens, {CLIENTS} clients")

    def token(i: int) -> dict[str, str]:
        return {"X-Session-Token": tokens[members[i].pk]}

    for workers in [int(w) for w in os.environ.get("BENCH_WORKERS", "2,8").split(",")]:
        start = timezone.now() + timedelta(days=3, minutes=workers)
        session = session_create(
            program=program, start=start, end=start + timedelta(hours=2), capacity=SEATS, by=staff
        )
        path = f"/api/v1/sessions/{session.id}/registrations/"
        with serve(workers=workers, cache_url=redis, env={"BENCH_BROKER_URL": redis}) as port:
            run = load(
                port,
                lambda i, path=path: ("POST", path, {}, token(i)),
                clients=CLIENTS,
                total=MEMBERS,
                barrier=True,
            )
            slot_start = timezone.datetime.combine(
                tomorrow, time(9 + workers), tzinfo=center.tz
            ).isoformat()
            slot_end = timezone.datetime.combine(
                tomorrow, time(10 + workers), tzinfo=center.tz
            ).isoformat()
            body = {"space": room.id, "start": slot_start, "end": slot_end}
            slot = load(
                port,
                lambda i, body=body: ("POST", "/api/v1/bookings/", body, token(i)),
                clients=SLOT_RUSH,
                total=SLOT_RUSH,
                barrier=True,
            )
        rows = Registration.objects.filter(session=session)
        confirmed = rows.filter(status=Registration.Status.CONFIRMED).count()
        positions = sorted(
            rows.filter(status=Registration.Status.WAITLISTED).values_list("position", flat=True)
        )
        gapless = positions == list(range(1, MEMBERS - SEATS + 1))
        ok = confirmed == SEATS and gapless and run.statuses == {201: MEMBERS}
        print(
            f"  {workers} workers: {MEMBERS} registrations in {run.seconds:.1f} s = "
            f"{MEMBERS / run.seconds:.0f}/s, p50 {percentile(run.latencies, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(run.latencies, 0.99) * 1000:.0f} ms; {confirmed} confirmed, "
            f"waitlist 1..{positions[-1] if positions else 0} gapless={gapless}, "
            f"statuses {dict(run.statuses)} {'OK' if ok else 'WRONG'}",
            flush=True,
        )
        slot_ok = slot.statuses == {201: 1, 409: SLOT_RUSH - 1}
        print(
            f"  {workers} workers: {SLOT_RUSH} requests for one slot: {dict(slot.statuses)} in "
            f"{slot.seconds:.2f} s, p99 {percentile(slot.latencies, 0.99) * 1000:.0f} ms "
            f"{'OK' if slot_ok else 'WRONG'}",
            flush=True,
        )
    import redis as redis_client

    redis_client.Redis.from_url(redis).flushdb()


if __name__ == "__main__":
    main()
