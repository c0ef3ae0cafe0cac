"""core.rows: model objects from SQL written once are the objects the ORM makes (every field,
converted as the ORM converts it, on SQLite and PostgreSQL), read where the router sends the
model's reads."""

from datetime import date, time
from decimal import Decimal

import pytest

from bookings.selectors import open_center_spaces
from centers.models import Center, OpeningException, OpeningRule, Space
from core import rows
from tests.factories import BookableSpaceFactory, CenterFactory

pytestmark = pytest.mark.django_db


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_objects_are_what_the_orm_makes() -> None:
    center = CenterFactory(latitude=Decimal("31.2235"), longitude=Decimal("121.4453"))
    space = BookableSpaceFactory(center=center, units=3, floor=2, buffer_before_minutes=15)
    OpeningException.objects.create(
        center=center,
        start_date=date(2026, 12, 31),
        end_date=date(2027, 1, 2),
        opens=None,
        closes=None,
        note="元旦",
    )
    OpeningRule.objects.create(space=space, opens=time(8, 30), closes=time(20, 30))

    for model in (Center, Space, OpeningRule, OpeningException):
        table = model._meta.db_table
        made = rows.objects(model, f"SELECT {rows.columns(model)} FROM {table} ORDER BY id", [])
        expected = list(model.objects.order_by("id"))

        assert [fields(obj) for obj in made] == [fields(obj) for obj in expected]
        assert all(not obj._state.adding and obj._state.db == "default" for obj in made)


def test_a_center_with_its_bookable_spaces_in_one_query(django_assert_num_queries) -> None:
    center = CenterFactory()
    upstairs = BookableSpaceFactory(center=center, floor=2)
    downstairs = BookableSpaceFactory(center=center, floor=1)
    BookableSpaceFactory(center=center, bookable=False)
    BookableSpaceFactory(center=center, is_active=False)
    empty = CenterFactory()

    with django_assert_num_queries(1):
        found, spaces = open_center_spaces(center.id)

    assert fields(found) == fields(center)
    assert spaces == [downstairs, upstairs]  # the spaces' own order: floor, then id
    assert all(space.center is found for space in spaces)
    assert open_center_spaces(empty.id) == (empty, [])
    assert open_center_spaces(CenterFactory(is_active=False).id) == (None, [])
    assert open_center_spaces(999_999) == (None, [])
