"""The API against the framework floor, over HTTP: gunicorn (2 sync workers) serving
``GET /api/v1/centers/{id}/availability/?days=14`` for the demo center and the busy center
(bench/availability.py: 30 spaces, 120 units, 10,000 bookings in the window, plus 3 years of past
holds), cold (no cache) and warm (Redis), and ``POST /api/v1/bookings/`` for distinct free slots;
each in rounds interleaved with the floor (a bare DRF GET reading one row, a POST inserting one,
same processes: bench/urls.py). Prints rates, the ratio to the floor, p50 and p99, query counts,
answer sizes and the plan of the hold query.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/api.py

PostgreSQL only (the servers are other processes; the history is made in SQL).
``BENCH_ONLY=write`` runs the bookings part alone (no demo or busy center to build);
``BENCH_WRITE_UNITS=4`` books spaces of four units instead of one.
"""

import io
import itertools
import json
import os
import sys
from datetime import time, timedelta

from _http import ab, counted_queries, describe, serve, tokens_for
from _setup import setup_django
from availability import DAYS, build_busy_center

HISTORY_FORTNIGHTS = int(os.environ.get("BENCH_HISTORY_FORTNIGHTS", "78"))  # three years
WRITE_SPACES = 20
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
WRITE_ONLY = os.environ.get("BENCH_ONLY") == "write"
# Units of each space booked: 1 (a meeting room: the exclusion constraint alone picks the unit)
# or more (a laundry: the free units are read under the lock first).
WRITE_UNITS = int(os.environ.get("BENCH_WRITE_UNITS", "1"))


