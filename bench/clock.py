"""The reminder clock at 1,000,000 bookings: the catch-up of 11,000 reminders due at once, a
steady tick with nothing new right after it (no ANALYZE in between: the outbox just grew by
11,000 rows, which is what made the old anti-join plan a nested loop), and a tick after another
burst. Bookings are made in SQL (generate_series), spread over a year around now; 11,000 of them
start within the next 24 hours and were made earlier. The catch-up runs RUNS times (the outbox
emptied and the marks cleared in between; medians printed), then the backlog is handed to the
workers as beat's tick does (the broker stubbed out: the outbox's side of it).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/clock.py
    ... bench/clock.py --profile    # cProfile of the first catch-up
"""

import statistics
import sys
import time

from _setup import setup_django

BOOKINGS = 1_000_000
DUE = 11_000
MEMBERS = 2_000
RUNS = 3


def main() -> None:
    vendor = setup_django()
    if vendor != "postgresql":
        sys.exit("bench/clock.py needs BENCH_DATABASE_URL=postgres://...")
    from django.db import connection
    from django.utils import timezone

    from bookings.models import Booking
    from centers.models import Center, Space
    from members.models import User
    from notifications.jobs import reminders_schedule
    from notifications.models import Message

    center = Center.objects.create(name="时钟中心", district="静安区", address="基准路4号")
    spaces = [Space.objects.create(center=center, name=f"房间{n}") for n in range(50)]
    members = User.objects.bulk_create(
        User(username=f"clock{n}", phone=f"+86139{n:08d}") for n in range(MEMBERS)
    )
    now = timezone.now()
    began = time.perf_counter()
    with connection.cursor() as cursor:
        # n < DUE: starts within 24 hours (made 3 days ago); the rest over a year around now.
        cursor.execute(
            """
            INSERT INTO bookings_booking (space_id, unit, member_id, start, "end", status,
                purpose, attendees, check_in_code, cancel_until, created_by_id, created, updated)
            SELECT %(first_space)s + n %% 50, 1, %(first_member)s + n %% %(members)s, s.start,
                s.start + interval '1 hour', 'confirmed', '', 1, lpad(n::text, 8, '0'),
                s.start, %(first_member)s + n %% %(members)s,
                %(now)s - interval '3 days', %(now)s - interval '3 days'
            FROM generate_series(0, %(total)s - 1) AS n,
            LATERAL (SELECT CASE WHEN n < %(due)s
                THEN %(now)s + interval '1 minute' + (n * interval '1 second') * 86000 / %(due)s
                ELSE %(now)s - interval '180 days' + n * interval '31 seconds' END AS start) s
            """,
            {
                "first_space": spaces[0].id,
                "first_member": members[0].id,
                "members": MEMBERS,
                "total": BOOKINGS,
                "due": DUE,
                "now": now,
            },
        )
        cursor.execute("ANALYZE bookings_booking")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('bookings_booking'))")
        size = cursor.fetchone()[0]
    print(
        f"{vendor}: {BOOKINGS:,} bookings ({size} with indexes) made in "
        f"{time.perf_counter() - began:.0f} s; {DUE:,} start within 24 hours"
    )

    def tick(label: str, profile: bool = False) -> float:
        import cProfile
        import pstats

        from django.test.utils import CaptureQueriesContext

        profiler = cProfile.Profile() if profile else None
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            if profiler:
                profiler.enable()
            written = reminders_schedule(now)
            if profiler:
                profiler.disable()
            took = time.perf_counter() - t
        print(
            f"  {label}: {written:,} reminders in {took:.2f} s, {len(queries)} queries",
            flush=True,
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return took

    catch_ups, steadies = [], []
    for run in range(RUNS):
        if run:
            # The same catch-up again: no reminder written, no mark set.
            Message.objects.all().delete()
            Booking.objects.filter(reminded_hours__isnull=False).update(reminded_hours=None)
        catch_ups.append(tick(f"run {run + 1}: catch-up", profile="--profile" in sys.argv))
        steadies.append(tick(f"run {run + 1}: steady tick right after (no ANALYZE)"))
        steadies.append(tick(f"run {run + 1}: steady tick again"))
    print(f"  outbox: {Message.objects.count():,} messages")

    # Handing the backlog to the workers: what beat's tick does after the catch-up (the broker
    # is an in-memory stand-in here: this measures the outbox's side, not Redis).
    from notifications import tasks

    sent: list = []
    tasks.send_messages.delay = lambda ids: sent.append(len(ids))  # type: ignore[method-assign]
    t = time.perf_counter()
    queued = tasks.messages_hand_over_to_workers()
    handed = time.perf_counter() - t
    again = tasks.messages_hand_over_to_workers()
    print(
        f"  hand-over: {queued:,} due messages to the workers in {handed:.2f} s "
        f"({len(sent)} tasks); a tick right after hands over {again}"
    )
    print(
        f"catch-up median {statistics.median(catch_ups):.2f} s (max {max(catch_ups):.2f} s) "
        f"over {RUNS} runs; steady tick median {statistics.median(steadies):.3f} s "
        f"(max {max(steadies):.3f} s) over {len(steadies)}"
    )


if __name__ == "__main__":
    main()
