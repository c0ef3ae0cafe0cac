"""A city's data, written by COPY: 16 districts, 20,000 sites (1,250 sub-district centers and
18,750 stations under them), 100,000 spaces (five a site, some with several units), members,
and 5,000,000 bookings in the current month (230+ a center a month, as the seeds report for one
center, times the city's sites) plus HISTORY_MONTHS of history before it. Bookings that still
hold time have their holds (PostgreSQL checks each against the exclusion constraint); past
ones are completed, without holds, as the clock leaves them.

The small tables (sites, spaces) go by COPY from Python; members, bookings and holds are made
by PostgreSQL itself (INSERT ... SELECT over generate_series: no row crosses the socket), with
the tables' secondary indexes dropped during the load and built again after it. Each month's
bookings are a permutation of the month's (space, unit, day, half hour) cells (n -> n * A mod
cells, A prime to cells), so no two share a unit's half hour.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/city.py [--scale 0.1] [--history-months 1]

``--scale`` multiplies every count (0.1: 2,000 sites, 500,000 bookings a month). Prints the
time of each table and the sizes.
"""

import argparse
import io
import json
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


def insert_select(model, expressions: dict[str, str | None], source: str, params: dict) -> int:
    """INSERT INTO ``model``'s table SELECT ``expressions`` (SQL by column; None leaves the
    column to its database default, an identity) FROM ``source``; every other column gets its
    field's default, as ``copy`` does. Returns the row count."""
    from django.db import connection

    columns, select, values = [], [], dict(params)
    for field in model._meta.concrete_fields:
        if field.column in expressions:
            if expressions[field.column] is None:
                continue
            select.append(expressions[field.column])
        else:
            values[f"default_{field.column}"] = field.get_db_prep_save(
                field.get_default(), connection
            )
            select.append(f"%(default_{field.column})s")
        columns.append(f'"{field.column}"')
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(select)} FROM {source}",
            values,
        )
        return cursor.rowcount


