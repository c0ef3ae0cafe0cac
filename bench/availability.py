"""Availability for a whole center: 30 bookable spaces (1 to 10 units, some with buffers),
open 8:30–20:30 on a 30-minute grid, 10,000 bookings over the 14 days asked for. Times the
selector (``bookings.selectors.availability``) and, when it exists, the center availability API
(``/api/v1/centers/{id}/availability/``). Prints median and p99 time and the number of queries.

    .venv/bin/python bench/availability.py            # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python bench/availability.py        # PostgreSQL

Bookings and their holds are inserted in bulk (the booking service would take minutes for
10,000); they are laid out so that no two holds of a unit overlap, as the service guarantees.
"""

import random
import warnings
from datetime import date, datetime, time, timedelta

from _setup import measure, setup_django

SPACES = 30
DAYS = 14
BOOKINGS = 10_000
RUNS = 100
UNITS = [1, 1, 2, 4, 6, 10]  # meeting rooms, a pair of studios, kitchens, washers, study seats


def layout(spaces: list, first: date, tz) -> list[tuple]:
    """(space, unit, start, end) for BOOKINGS bookings: per unit and day, bookings of 30 to 120
    minutes with random gaps (wide enough for the space's buffers), picked at random from a
    fuller schedule so the days are unevenly busy."""
    rng = random.Random(2026)
    slot = timedelta(minutes=30)
    candidates = []
    for space in spaces:
        min_gap = 1 if space.buffer_before_minutes or space.buffer_after_minutes else 0
        for unit in range(1, space.units + 1):
            for offset in range(DAYS):
                day = first + timedelta(days=offset)
                t = datetime.combine(day, time(8, 30), tzinfo=tz)
                closes = datetime.combine(day, time(20, 30), tzinfo=tz)
                while True:
                    t += slot * rng.randint(min_gap, 2)
                    end = t + slot * rng.randint(1, 4)
                    if end > closes:
                        break
                    candidates.append((space, unit, t, end))
                    t = end
    return rng.sample(candidates, BOOKINGS)


def build_busy_center(name: str = "基准中心"):
    """The busy center: SPACES bookable spaces, BOOKINGS bookings over DAYS days from tomorrow.
    Returns (center, spaces, first day)."""
    from django.utils import timezone

    from bookings.models import Booking, SpaceHold
    from centers.models import Center, OpeningRule, Space
    from members.models import User

    center = Center.objects.create(name=name, district="静安区", address="基准路1号")
    OpeningRule.objects.create(center=center, opens=time(8, 30), closes=time(20, 30))
    for n in range(SPACES):
        buffered = n % 3 == 0
        Space.objects.create(
            center=center,
            name=f"场地{n}",
            capacity=10,
            units=UNITS[n % len(UNITS)],
            max_minutes=240,
            max_days_ahead=DAYS + 7,
            min_notice_minutes=0,
            buffer_before_minutes=15 if buffered else 0,
            buffer_after_minutes=15 if buffered else 0,
        )
    spaces = list(Space.objects.filter(center=center).select_related("center").order_by("id"))
    member = User.objects.create(username=f"bench-{center.id}")
    first = timezone.localdate(timezone=center.tz) + timedelta(days=1)

    rows = layout(spaces, first, center.tz)
    bookings = Booking.objects.bulk_create(
        (
            Booking(
                space=space,
                unit=unit,
                member=member,
                start=start,
                end=end,
                status=Booking.Status.CONFIRMED,
                check_in_code=f"{i:08d}",
                cancel_until=start,
                created_by=member,
            )
            for i, (space, unit, start, end) in enumerate(rows)
        ),
        batch_size=1000,
    )
    SpaceHold.objects.bulk_create(
        (
            SpaceHold(
                space=b.space,
                unit=b.unit,
                start=b.start - timedelta(minutes=b.space.buffer_before_minutes),
                end=b.end + timedelta(minutes=b.space.buffer_after_minutes),
                booking=b,
            )
            for b in bookings
        ),
        batch_size=1000,
    )
    return center, spaces, first


