"""A city's data, written by COPY: 16 districts, 20,000 sites (1,250 sub-district centers and
18,750 stations under them), 100,000 spaces (five a site, some with several units), members,
and 5,000,000 bookings in the current month (230+ a center a month, as the seeds report for one
center, times the city's sites) plus HISTORY_MONTHS of history before it. Bookings that still
hold time have their holds (PostgreSQL checks each against the exclusion constraint); past
ones are completed, without holds, as the clock leaves them.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/city.py [--scale 0.1] [--history-months 1]

``--scale`` multiplies every count (0.1: 2,000 sites, 500,000 bookings a month). Prints the
time of each table and the sizes.
"""

import argparse
import io
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from _setup import setup_django

DISTRICTS = [
    "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
    "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区",
]  # fmt: skip
SITES = 20_000
CENTERS = 1_250
SPACES_PER_SITE = 5
UNITS = [1, 1, 1, 2, 6]  # rooms, a pair of studios, a laundry's washers
MEMBERS = 200_000
BOOKINGS_A_MONTH = 5_000_000
SLOTS = 24  # 08:30-20:30, half hours


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy(model, rows) -> int:
    """COPY rows (dicts by column) into ``model``'s table, every other column at its field's
    default (so columns other apps add later need nothing here); returns the count."""
    from django.db import connection

    fields = list(model._meta.concrete_fields)
    defaults = {f.column: f.get_default() for f in fields}
    columns = [f.column for f in fields]
    quoted = ", ".join(f'"{c}"' for c in columns)
    statement = f"COPY {model._meta.db_table} ({quoted}) FROM STDIN"
    count = 0
    buffer = io.StringIO()

    def flush() -> None:
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(statement, buffer)
        buffer.seek(0)
        buffer.truncate()

    for row in rows:
        buffer.write("\t".join(_text(row[c] if c in row else defaults[c]) for c in columns))
        buffer.write("\n")
        count += 1
        if count % 200_000 == 0:
            flush()
    flush()
    return count


def next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def fix_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


def timed(label: str, fn) -> object:
    began = time.perf_counter()
    result = fn()
    print(f"  {label}: {result:,} rows in {time.perf_counter() - began:.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--history-months", type=int, default=1)
    args = parser.parse_args()
    vendor = setup_django()
    if vendor != "postgresql":
        sys.exit("bench/city.py needs BENCH_DATABASE_URL=postgres://...")
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from bookings.models import Booking, SpaceHold
    from centers.models import Center, OpeningRule, Space
    from members.models import User

    with connection.cursor() as cursor:
        # This session only: no foreign-key triggers row by row (the rows refer to rows written
        # just before, by construction); the exclusion constraint on holds is still checked.
        cursor.execute("SET session_replication_role = replica")
    rng = random.Random(2026)

    scale = args.scale
    sites, centers = int(SITES * scale), max(1, int(CENTERS * scale))
    members = int(MEMBERS * scale)
    now = timezone.now()
    stamps = {"created": now, "updated": now}
    began = time.perf_counter()
    print(f"{vendor}: the city at scale {scale} ({sites:,} sites)", flush=True)

    first_center = next_id("centers_center")
    timed(
        "centers and stations",
        lambda: copy(
            Center,
            (
                {
                    "id": first_center + n,
                    "kind": "center" if n < centers else "station",
                    "parent_id": None if n < centers else first_center + n % centers,
                    "name": f"{'中心' if n < centers else '服务站'}{n:05d}",
                    "district": DISTRICTS[n % 16],
                    "address": f"城市路{n}号",
                    **stamps,
                }
                for n in range(sites)
            ),
        ),
    )
    first_rule = next_id("centers_openingrule")
    timed(
        "opening rules",
        lambda: copy(
            OpeningRule,
            (
                {"id": first_rule + n, "center_id": first_center + n, "opens": "08:30",
                 "closes": "20:30"}
                for n in range(sites)
            ),
        ),
    )  # fmt: skip

    first_space = next_id("centers_space")
    spaces = [(first_space + n, UNITS[n % len(UNITS)]) for n in range(sites * SPACES_PER_SITE)]
    timed(
        "spaces",
        lambda: copy(
            Space,
            (
                {
                    "id": space,
                    "center_id": first_center + n // SPACES_PER_SITE,
                    "name": f"场地{n % SPACES_PER_SITE}",
                    "units": units,
                    **stamps,
                }
                for n, (space, units) in enumerate(spaces)
            ),
        ),
    )

    first_member = next_id("members_user")
    unusable = make_password(None)
    timed(
        "members",
        lambda: copy(
            User,
            (
                {
                    "id": first_member + n,
                    "password": unusable,
                    "username": f"city{n}",
                    "phone": f"+86138{n:08d}",
                    "date_joined": now,
                }
                for n in range(members)
            ),
        ),
    )

    # Bookings: per month, BOOKINGS_A_MONTH over the spaces and the month's days, each a
    # half-hour slot on a unit not yet taken then (a set per month keeps them apart).
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC) - timedelta(hours=8)
    first_booking = next_id("bookings_booking")
    holds: list[dict] = []

    def bookings():
        booking_id = first_booking
        for month in range(args.history_months, -1, -1):
            start_of = month_start - timedelta(days=30 * month)
            taken: set[tuple] = set()
            for _ in range(int(BOOKINGS_A_MONTH * scale)):
                while True:
                    space, units = spaces[rng.randrange(len(spaces))]
                    day, slot, unit = rng.randrange(30), rng.randrange(SLOTS), rng.randint(1, units)
                    if (space, day, slot, unit) not in taken:
                        taken.add((space, day, slot, unit))
                        break
                start = start_of + timedelta(days=day, hours=8, minutes=30 + 30 * slot)
                end = start + timedelta(minutes=30)
                holding = start > now
                member = first_member + rng.randrange(members)
                created = min(start, now) - timedelta(days=3)
                yield {
                    "id": booking_id, "space_id": space, "unit": unit, "member_id": member,
                    "start": start, "end": end, "status": "confirmed" if holding else "completed",
                    "check_in_code": f"{booking_id % 10**8:08d}",
                    "cancel_until": start - timedelta(hours=2), "created_by_id": member,
                    "created": created, "updated": created,
                }  # fmt: skip
                if holding:
                    holds.append(
                        {"id": len(holds) + first_hold, "space_id": space, "unit": unit,
                         "start": start, "end": end, "booking_id": booking_id}
                    )  # fmt: skip
                booking_id += 1

    first_hold = next_id("bookings_spacehold")
    timed("bookings", lambda: copy(Booking, bookings()))
    timed("holds of the bookings still ahead", lambda: copy(SpaceHold, holds))
    for table in (
        "centers_center", "centers_openingrule", "centers_space", "members_user",
        "bookings_booking", "bookings_spacehold",
    ):  # fmt: skip
        fix_sequence(table)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname IN ('bookings_booking', 'bookings_spacehold', 'centers_space', "
            "'members_user') ORDER BY relname"
        )
        sizes = ", ".join(f"{name} {size}" for name, size in cursor.fetchall())
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        total = cursor.fetchone()[0]
    print(f"  done in {time.perf_counter() - began:.0f} s; {sizes}; database {total}")


if __name__ == "__main__":
    main()