def add_history(spaces) -> int:
    """Copies of the window's bookings and holds, one per fortnight back for three years, as
    if their holds had never been cleaned away: the hold query must not read them."""
    from django.db import connection

    ids = [s.id for s in spaces]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO bookings_booking (space_id, unit, member_id, start, "end", status,
                purpose, attendees, check_in_code, cancel_until, created_by_id, created, updated)
            SELECT space_id, unit, member_id, start - k * interval '14 days',
                "end" - k * interval '14 days', 'completed', 'history', 1, check_in_code,
                cancel_until, created_by_id, created, updated
            FROM bookings_booking, generate_series(1, %s) AS k
            WHERE space_id = ANY(%s) AND status = 'confirmed'
            """,
            [HISTORY_FORTNIGHTS, ids],
        )
        cursor.execute(
            """
            INSERT INTO bookings_spacehold (space_id, unit, start, "end", booking_id)
            SELECT b.space_id, b.unit, b.start - s.buffer_before_minutes * interval '1 minute',
                b."end" + s.buffer_after_minutes * interval '1 minute', b.id
            FROM bookings_booking b JOIN centers_space s ON s.id = b.space_id
            WHERE b.purpose = 'history' AND b.space_id = ANY(%s)
            """,
            [ids],
        )
        cursor.execute("ANALYZE")
        # As autovacuum would soon after: the visibility map lets the hold query read the
        # covering index alone (an index-only scan).
        cursor.execute("VACUUM bookings_spacehold")
        cursor.execute("SELECT count(*) FROM bookings_spacehold")
        return cursor.fetchone()[0]


def explain_hold_query(spaces, first) -> str:
    """The plan of the query ``bookings.selectors.unit_holds`` runs for the busy center."""
    from django.db import connection

    from bookings import selectors

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        selectors.unit_holds(spaces, first, first + timedelta(days=DAYS - 1))
    sql, params = captured[-1]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def write_setup():
    """A center whose spaces take any number of bookings per member, and members with tokens."""
    from centers.models import Center, OpeningRule, Space
    from members.models import User

    center = Center.objects.create(name="写入基准中心", district="静安区", address="基准路2号")
    OpeningRule.objects.create(center=center, opens=time(8, 30), closes=time(20, 30))
    spaces = [
        Space.objects.create(
            center=center,
            name=f"写入{n}",
            max_days_ahead=60,
            min_notice_minutes=0,
            max_active_per_member=10_000,
            units=WRITE_UNITS,
        )
        for n in range(WRITE_SPACES)
    ]
    members = [User.objects.create(username=f"writer{n}") for n in range(50)]
    return center, spaces, tokens_for(members), members


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"  # the floor's URLs in here too
    vendor = setup_django()
    if vendor != "postgresql":
        sys.exit("bench/api.py needs BENCH_DATABASE_URL=postgres://...")
    from django.core.management import call_command
    from django.db.models import Count, Q
    from django.test import Client
    from django.utils import timezone

    from centers.models import Center

    if not WRITE_ONLY:
        call_command("loaddemo", stdout=io.StringIO())
        demo = (
            Center.objects.annotate(n=Count("spaces", filter=Q(spaces__bookable=True)))
            .order_by("-n")
            .first()
        )
        busy, busy_spaces, first = build_busy_center()
        holds = add_history(busy_spaces)
        print(f"{vendor}: demo center {demo.name} ({demo.n} bookable spaces); busy: 30 spaces")
        print(f"  spacehold rows: {holds:,} (3 years of past holds behind the busy window)")
        print("  the hold query's plan:")
        print("    " + explain_hold_query(busy_spaces, first).replace("\n", "\n    "))

    write_center, write_spaces, tokens, members = write_setup()
    today = timezone.localdate()
    tz = write_center.tz
    slots_per_day = 24

    slot_numbers = itertools.count()  # across rounds: every request a slot never asked for

    def booking_request(_i: int):
        i = next(slot_numbers)
        space = write_spaces[i % WRITE_SPACES]
        n = i // WRITE_SPACES
        day = today + timedelta(days=1 + n // slots_per_day)
        start = timezone.datetime.combine(day, time(8, 30), tzinfo=tz) + timedelta(
            minutes=30 * (n % slots_per_day)
        )
        member = members[i % len(members)]
        body = {
            "space": space.id,
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat(),
        }
        return ("POST", "/api/v1/bookings/", body, {"X-Session-Token": tokens[member.pk]})

    def availability_request(center):
        path = f"/api/v1/centers/{center.id}/availability/?days={DAYS}"
        return lambda i: ("GET", path, None, {})

    floor_read = lambda i: ("GET", "/bench/floor/", None, {})  # noqa: E731
    writer_token = tokens[members[0].pk]
    floor_write = lambda i: (  # noqa: E731
        "POST",
        "/bench/floor/write/",
        {"space": write_spaces[0].id},
        {"X-Session-Token": writer_token},
    )

    # Query counts and sizes, in this process (cold: nothing cached).
    client = Client()
    print("  queries per request (cold) and answer sizes:")
    requests = [("floor GET", floor_read(0)), ("floor POST", floor_write(0))]
    if not WRITE_ONLY:
        requests += [
            ("availability, demo center", availability_request(demo)(0)),
            ("availability, busy center", availability_request(busy)(0)),
        ]
    for label, request in [*requests, ("POST /bookings/", booking_request(0))]:
        method, path, body, headers = request
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        with counted_queries() as seen:
            if method == "GET":
                response = client.get(path, **extra)
            else:
                response = client.post(
                    path, json.dumps(body), content_type="application/json", **extra
                )
        assert response.status_code in (200, 201), response.content[:300]
        print(f"    {label}: {len(seen)} queries, {len(response.content):,} bytes")

    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    print(f"  gunicorn, 2 sync workers; {ROUNDS} rounds of {SECONDS:.0f} s per side, 4 clients")

    def both_centers(port: int, how: str) -> None:
        for name, center in (("demo", demo), ("busy", busy)):
            describe(
                f"availability, {name} center, {how}",
                ab(port, floor_read, availability_request(center), rounds=ROUNDS, seconds=SECONDS),
            )

    with serve(cache_url="dummycache://", env={"BENCH_BROKER_URL": redis}) as port:
        if not WRITE_ONLY:
            both_centers(port, "cold")
        describe(
            "POST /bookings/, distinct free slots",
            ab(port, floor_write, booking_request, rounds=ROUNDS, seconds=SECONDS),
        )
    if not WRITE_ONLY:
        with serve(cache_url=redis, env={"BENCH_BROKER_URL": redis}) as port:
            both_centers(port, "warm")
    import redis as redis_client

    redis_client.Redis.from_url(redis).flushdb()


if __name__ == "__main__":
    main()
