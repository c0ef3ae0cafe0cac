"""bookings.freetime (interval arithmetic) gives exactly the free stretches of the slot-by-slot
algorithm it replaced (tests/bookings/reference_availability.py), on random hours with
exceptions, overnight and 24-hour intervals, holds, buffers, units, slot grids, minimum
lengths, notice, horizons, and zones whose clocks change."""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import freetime
from bookings.selectors import space_grid
from centers import weekdays
from centers.hours import Interval, days_for, merge
from tests.bookings import reference_availability as reference

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
# Days around which clocks change in those zones, to meet the slot-by-slot path of freetime.
CLOCK_CHANGES = [
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 4, 5),
    date(2026, 10, 4),
    date(2026, 10, 25),
    date(2026, 11, 1),
]


@st.composite
def clock_times(draw) -> time:
    minute = draw(st.sampled_from([0, 0, 15, 30, 45, draw(st.integers(0, 59))]))
    return time(draw(st.integers(0, 23)), minute)


@st.composite
def weekly_rules(draw) -> list:
    rules = []
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
        opens = draw(clock_times())
        closes = draw(st.one_of(st.just(opens), clock_times()))  # opens == closes: 24 hours
        mask = draw(st.integers(1, weekdays.ALL_DAYS))
        rules.append(SimpleNamespace(weekdays=mask, opens=opens, closes=closes, note=""))
    return rules


@st.composite
def exceptions(draw, first: date, last: date) -> list:
    found = []
    for _ in range(draw(st.integers(0, 2))):
        start = first + timedelta(days=draw(st.integers(-1, (last - first).days)))
        end = start + timedelta(days=draw(st.integers(0, 2)))
        closed = draw(st.booleans())
        opens = None if closed else draw(clock_times())
        closes = None if closed else draw(st.one_of(st.just(opens), clock_times()))
        found.append(
            SimpleNamespace(start_date=start, end_date=end, opens=opens, closes=closes, note="")
        )
    return found


@st.composite
def unit_holds(draw, base: float, span: float) -> list[tuple[float, float]]:
    """Disjoint holds (touching allowed), as the exclusion constraint keeps them."""
    holds, t = [], base + draw(st.integers(0, 600)) * 60.0
    seconds = draw(st.booleans())  # now and then off the minute grid
    while t < base + span and len(holds) < 25:
        length = draw(st.integers(1, 240)) * 60.0 + (draw(st.integers(0, 59)) if seconds else 0)
        holds.append((t, t + length))
        t += length + draw(st.integers(0, 900)) * 60.0
    return holds