def secondary_indexes_dropped(*tables: str) -> list[str]:
    """Drop the tables' indexes that back no constraint (the primary key, unique and exclusion
    constraints stay); returns the statements that build them again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


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
        lambda: insert_select(
            User,
            {
                "id": "%(first)s + n",
                "password": "%(password)s",
                "username": "'city' || n",
                "phone": "'+86138' || lpad(n::text, 8, '0')",
                "date_joined": "%(now)s",
            },
            "generate_series(0, %(count)s - 1) AS n",
            {"first": first_member, "password": unusable, "now": now, "count": members},
        ),
    )

    # Bookings: per month, BOOKINGS_A_MONTH over the month's cells. A site's 5 spaces have
    # 11 units (UNITS): a cell is (site, one of its 11 units, day, half hour); ``LANE_SPACE`` and
    # ``LANE_UNIT`` say which space and unit each of the 11 is.
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC) - timedelta(hours=8)
    lanes = [(k, unit) for k, units in enumerate(UNITS) for unit in range(1, units + 1)]
    per_month = int(BOOKINGS_A_MONTH * scale)
    cells = sites * len(lanes) * 30 * SLOTS
    first_booking = next_id("bookings_booking")
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")  # this session's index builds
    dropped = secondary_indexes_dropped("bookings_booking", "bookings_spacehold")
    print(f"  {len(dropped)} secondary indexes of bookings and holds dropped", flush=True)

    member = "%(first_member)s + (n * 7919 + %(month)s * 104729) %% %(members)s"

    def month_of_bookings(month: int) -> int:
        start_of = month_start - timedelta(days=30 * month)
        return insert_select(
            Booking,
            {
                "id": "%(first)s + n",
                "space_id": "%(first_space)s + (c.cell %% %(lanes)s) / 11 * 5 "
                "+ (%(lane_space)s::int[])[(c.cell %% %(lanes)s) %% 11 + 1]",
                "unit": "(%(lane_unit)s::int[])[(c.cell %% %(lanes)s) %% 11 + 1]",
                "member_id": member,
                "start": "s.start",
                "end": "s.start + interval '30 minutes'",
                "status": "CASE WHEN s.start > %(now)s THEN 'confirmed' ELSE 'completed' END",
                "check_in_code": "lpad(((%(first)s + n) %% 100000000)::text, 8, '0')",
                "cancel_until": "s.start - interval '2 hours'",
                "created_by_id": member,
                "created": "least(s.start, %(now)s) - interval '3 days'",
                "updated": "least(s.start, %(now)s) - interval '3 days'",
            },
            "generate_series(0::bigint, %(count)s - 1) AS n, "
            "LATERAL (SELECT (n * %(prime)s + %(month)s * 7) %% %(cells)s AS cell) c, "
            "LATERAL (SELECT %(start_of)s::timestamptz "
            "+ (c.cell / %(lanes)s / %(slots)s) * interval '1 day' + interval '8 hours 30 minutes' "
            "+ (c.cell / %(lanes)s %% %(slots)s) * interval '30 minutes' AS start) s",
            {
                "first": first_booking + (args.history_months - month) * per_month,
                "first_space": first_space,
                "first_member": first_member,
                "members": members,
                "lanes": sites * len(lanes),
                "lane_space": [k for k, _unit in lanes],
                "lane_unit": [unit for _k, unit in lanes],
                "month": month,
                "now": now,
                "count": per_month,
                "prime": 1_000_003,  # prime, and to the cells' count (11 * 720 * sites) too
                "cells": cells,
                "start_of": start_of,
                "slots": SLOTS,
            },
        )

    timed(
        "bookings",
        lambda: sum(month_of_bookings(m) for m in range(args.history_months, -1, -1)),
    )
    timed(
        "holds of the bookings still ahead",
        lambda: insert_select(
            SpaceHold,
            {
                "id": None,
                "space_id": "b.space_id",
                "unit": "b.unit",
                "start": "b.start",
                "end": "b.end",
                "booking_id": "b.id",
            },
            "bookings_booking b WHERE b.id >= %(first)s AND b.status = 'confirmed'",
            {"first": first_booking},
        ),
    )

    def build_indexes() -> int:
        with connection.cursor() as cursor:
            for statement in dropped:
                cursor.execute(statement)
        return len(dropped)

    timed("secondary indexes built again", build_indexes)
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
        cursor.execute(
            "SELECT count(*), pg_total_relation_size('bookings_booking') FROM bookings_booking"
        )
        count, booking_bytes = cursor.fetchone()
    print(f"  done in {time.perf_counter() - began:.0f} s; {sizes}; database {total}")
    with connection.cursor() as cursor:
        # What the permutation promises: no unit's half hour twice, no unit a space lacks.
        cursor.execute(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM bookings_booking "
            "GROUP BY space_id, unit, start HAVING count(*) > 1) d), "
            "(SELECT count(*) FROM bookings_booking b JOIN centers_space s ON s.id = b.space_id "
            "WHERE b.unit > s.units)"
        )
        twice, beyond = cursor.fetchone()
    print(f"  check: {twice} half hours of a unit booked twice, {beyond} bookings of no unit")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
            "WHERE indrelid = 'bookings_booking'::regclass ORDER BY 2 DESC"
        )
        indexes = cursor.fetchall()
        cursor.execute("SELECT pg_relation_size('bookings_booking')")
        heap = cursor.fetchone()[0]
    print(
        f"  bookings: rows {heap / 2**20:.0f} MB; indexes "
        + ", ".join(f"{name} {size / 2**20:.0f} MB" for name, size in indexes)
    )
    print(
        f"  {count:,} bookings: {booking_bytes / count * 1_000_000 / 2**20:.0f} MB per million "
        "(the booking rows with their indexes)"
    )


if __name__ == "__main__":
    main()
