"""District oversight (区/街道): every center of the district, read-only, and reports across
them; nothing of another district, and no change however it is asked for."""

import pytest

from bookings.models import Booking
from centers.models import DistrictAssignment
from members.models import User
from tests.factories import CenterFactory, UserFactory, book
from tests.workspace.conftest import at, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere():
    from tests.workspace.conftest import build

    place = build("丙", laundry=False)
    place.center.district = "宝山区"
    place.center.save()
    return place


@pytest.fixture
def district(a, b) -> User:
    user = UserFactory(is_staff=False, display_name="区里")
    client_for(UserFactory(is_staff=True, is_superuser=True)).post(
        "/admin/centers/districtassignment/add/", {"user": user.pk, "district": "静安区"}
    )
    user.refresh_from_db()
    return user


def test_assigning_a_district_makes_a_staff_member(district) -> None:
    assert district.is_staff
    assert DistrictAssignment.objects.get(user=district).district == "静安区"


def test_sees_every_center_of_the_district_and_nothing_else(a, b, elsewhere, district) -> None:
    ours = [book(a.room, at(10), at(11)), book(b.room, at(10), at(11))]
    theirs = book(elsewhere.room, at(10), at(11))
    client = client_for(district)

    listed = client.get("/admin/bookings/booking/").context["cl"].result_list
    assert {x.pk for x in listed} == {x.pk for x in ours}
    assert client.get(f"/admin/bookings/booking/{ours[1].pk}/change/").status_code == 200
    assert client.get(f"/admin/bookings/booking/{theirs.pk}/change/").status_code == 302  # missing
    for center in (a.center, b.center):
        assert client.get("/admin/day/", {"center": center.pk}).status_code == 200
    assert client.get("/admin/day/", {"center": elsewhere.center.pk}).status_code == 404
    report = client.get("/admin/reports/", {"center": [a.center.pk, b.center.pk]})
    assert report.status_code == 200 and report.context["report"].bookings == 2
    assert client.get("/admin/reports/", {"center": elsewhere.center.pk}).status_code == 404


def test_read_only_however_it_is_asked(a, district) -> None:
    booking = book(a.room, at(10), at(11))
    client = client_for(district)

    client.post(
        "/admin/bookings/booking/",
        {"action": "cancel", "_selected_action": [booking.pk], "confirm": "yes", "reason": "x"},
    )
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    assert client.get("/admin/front-desk/", {"center": a.center.pk}).status_code == 404
    assert client.get("/admin/schedule/closure/", {"center": a.center.pk}).status_code == 404
    assert client.get("/admin/bookings/blackout/add/").status_code == 403
    assert (
        client.post(f"/admin/centers/space/{a.room.pk}/change/", {"name": "改名"}).status_code
        == 403
    )
    a.room.refresh_from_db()
    assert a.room.name == "甲多功能室"
    assert client.get("/admin/centers/districtassignment/").status_code == 403


def test_a_sub_district_sees_only_its_own(a, b) -> None:
    a.center.subdistrict = "静安寺街道"
    a.center.save()
    user = UserFactory(is_staff=True)
    DistrictAssignment.objects.create(user=user, district="静安区", subdistrict="静安寺街道")
    CenterFactory(district="静安区", subdistrict="江宁路街道")

    client = client_for(user)

    assert client.get("/admin/day/", {"center": a.center.pk}).status_code == 200
    assert client.get("/admin/day/", {"center": b.center.pk}).status_code == 404
