"""What the database (and ``full_clean``) refuses about places and their hours."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from centers import weekdays
from centers.models import Center, OpeningException, OpeningRule, Space
from tests.factories import (
    CenterFactory,
    OpeningExceptionFactory,
    OpeningRuleFactory,
    SpaceFactory,
    StationFactory,
)

pytestmark = pytest.mark.django_db


def rejected(create) -> None:
    """``create()`` must fail with an IntegrityError and leave the transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# --- Center and station hierarchy ----------------------------------------------------------------


def test_station_and_center_that_fit_the_hierarchy_are_stored() -> None:
    center = CenterFactory()
    station = StationFactory(parent=center)

    assert station.parent == center
    assert list(center.stations.all()) == [station]


def test_station_without_parent_is_rejected_by_the_database() -> None:
    rejected(lambda: CenterFactory(kind=Center.Kind.STATION, parent=None))
    assert not Center.objects.exists()


def test_center_with_a_parent_is_rejected_by_the_database() -> None:
    parent = CenterFactory()
    rejected(lambda: CenterFactory(kind=Center.Kind.CENTER, parent=parent))
    assert Center.objects.count() == 1


def test_center_names_are_unique() -> None:
    CenterFactory(name="静安寺街道社区党群服务中心")
    rejected(lambda: CenterFactory(name="静安寺街道社区党群服务中心"))


def test_clean_rejects_a_station_under_a_station() -> None:
    station = StationFactory()
    nested = Center(
        kind=Center.Kind.STATION, parent=station, name="嵌套服务站", district="静安区", address="x"
    )

    with pytest.raises(ValidationError) as caught:
        nested.clean()
    assert "parent" in caught.value.message_dict

    with pytest.raises(ValidationError) as caught:
        nested.full_clean()
    assert "parent" in caught.value.message_dict


def test_clean_accepts_a_station_under_a_center() -> None:
    station = Center(
        kind=Center.Kind.STATION,
        parent=CenterFactory(),
        name="长征镇丽湖居民区党群服务站",
        district="普陀区",
        address="长征镇丽湖居民区",
    )
    station.full_clean()  # does not raise


def test_clean_rejects_a_station_that_is_its_own_parent() -> None:
    station = StationFactory()
    station.parent = station

    with pytest.raises(ValidationError) as caught:
        station.clean()
    assert "parent" in caught.value.message_dict


def test_full_clean_rejects_an_unknown_time_zone() -> None:
    center = CenterFactory.build(time_zone="Mars/Olympus_Mons")

    with pytest.raises(ValidationError) as caught:
        center.full_clean()
    assert list(caught.value.message_dict) == ["time_zone"]


def test_full_clean_accepts_a_real_time_zone() -> None:
    center = CenterFactory.build(time_zone="Asia/Urumqi")
    center.full_clean()
    assert str(center.tz) == "Asia/Urumqi"


# --- Space ---------------------------------------------------------------------------------------


def test_space_defaults_satisfy_every_constraint() -> None:
    space = SpaceFactory()
    space.full_clean()
    assert (space.slot_minutes, space.min_minutes, space.max_minutes) == (30, 30, 120)


@pytest.mark.parametrize(
    ("slot", "low", "high"),
    [
        pytest.param(30, 15, 30, id="minimum-shorter-than-slot"),
        pytest.param(30, 60, 30, id="maximum-shorter-than-minimum"),
        pytest.param(30, 45, 90, id="minimum-off-grid"),
        pytest.param(30, 30, 100, id="maximum-off-grid"),
        pytest.param(3, 30, 120, id="slot-below-5"),
        pytest.param(2880, 2880, 2880, id="slot-above-a-day"),
    ],
)
def test_space_duration_rules_are_enforced_by_the_database(slot: int, low: int, high: int) -> None:
    center = CenterFactory()
    rejected(
        lambda: SpaceFactory(center=center, slot_minutes=slot, min_minutes=low, max_minutes=high)
    )
    assert not Space.objects.exists()


@pytest.mark.parametrize(
    ("slot", "low", "high"),
    [(15, 45, 90), (30, 30, 30), (5, 5, 1440), (1440, 1440, 1440)],
)
def test_space_durations_on_the_grid_are_accepted(slot: int, low: int, high: int) -> None:
    space = SpaceFactory(slot_minutes=slot, min_minutes=low, max_minutes=high)
    space.full_clean()


def test_space_duration_rules_give_a_message_in_full_clean() -> None:
    space = SpaceFactory.build(
        center=CenterFactory(), slot_minutes=30, min_minutes=45, max_minutes=90
    )
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            space.full_clean()
        assert "Durations must be whole multiples of the slot grid." in caught.value.messages


def test_space_needs_at_least_one_unit() -> None:
    center = CenterFactory()
    rejected(lambda: SpaceFactory(center=center, units=0))
    SpaceFactory(center=center, units=1)
    assert Space.objects.count() == 1


def test_space_names_are_unique_within_a_center_only() -> None:
    first, second = CenterFactory(), CenterFactory()
    SpaceFactory(center=first, name="多功能室")
    SpaceFactory(center=second, name="多功能室")  # another center may reuse the name

    rejected(lambda: SpaceFactory(center=first, name="多功能室"))


# --- Opening hours -------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [OpeningRuleFactory, OpeningExceptionFactory])
def test_hours_need_exactly_one_scope(factory) -> None:
    space = SpaceFactory()
    extra = {}
    if factory is OpeningExceptionFactory:
        extra = {"start_date": date(2026, 10, 1), "end_date": date(2026, 10, 7)}

    rejected(lambda: factory(center=None, space=None, **extra))
    rejected(lambda: factory(center=space.center, space=space, **extra))
    factory(center=space.center, space=None, **extra)
    factory(center=None, space=space, **extra)

    assert factory._meta.model.objects.count() == 2


def test_opening_rule_weekdays_must_be_a_non_empty_week_mask() -> None:
    center = CenterFactory()
    rejected(lambda: OpeningRuleFactory(center=center, weekdays=0))
    rejected(lambda: OpeningRuleFactory(center=center, weekdays=weekdays.ALL_DAYS + 1))
    OpeningRuleFactory(center=center, weekdays=weekdays.ALL_DAYS)
    assert OpeningRule.objects.count() == 1


def test_exception_ending_before_it_starts_is_rejected() -> None:
    center = CenterFactory()
    rejected(
        lambda: OpeningExceptionFactory(
            center=center, start_date=date(2026, 10, 7), end_date=date(2026, 10, 1)
        )
    )
    OpeningExceptionFactory(center=center, start_date=date(2026, 10, 1), end_date=date(2026, 10, 1))
    assert OpeningException.objects.count() == 1


@pytest.mark.parametrize(
    ("opens", "closes"), [(time(9), None), (None, time(17))], ids=["only-opens", "only-closes"]
)
def test_exception_needs_both_times_or_neither(opens, closes) -> None:
    center = CenterFactory()
    day = date(2026, 10, 1)
    rejected(
        lambda: OpeningExceptionFactory(
            center=center, start_date=day, end_date=day, opens=opens, closes=closes
        )
    )
    closed = OpeningExceptionFactory(center=center, start_date=day, end_date=day)
    shorter = OpeningExceptionFactory(
        center=center, start_date=day, end_date=day, opens=time(9), closes=time(12)
    )
    assert closed.closes_day and not shorter.closes_day
