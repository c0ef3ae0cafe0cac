"""A known day at two centers for the staff workspace's tests.

Center 甲 (with a station) has a multi-function room open 8:00–21:00 and a laundry of three
washers; center 乙 has a room of its own. Staff: a manager, a front desk and a viewer at 甲, a
manager at 乙. The clock stands at Monday 2026-06-01 09:00 in Shanghai.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from centers.models import Center, Space, StaffAssignment
from members.models import User
from tests.factories import (
    BookableSpaceFactory,
    CenterFactory,
    ProgramFactory,
    StaffAssignmentFactory,
    StationFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
Role = StaffAssignment.Role


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@dataclass
class Place:
    center: Center
    room: Space
    laundry: Space | None
    program: object


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def build(label: str, *, laundry: bool) -> Place:
    center = CenterFactory(name=f"{label}街道社区党群服务中心", district="静安区")
    room = BookableSpaceFactory(center=center, name=f"{label}多功能室", hours=[(time(8), time(21))])
    washers = None
    if laundry:
        washers = BookableSpaceFactory(
            center=center,
            name=f"{label}洗衣房",
            units=3,
            unit_label="洗衣机",
            kind=Space.Kind.LAUNDRY,
            hours=[(time(8), time(21))],
        )
    return Place(center, room, washers, ProgramFactory(center=center, title=f"{label}养生讲堂"))


@pytest.fixture
def a() -> Place:
    return build("甲", laundry=True)


@pytest.fixture
def b() -> Place:
    return build("乙", laundry=False)


@pytest.fixture
def station(a: Place) -> Center:
    return StationFactory(parent=a.center, name="甲丽湖居民区党群服务站")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_at(center: Center, role: str) -> User:
    return StaffAssignmentFactory(center=center, role=role).user


@pytest.fixture
def manager(a: Place) -> User:
    return staff_at(a.center, Role.MANAGER)


@pytest.fixture
def desk(a: Place) -> User:
    return staff_at(a.center, Role.FRONT_DESK)


@pytest.fixture
def viewer(a: Place) -> User:
    return staff_at(a.center, Role.VIEWER)


@pytest.fixture
def other_manager(b: Place) -> User:
    return staff_at(b.center, Role.MANAGER)
