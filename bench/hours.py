"""Opening hours for a whole center: 30 spaces x 14 days, every space with its own weekly
rules and exceptions. Prints median and p99 time and the number of queries.

    .venv/bin/python bench/hours.py            # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/hours.py
"""

from datetime import date, time, timedelta

from _setup import measure, setup_django

SPACES = 30
DAYS = 14
RUNS = 200


def main() -> None:
    vendor = setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from centers import weekdays
    from centers.models import Center, OpeningException, OpeningRule, Space
    from centers.selectors import space_hours

    center = Center.objects.create(name="基准中心", district="静安区", address="基准路1号")
    OpeningRule.objects.create(center=center, opens=time(8, 30), closes=time(20, 30))
    start = date(2026, 12, 1)
    for n in range(SPACES):
        space = Space.objects.create(center=center, name=f"场地{n}", capacity=10)
        OpeningRule.objects.bulk_create(
            OpeningRule(space=space, weekdays=weekdays.to_mask(days), opens=o, closes=c)
            for days, o, c in [
                ([0, 1, 2, 3], time(6, 30), time(9)),
                ([0, 1, 2, 3], time(10, 30), time(14)),
                ([4, 5, 6], time(16, 30), time(2)),
            ]
        )
        OpeningException.objects.create(
            space=space,
            start_date=start + timedelta(days=n % DAYS),
            end_date=start + timedelta(days=n % DAYS),
        )
    spaces = list(Space.objects.select_related("center"))

    def run() -> object:
        return space_hours(spaces, start, start + timedelta(days=DAYS - 1))

    with CaptureQueriesContext(connection) as queries:
        run()
    figures = measure(run, runs=RUNS)
    print(
        f"hours {vendor}: {SPACES} spaces x {DAYS} days: median {figures['median_ms']:.2f} ms, "
        f"p99 {figures['p99_ms']:.2f} ms, {len(queries)} queries ({RUNS} runs)"
    )


if __name__ == "__main__":
    main()