@st.composite
def cases(draw) -> dict:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    first = draw(
        st.one_of(
            st.dates(date(2026, 1, 1), date(2027, 12, 31)),
            st.builds(
                lambda day, shift: day + timedelta(days=shift),
                st.sampled_from(CLOCK_CHANGES),
                st.integers(-2, 1),
            ),
        )
    )
    last = first + timedelta(days=draw(st.integers(0, 5)))
    slot = draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60, 90]))
    space = SimpleNamespace(
        center=SimpleNamespace(tz=tz),
        units=draw(st.integers(1, 3)),
        slot_minutes=slot,
        min_minutes=slot * draw(st.integers(1, 4)),
        buffer_before_minutes=draw(st.sampled_from([0, 0, 15, 30, draw(st.integers(0, 90))])),
        buffer_after_minutes=draw(st.sampled_from([0, 0, 15, 30, draw(st.integers(0, 90))])),
    )
    days = days_for(
        start=first - timedelta(days=1),
        end=last,
        tz=tz,
        rule_layers=[draw(weekly_rules())],
        exception_layers=[draw(exceptions(first, last))],
    )
    base = datetime.combine(first - timedelta(days=2), time(0), tzinfo=tz).timestamp()
    span = ((last - first).days + 4) * 86400.0
    holds = {unit: draw(unit_holds(base, span)) for unit in range(1, space.units + 1)}
    # Mostly before the first day (everything ahead), sometimes inside the days asked for.
    minutes = draw(st.one_of(st.integers(0, 2 * 1440), st.integers(0, int(span // 60))))
    now = datetime.fromtimestamp(base + minutes * 60.0, ZoneInfo("UTC"))
    notice = draw(st.sampled_from([0, 60, draw(st.integers(0, 3000))]))
    today = now.astimezone(tz).date()
    horizon = draw(st.integers(0, 8))
    return {
        "space": space,
        "stretches": merge(i for d in days for i in d.intervals),
        "holds": holds,
        "earliest": now + timedelta(minutes=notice),
        "latest_day": today + timedelta(days=draw(st.sampled_from([3, 14, 14, horizon]))),
        "first": first,
        "last": last,
    }


def as_json(by_day: dict, tz: ZoneInfo, first: date, last: date) -> list:
    """What the API shows of each day's free stretches."""
    out, day = [], first
    while day <= last:
        out.append(
            [
                (f.start.astimezone(tz).isoformat(), f.end.astimezone(tz).isoformat(), f.units_free)
                for f in by_day.get(day, [])
            ]
        )
        day += timedelta(days=1)
    return out


def query(case: dict) -> freetime.FreeTimeQuery:
    return freetime.FreeTimeQuery(
        space_grid(case["space"]),
        case["stretches"],
        freetime.SpaceHolds.of_units(case["holds"]),
        case["earliest"],
        case["first"],
        min(case["last"], case["latest_day"]),
    )


def old_and_new(case: dict) -> tuple[list, list]:
    space, tz = case["space"], case["space"].center.tz
    utc = ZoneInfo("UTC")
    old = reference.free_stretches(
        space,
        case["stretches"],
        {
            unit: reference.UnitHolds(
                [(datetime.fromtimestamp(s, utc), datetime.fromtimestamp(e, utc)) for s, e in spans]
            )
            for unit, spans in case["holds"].items()
        },
        case["earliest"],
        case["latest_day"],
        case["first"],
        case["last"],
    )
    new = freetime.stretches_by_day(freetime.free_runs(query(case)), tz)
    return (
        as_json(old, tz, case["first"], case["last"]),
        as_json(new, tz, case["first"], case["last"]),
    )


# How many examples, and whether they are drawn afresh, is the profile's (tests/conftest.py):
# the same ones on every CI run.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_interval_arithmetic_matches_the_slot_by_slot_scan(case) -> None:
    old, new = old_and_new(case)

    assert new == old


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
@given(st.lists(cases(), min_size=2, max_size=5))
def test_spaces_computed_together_get_what_each_gets_alone(many) -> None:
    """``free_runs_of`` lays all spaces' slots in one row (each in its own band of time): no
    space's holds, grid or days leak into another's."""
    queries = [query(case) for case in many]

    together = freetime.free_runs_of(queries)

    assert together == [freetime.free_runs(q) for q in queries]


def test_the_comparison_sees_free_time_and_holds() -> None:
    """The property above compares real answers: a busy laundry day has several stretches with
    different counts of free units (so an algorithm that returned nothing would fail it)."""
    tz = ZoneInfo("Asia/Shanghai")
    day = date(2026, 11, 24)
    opens = datetime.combine(day, time(8, 30), tzinfo=tz)

    def hold(hour: int, minutes: int) -> tuple[float, float]:
        start = datetime.combine(day, time(hour), tzinfo=tz).timestamp()
        return (start, start + minutes * 60)

    case = {
        "space": SimpleNamespace(
            center=SimpleNamespace(tz=tz),
            units=3,
            slot_minutes=15,
            min_minutes=45,
            buffer_before_minutes=0,
            buffer_after_minutes=15,
        ),
        "stretches": [Interval(opens, opens + timedelta(hours=12))],
        "holds": {1: [hold(10, 45)], 2: [hold(10, 60), hold(13, 30)]},
        "earliest": opens - timedelta(days=1),
        "latest_day": day + timedelta(days=14),
        "first": day,
        "last": day,
    }
    old, new = old_and_new(case)

    assert new == old
    assert [units for _s, _e, units in new[0]] == [3, 1, 2, 3, 2, 3]


BERLIN = ZoneInfo("Europe/Berlin")


def whole_day_in_berlin(day: date, slot: int, held: list[tuple[datetime, datetime]]) -> list:
    """Both algorithms' free stretches of a one-unit room open around the clock on ``day``."""
    case = {
        "space": SimpleNamespace(
            center=SimpleNamespace(tz=BERLIN),
            units=1,
            slot_minutes=slot,
            min_minutes=slot,
            buffer_before_minutes=0,
            buffer_after_minutes=0,
        ),
        "stretches": [
            Interval(
                datetime.combine(day, time(0), tzinfo=BERLIN),
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=BERLIN),
            )
        ],
        "holds": {1: [(start.timestamp(), end.timestamp()) for start, end in held]},
        "earliest": datetime.combine(day - timedelta(days=1), time(0), tzinfo=BERLIN),
        "latest_day": day + timedelta(days=14),
        "first": day,
        "last": day,
    }
    old, new = old_and_new(case)
    assert new == old
    return new[0]


def test_spring_forward_offers_no_time_the_clock_skips() -> None:
    """Berlin, 29 March 2026: 02:00 becomes 03:00. The old grid walk offered 02:00+01:00 to
    02:55+01:00, the same real minutes as 03:00+02:00 to 03:55+02:00 (that hour twice); now the
    day has 23 hours of slots, and a booking at 03:00 shows as taken once."""
    day = date(2026, 3, 29)
    three = datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)

    assert whole_day_in_berlin(day, 30, [(three, three + timedelta(minutes=30))]) == [
        ("2026-03-29T00:00:00+01:00", "2026-03-29T03:00:00+02:00", 1),
        ("2026-03-29T03:30:00+02:00", "2026-03-30T00:00:00+02:00", 1),
    ]


def test_spring_forward_drops_a_slot_that_runs_into_the_next() -> None:
    """45-minute slots: 01:30+01:00 would last until 03:15+02:00, over the 03:00 slot; it is left
    out, and the stretch before it ends at 01:30."""
    assert whole_day_in_berlin(date(2026, 3, 29), 45, []) == [
        ("2026-03-29T00:00:00+01:00", "2026-03-29T01:30:00+01:00", 1),
        ("2026-03-29T03:00:00+02:00", "2026-03-30T00:00:00+02:00", 1),
    ]


def test_fall_back_offers_the_hour_the_clock_shows_twice() -> None:
    """Berlin, 25 October 2026: 03:00 becomes 02:00 again. The old grid walk stepped from
    02:00+02:00 straight to 03:00+01:00, one slot of 2 real hours; now both 02:00s are slots,
    and a booking in the first leaves the second free."""
    first_two = datetime(2026, 10, 25, 2, 0, tzinfo=BERLIN)  # fold=0: the first, +02:00
    second_two = first_two.replace(fold=1)  # +01:00, an hour of real time later

    assert whole_day_in_berlin(date(2026, 10, 25), 60, [(first_two, second_two)]) == [
        ("2026-10-25T00:00:00+02:00", "2026-10-25T02:00:00+02:00", 1),
        ("2026-10-25T02:00:00+01:00", "2026-10-26T00:00:00+01:00", 1),
    ]
