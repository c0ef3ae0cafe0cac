"""The rush, over HTTP: 2,000 members register at once for a 200-seat session (100 client
threads, each member with its own app token), and 50 members ask at once for one space slot;
gunicorn with BENCH_WORKERS sync workers (default 2 and 4). Checks what must hold — exactly 200
confirmed, the waitlist 1..1,800 without a gap, exactly one booking — and prints registrations
per second, p50 and p99, and the status codes.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/rush.py
"""

import os
import statistics
import sys
from datetime import time, timedelta
from time import perf_counter

from _http import load, percentile, serve, tokens_for
from _setup import setup_django

MEMBERS = 2000
SEATS = 200
CLIENTS = 100
SLOT_RUSH = 50


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    # This process writes the members' sessions to the cache gunicorn reads, as logging in does.
    os.environ["BENCH_CACHE_URL"] = redis
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
    # With a phone each, as members have: every registration writes its text message to the
    # outbox and hands it to the broker after the commit, as in production.
    members = User.objects.bulk_create(
        User(username=f"rush{n}", phone=f"+86137{n:08d}") for n in range(MEMBERS)
    )
    tokens = tokens_for(members)
    # A member who has logged in has their session in the cache (SESSION_ENGINE cached_db
    # writes it there): loading each through the engine puts it there.
    from importlib import import_module

    from django.conf import settings

    engine = import_module(settings.SESSION_ENGINE)
    for key in tokens.values():
        engine.SessionStore(session_key=key).load()
    tomorrow = timezone.localdate(timezone=center.tz) + timedelta(days=1)
    print(f"{vendor}: {MEMBERS} members with tokens, {CLIENTS} clients")

    def token(i: int) -> dict[str, str]:
        return {"X-Session-Token": tokens[members[i].pk]}

    in_process(program, staff, members, token, profile="--profile" in sys.argv)

    # "6" is six sync workers, "3x4" three gthread workers of four threads each.
    # "6" is six sync workers, "3x4" three gthread workers of four threads each; a config may
    # come again (runs are noisy on a shared machine).
    results: dict[str, list] = {}
    configs = os.environ.get("BENCH_WORKERS", "2,4,6")
    for run_index, config in enumerate(configs.split(",") if configs else []):
        workers_text, _, threads_text = config.partition("x")
        workers, threads = int(workers_text), int(threads_text or 1)
        label = f"{workers} workers" + (f" x {threads} threads" if threads > 1 else "")
        start = timezone.now() + timedelta(days=3, minutes=run_index)
        session = session_create(
            program=program, start=start, end=start + timedelta(hours=2), capacity=SEATS, by=staff
        )
        path = f"/api/v1/sessions/{session.id}/registrations/"
        with serve(
            workers=workers, threads=threads, cache_url=redis, env={"BENCH_BROKER_URL": redis}
        ) as port:
            # The floor first, the same way (100 clients at once, 2,000 requests, each member's
            # token): a bare authenticated insert in the same processes. It warms the workers
            # too.
            floor = load(
                port,
                lambda i: ("POST", "/bench/floor/write/", {"space": room.id}, token(i)),
                clients=CLIENTS,
                total=MEMBERS,
                barrier=True,
            )
            run = load(
                port,
                lambda i, path=path: ("POST", path, {}, token(i)),
                clients=CLIENTS,
                total=MEMBERS,
                barrier=True,
            )
            slot_start = timezone.datetime.combine(
                tomorrow, time(9 + run_index), tzinfo=center.tz
            ).isoformat()
            slot_end = timezone.datetime.combine(
                tomorrow, time(10 + run_index), tzinfo=center.tz
            ).isoformat()
            body = {"space": room.id, "start": slot_start, "end": slot_end}
            slot = load(
                port,
                # Other members in each run: a member's bookings have a quota.
                lambda i, body=body, first=run_index * SLOT_RUSH: (
                    "POST",
                    "/api/v1/bookings/",
                    body,
                    token((first + i) % MEMBERS),
                ),
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
        results.setdefault(label, []).append((run.rate, floor.rate, run))
        floor_p50, floor_p99 = (percentile(floor.latencies, q) * 1000 for q in (0.5, 0.99))
        print(
            f"  {label}: floor {floor.rate:.0f}/s (p50 {floor_p50:.0f} ms, p99 {floor_p99:.0f} "
            f"ms); registrations {run.rate / floor.rate:.2f} of the floor",
            flush=True,
        )
        print(
            f"  {label}: {MEMBERS} registrations in {run.seconds:.1f} s = "
            f"{MEMBERS / run.seconds:.0f}/s, p50 {percentile(run.latencies, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(run.latencies, 0.99) * 1000:.0f} ms; {confirmed} confirmed, "
            f"waitlist 1..{positions[-1] if positions else 0} gapless={gapless}, "
            f"statuses {dict(run.statuses)} {'OK' if ok else 'WRONG'}",
            flush=True,
        )
        # Where the slow ones are: the first wave (all 100 sent at once) or later.
        later = run.latencies[CLIENTS:]
        print(
            f"  {label}: p90 {percentile(run.latencies, 0.9) * 1000:.0f} ms, max "
            f"{max(run.latencies) * 1000:.0f} ms; after the first {CLIENTS} answers: p50 "
            f"{percentile(later, 0.5) * 1000:.0f} ms, p99 {percentile(later, 0.99) * 1000:.0f} ms",
            flush=True,
        )
        slot_ok = slot.statuses == {201: 1, 409: SLOT_RUSH - 1}
        print(
            f"  {label}: {SLOT_RUSH} requests for one slot: {dict(slot.statuses)} in "
            f"{slot.seconds:.2f} s, p99 {percentile(slot.latencies, 0.99) * 1000:.0f} ms "
            f"{'OK' if slot_ok else 'WRONG'}",
            flush=True,
        )
    print("medians over the runs of each configuration:")
    for label, runs in results.items():
        latencies = [latency for _rate, _floor, run in runs for latency in run.latencies]
        print(
            f"  {label} ({len(runs)} runs): {statistics.median(r for r, _f, _run in runs):.0f}"
            f" registrations/s, {statistics.median(r / f for r, f, _run in runs):.2f} of the "
            f"floor; all runs' requests: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms",
            flush=True,
        )
    import redis as redis_client

    redis_client.Redis.from_url(redis).flushdb()


def in_process(program, staff, members, token, *, profile: bool) -> None:
    """One registration's queries, in this process (cold: the token's session not cached); with
    ``--profile``, where the time of 300 registrations goes (cProfile, Django's test client)."""
    import cProfile
    import json
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from services.services.sessions import session_create

    start = timezone.now() + timedelta(days=2)
    session = session_create(
        program=program, start=start, end=start + timedelta(hours=2), capacity=SEATS, by=staff
    )
    path = f"/api/v1/sessions/{session.id}/registrations/"
    client = Client()

    def register(i: int) -> None:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in token(i).items()}
        response = client.post(path, json.dumps({}), content_type="application/json", **extra)
        assert response.status_code == 201, response.content[:300]

    with CaptureQueriesContext(connection) as seen:
        register(0)
    print(f"  one registration (in process, cold): {len(seen)} queries")
    for query in seen:
        print(f"    {query['time']}s {query['sql'][:150]}")
    began = perf_counter()
    for i in range(1, 301):
        register(i)
    each = (perf_counter() - began) / 300 * 1000
    print(f"  one at a time in process: {each:.1f} ms a registration ({1000 / each:.0f}/s)")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(301, 601):
            register(i)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(80)


if __name__ == "__main__":
    main()
