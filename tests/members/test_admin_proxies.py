"""Family links (亲友代办) at the front desk, in the admin: staff who see the relative in person
link the family member to them and end links; they list their own centers' links (and a link
of a member whose full number they search for); a crafted POST for a link they cannot see ends
nothing; viewers and district oversight only look."""

import pytest

from centers.models import DistrictAssignment, StaffAssignment
from members.models import ProxyLink, User
from members.services.proxies import proxy_link_at_desk
from notifications.models import Message
from tests.clients import web_client
from tests.factories import CenterFactory, UserFactory, staff_at

pytestmark = pytest.mark.django_db
LINKS = "/admin/members/proxylink/"


@pytest.fixture
def center():
    return CenterFactory()


@pytest.fixture
def desk(center) -> User:
    return staff_at(center, StaffAssignment.Role.FRONT_DESK)


def link_at(center, son, mother) -> ProxyLink:
    return proxy_link_at_desk(proxy=son, member=mother, by=staff_at(center), center=center)


def end(client, links):
    data = {"action": "end_links", "_selected_action": [link.pk for link in links], "index": 0}
    return client.post(LINKS, data)


def add(client, center, **values):
    data = {
        "center": center.pk,
        "proxy_phone": "138 0000 0001",
        "relative_phone": "13912345678",
        "seen_in_person": "on",
    }
    return client.post(f"{LINKS}add/", data | values)


def test_the_desk_ends_a_link_and_both_are_told(center, son, mother, desk):
    link = link_at(center, son, mother)

    end(web_client(desk), [link])

    link.refresh_from_db()
    assert (link.status, link.ended_by) == (ProxyLink.Status.ENDED, desk)
    for member in (son, mother):
        kinds = Message.objects.filter(recipient=member).values_list("kind", flat=True)
        assert sorted(kinds) == ["proxy_ended", "proxy_linked"]


def test_a_link_the_desk_cannot_see_is_not_ended_by_a_crafted_post(center, son, mother):
    link = link_at(center, son, mother)
    elsewhere = web_client(staff_at(CenterFactory(), StaffAssignment.Role.FRONT_DESK))

    assert elsewhere.get(f"{LINKS}{link.pk}/change/").status_code == 302  # as if missing
    end(elsewhere, [link])

    link.refresh_from_db()
    assert link.status == ProxyLink.Status.ACTIVE


def test_the_desk_cannot_link_at_another_center(center, son, mother, desk):
    response = add(web_client(desk), CenterFactory())

    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors
    assert not ProxyLink.objects.exists()


def test_an_unverified_family_member_is_refused_and_no_account_is_left(center, desk):
    UserFactory(phone="+8613800000001")  # not verified

    response = add(web_client(desk), center, relative_phone="13712345678", relative_name="李阿婆")

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not ProxyLink.objects.exists()
    assert not User.objects.filter(phone="+8613712345678").exists()  # rolled back with it


def test_without_seeing_the_relative_nothing_is_linked(center, son, mother, desk):
    response = add(web_client(desk), center, seen_in_person="")

    assert response.status_code == 200
    assert not ProxyLink.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "district"])
def test_viewers_and_district_oversight_only_look(center, son, mother, role):
    link = link_at(center, son, mother)
    if role == "viewer":
        user = staff_at(center, StaffAssignment.Role.VIEWER)
    else:
        user = UserFactory(is_staff=True)
        DistrictAssignment.objects.create(user=user, district=center.district)
    client = web_client(user)

    assert [x.pk for x in client.get(LINKS).context["cl"].result_list] == [link.pk]
    assert client.get(f"{LINKS}add/").status_code == 403
    end(client, [link])

    link.refresh_from_db()
    assert link.status == ProxyLink.Status.ACTIVE
