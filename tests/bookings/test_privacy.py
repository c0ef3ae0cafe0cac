"""A member's bookings in their data export, and deleting the account: past bookings stay
(pointing at the anonymized account), bookings still to come are cancelled and their units
freed, and the purpose, free text that may name people, is cleared."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from django.utils.translation import gettext

from bookings.models import Booking, BookingSeries, SpaceHold
from bookings.services.lifecycle import booking_check_in
from bookings.services.series import booking_series_create
from centers.models import Space, StaffAssignment
from members.models import User
from members.services.privacy import member_delete, member_export
from tests.factories import (
    BookableSpaceFactory,
    UserFactory,
    book,
    staff_at,
)
from tests.helpers import MONDAY, SHANGHAI

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = MONDAY + timedelta(days=1)
Status = Booking.Status


def at(hour: int, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


NOW = at(8)
DELETED_AT = at(12)


@pytest.fixture
def space() -> Space:
    return BookableSpaceFactory()


@pytest.fixture
def staff(space) -> User:
    return staff_at(space.center, StaffAssignment.Role.FRONT_DESK)


@pytest.fixture
def member() -> User:
    return UserFactory(display_name="欧阳阿姨")


@pytest.fixture
def bookings(space, staff, member) -> dict[str, Booking]:
    """This morning's booking (attended), one this afternoon and one tomorrow, and a weekly
    series staff booked for the member."""
    past = book(space, at(9), member=member, purpose="给孙子欧阳明补课", now=NOW)
    booking_check_in(booking=past, by=staff, code=past.check_in_code, now=at(9))
    later = book(space, at(15), member=member, purpose="欧阳家家宴", now=NOW)
    tomorrow = book(space, at(10, TUESDAY), member=member, now=NOW)
    series = booking_series_create(
        space=space,
        member=member,
        by=staff,
        weekday_list=[3],  # Thursdays
        start_time=time(14),
        end_time=time(15),
        first_date=MONDAY,
        last_date=MONDAY + timedelta(days=14),
        purpose="欧阳阿姨的合唱课",
    )
    return {"past": past, "later": later, "tomorrow": tomorrow, "series": series.created[0]}


def test_the_export_holds_the_members_bookings(space, member, bookings) -> None:
    data = member_export(member)

    json.dumps(data)
    assert [(b["id"], b["status"]) for b in data["bookings"]] == [
        (bookings["past"].pk, Status.CHECKED_IN),
        (bookings["later"].pk, Status.CONFIRMED),
        (bookings["tomorrow"].pk, Status.CONFIRMED),
        *[(b.pk, Status.CONFIRMED) for b in Booking.objects.filter(series__isnull=False)],
    ]
    past = data["bookings"][0]
    assert (past["center"], past["space"], past["purpose"]) == (
        space.center.name,
        space.name,
        "给孙子欧阳明补课",
    )
    assert datetime.fromisoformat(past["start"]) == at(9)
    # In the center's zone, as everywhere in the API (API.md, "General").
    assert past["start"].endswith("+08:00") and past["created"].endswith("+08:00")
    assert datetime.fromisoformat(past["checked_in_at"]) == at(9)


def test_deleting_keeps_past_bookings_and_frees_the_units_of_the_rest(
    space, member, bookings, clock
) -> None:
    rows = Booking.objects.filter(member=member).count()
    clock.move_to(DELETED_AT)

    member_delete(member=member)

    anonymized = User.objects.get(pk=member.pk)
    assert anonymized.anonymized_at is not None
    past = Booking.objects.get(pk=bookings["past"].pk)
    assert (past.status, past.member) == (Status.CHECKED_IN, anonymized)
    for key in ("later", "tomorrow", "series"):
        booking = Booking.objects.get(pk=bookings[key].pk)
        assert booking.status == Status.CANCELLED
        assert list(booking.events.values_list("action", "actor", "reason"))[-1] == (
            "cancel",
            member.pk,
            gettext("account deleted"),
        )
        assert not SpaceHold.objects.filter(booking=booking).exists()
    # Nobody's free text is left: not on a booking, not on the series.
    assert set(Booking.objects.filter(member=member).values_list("purpose", flat=True)) == {""}
    assert BookingSeries.objects.get().purpose == ""
    # Every row is still there, and the freed time can be booked by someone else.
    assert Booking.objects.filter(member=member).count() == rows
    assert book(space, at(15), now=DELETED_AT).status == Status.CONFIRMED
    assert book(space, at(10, TUESDAY), now=DELETED_AT).status == Status.CONFIRMED