def main() -> None:
    vendor = setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import NoReverseMatch, reverse

    from bookings.selectors import availability

    center, spaces, first = build_busy_center()
    units = sum(s.units for s in spaces)
    print(f"{vendor}: {SPACES} spaces, {units} units, {BOOKINGS} bookings over {DAYS} days")

    def selector() -> object:
        return availability(spaces, first, DAYS)

    report("selector", selector, connection)
    compare_algorithms(spaces, first)

    try:
        url = reverse("center-availability", args=[center.id])
    except NoReverseMatch:
        print("api: /api/v1/centers/{id}/availability/ does not exist yet")
        return
    setup_test_environment()  # the test client's host name, as in the test suite
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    client = Client()
    query = {"start": first.isoformat(), "days": DAYS}

    def api() -> object:
        response = client.get(url, query)
        assert response.status_code == 200, response.content[:300]
        return response

    report("api", api, connection)


def compare_algorithms(spaces, first) -> None:
    """The free-time computation alone, new (interval arithmetic) against old (each slot of each
    unit), on the same hours and holds, in alternating runs: the ratio is what changed."""
    import statistics
    import time as clock
    from datetime import datetime as moment

    from bookings.freetime import FreeTimeQuery, free_runs_of, stretches_by_day
    from bookings.selectors import space_grid, unit_holds
    from centers.hours import merge
    from centers.selectors import space_hours
    from tests.bookings import reference_availability as reference

    last = first + timedelta(days=DAYS - 1)
    hours = space_hours(spaces, first - timedelta(days=1), last)
    spans = unit_holds(spaces, first, last)
    tz = spaces[0].center.tz
    earliest = moment.combine(first, time(0), tzinfo=tz)
    inputs = []
    for space in spaces:
        stretches = merge(i for d in hours[space.id] for i in d.intervals)
        holds = spans[space.id]
        old_holds = {
            u: reference.UnitHolds(
                [
                    (moment.fromtimestamp(s, tz), moment.fromtimestamp(e, tz))
                    for s, e in holds.of_unit(u)
                ]
            )
            for u in range(1, space.units + 1)
        }
        inputs.append((space, stretches, holds, old_holds))

    def arrays() -> list:
        queries = [
            FreeTimeQuery(space_grid(space), stretches, holds, earliest, first, last)
            for space, stretches, holds, _ in inputs
        ]
        return free_runs_of(queries)  # all spaces together, as the API asks

    def new() -> None:  # and as datetimes, as the web pages use them
        for runs in arrays():
            stretches_by_day(runs, tz)

    def old() -> None:
        for space, stretches, _, old_holds in inputs:
            reference.free_stretches(space, stretches, old_holds, earliest, last, first, last)

    times: dict[str, list[float]] = {"arrays": [], "new": [], "old": []}
    for _ in range(20):
        for name, fn in (("arrays", arrays), ("new", new), ("old", old)):
            began = clock.process_time()
            fn()
            times[name].append((clock.process_time() - began) * 1000)
    arrays_ms = statistics.median(times["arrays"])
    new_ms, old_ms = statistics.median(times["new"]), statistics.median(times["old"])
    print(
        f"  free time alone (CPU, median of 20 alternating runs): interval arithmetic "
        f"{arrays_ms:.1f} ms as arrays, {new_ms:.1f} ms with the stretches as datetimes; "
        f"slot by slot {old_ms:.1f} ms: {old_ms / new_ms:.1f}x slower than the latter"
    )


def report(label: str, fn, connection) -> None:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # Counted by a wrapper: a request resets the connection's query log when it starts.
    with connection.execute_wrapper(count):
        fn()
    figures = measure(fn, runs=RUNS)
    print(
        f"  {label}: median {figures['median_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
        f"{queries} queries ({RUNS} runs)"
    )


if __name__ == "__main__":
    main()
