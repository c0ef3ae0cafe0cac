"""The reminder clock at 1,000,000 bookings: the catch-up of 11,000 reminders due at once, a
steady tick with nothing new right after it (no ANALYZE in between: the outbox just grew by
11,000 rows, which is what made the old anti-join plan a nested loop), and a tick after another
burst. Bookings are made in SQL (generate_series), spread over a year around now; 11,000 of them
start within the next 24 hours and were made earlier.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/clock.py
"""

import sys
import time

from _setup import setup_django

BOOKINGS = 1_000_000
DUE = 11_000
MEMBERS = 2_000


def main() -> None:
    vendor = setup_django()
    if vendor != "postgresql":
        sys.exit("bench/clock.py needs BENCH_DATABASE_URL=postgres://...")
    from django.db import connection
    from django.utils import timezone

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

    def tick(label: str) -> None:
        t = time.perf_counter()
        written = reminders_schedule(now)
        print(f"  {label}: {written:,} reminders in {time.perf_counter() - t:.2f} s", flush=True)

    tick("catch-up")
    tick("steady tick right after (no ANALYZE)")
    tick("steady tick again")
    print(f"  outbox: {Message.objects.count():,} messages")


if __name__ == "__main__":
    main()
