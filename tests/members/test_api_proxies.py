"""Family links through the API (API.md, "Community"), and acting for a relative with
``X-On-Behalf-Of``: the relative's rules, quotas and points apply, the family member is named
as the actor, messages go to both; without an active link nothing happens (403
``no_proxy_link``). "Now" is Monday 2026-11-23 8:00 in Shanghai."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from bookings.models import Booking, BookingEvent
from centers.models import StaffAssignment
from community.models import Wish, WishEvent
from members.models import ProxyAction, ProxyLink, User
from members.services.points import points_adjust
from members.services.proxies import proxy_end, proxy_link_at_desk
from notifications.models import Message
from services.models import Registration, RegistrationEvent
from tests.factories import (
    BookableSpaceFactory,
    CenterFactory,
    EligibilityRuleFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    VerifiedMemberFactory,
    staff_at,
)
from tests.helpers import at
from tests.members.test_accounts import OutboxSMSBackend, code_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PROXIES = "/api/v1/me/proxies/"
TUESDAY = date(2026, 11, 24)
LINK_KEYS = {"id", "relative", "status", "direction", "via", "created", "confirmed_at"}


def logged_in(member: User) -> APIClient:
    """Through the real authentication (the session), which reads X-On-Behalf-Of;
    force_authenticate would skip it."""
    client = APIClient()
    client.force_login(member)
    return client


def on_behalf(member: User) -> dict[str, str]:
    return {"HTTP_X_ON_BEHALF_OF": str(member.pk)}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert set(body) <= {"code", "detail", "fields"}
    return body


@pytest.fixture
def son() -> User:
    return VerifiedMemberFactory(
        display_name="王小明",
        phone="+8613800000001",
        email="son@example.cn",
        notification_channels=["email"],
    )


@pytest.fixture
def mother() -> User:
    """82 years old, a phone that takes texts and no smartphone."""
    return UserFactory(
        display_name="王阿姨",
        phone="+8613912345678",
        birth_date=date(1944, 5, 1),
        notification_channels=["sms"],
    )


@pytest.fixture
def center():
    return CenterFactory()


@pytest.fixture
def linked(son, mother, center) -> ProxyLink:
    return proxy_link_at_desk(proxy=son, member=mother, by=staff_at(center), center=center)


class TestLinks:
    def test_ask_confirm_and_see_it_from_both_sides(
        self, son, settings, django_capture_on_commit_callbacks
    ):
        settings.SMS_BACKEND = "tests.members.test_accounts.OutboxSMSBackend"
        OutboxSMSBackend.outbox.clear()
        client = logged_in(son)

        with django_capture_on_commit_callbacks(execute=True):
            asked = client.post(
                PROXIES, {"phone": "13912345678", "display_name": "妈妈"}, format="json"
            )

        assert asked.status_code == 201, asked.content
        link = asked.json()
        assert set(link) == LINK_KEYS
        assert (link["status"], link["direction"], link["via"]) == ("pending", "i_act_for", "code")
        assert link["relative"] == {"id": None, "display_name": "妈妈", "phone": "139****5678"}
        code = code_in(OutboxSMSBackend.outbox[-1][1])
        wrong = client.post(
            f"{PROXIES}{link['id']}/confirm/",
            {"code": "000000" if code != "000000" else "111111"},
            format="json",
        )
        assert_error(wrong, 400, "wrong_code")

        confirmed = client.post(f"{PROXIES}{link['id']}/confirm/", {"code": code}, format="json")

        assert confirmed.status_code == 200, confirmed.content
        mother = User.objects.get(phone="+8613912345678")
        assert confirmed.json()["status"] == "active"
        assert confirmed.json()["relative"]["id"] == mother.pk
        (theirs,) = logged_in(mother).get(PROXIES).json()["results"]
        assert theirs["direction"] == "acts_for_me"
        assert theirs["relative"] == {
            "id": son.pk,
            "display_name": "王小明",
            "phone": "138****0001",
        }

    def test_the_relative_ends_the_link(self, son, mother, linked):
        response = logged_in(mother).post(f"{PROXIES}{linked.pk}/end/")

        assert response.json()["status"] == "ended"
        assert_error(logged_in(son).get("/api/v1/me/", **on_behalf(mother)), 403, "no_proxy_link")

    def test_another_members_link_is_a_404(self, linked):
        intruder = logged_in(VerifiedMemberFactory())

        assert_error(intruder.get(f"{PROXIES}{linked.pk}/"), 404, "not_found")
        assert_error(intruder.post(f"{PROXIES}{linked.pk}/end/"), 404, "not_found")
        assert_error(
            intruder.post(f"{PROXIES}{linked.pk}/confirm/", {"code": "123456"}, format="json"),
            404,
            "not_found",
        )
        assert ProxyLink.objects.get().status == ProxyLink.Status.ACTIVE

    def test_bad_bodies_and_an_unverified_member(self, son):
        client = logged_in(son)
        assert (
            "phone"
            in assert_error(client.post(PROXIES, {}, format="json"), 400, "invalid")["fields"]
        )
        assert_error(client.post(PROXIES, {"phone": "123"}, format="json"), 400, "invalid")
        assert_error(
            logged_in(UserFactory()).post(PROXIES, {"phone": "13912345678"}, format="json"),
            400,
            "verification_required",
        )
        assert not ProxyLink.objects.exists()


class TestActingForARelative:
    def test_the_son_books_for_his_mother(self, son, mother, linked):
        space = BookableSpaceFactory()
        body = {
            "space": space.pk,
            "start": at(TUESDAY, 10).isoformat(),
            "end": at(TUESDAY, 11).isoformat(),
        }

        response = logged_in(son).post(
            "/api/v1/bookings/", body, format="json", **on_behalf(mother)
        )

        assert response.status_code == 201, response.content
        booking = Booking.objects.get()
        assert (booking.member, booking.created_by) == (mother, son)
        assert BookingEvent.objects.get(booking=booking).actor == son
        assert ProxyAction.objects.get().link == linked
        # Messages go to both: the mother by SMS, the son a copy that says whose it is.
        assert Message.objects.filter(recipient=mother, kind="booking_confirmed").exists()
        copy = Message.objects.get(recipient=son, kind="booking_confirmed")
        assert copy.context["for_member"] == "王阿姨"
        # The mother's bookings, seen by the son acting for her.
        listed = logged_in(son).get("/api/v1/bookings/", **on_behalf(mother)).json()
        assert [b["id"] for b in listed["results"]] == [booking.pk]
        assert logged_in(son).get("/api/v1/bookings/").json()["count"] == 0

    def test_her_rules_and_points_not_his(self, son, mother, linked):
        over_80 = EligibilityRuleFactory(min_age=80)
        program = ProgramFactory(eligibility=over_80, points_cost=10, free_for_elderly=False)
        session = SessionFactory(program=program)
        url = f"/api/v1/sessions/{session.pk}/registrations/"
        points_adjust(member=son, delta=100, reason="测试", by=son, center=program.center)

        alone = logged_in(son).post(url, format="json")
        assert_error(alone, 400, "not_eligible")
        for_her = logged_in(son).post(url, format="json", **on_behalf(mother))
        assert_error(for_her, 400, "insufficient_points")  # her points, not his 100

        points_adjust(member=mother, delta=10, reason="测试", by=son, center=program.center)
        for_her = logged_in(son).post(url, format="json", **on_behalf(mother))

        assert for_her.status_code == 201, for_her.content
        registration = Registration.objects.get()
        assert registration.member == mother
        assert RegistrationEvent.objects.get(registration=registration).actor == son
        mother.refresh_from_db()
        son.refresh_from_db()
        assert (mother.points_balance, son.points_balance) == (0, 100)

    def test_a_wish_posted_for_her(self, son, mother, linked, center):
        body = {"center": center.pk, "category": "repair", "text": "家里灯坏了"}

        response = logged_in(son).post("/api/v1/wishes/", body, format="json", **on_behalf(mother))

        assert response.status_code == 201, response.content
        wish = Wish.objects.get()
        assert (wish.wisher, wish.created_by) == (mother, son)
        assert WishEvent.objects.get().actor == son
        assert response.json()["private"]["details"] == ""  # she (the request's member) sees it

    def test_the_profile_is_hers(self, son, mother, linked):
        me = logged_in(son).get("/api/v1/me/", **on_behalf(mother)).json()
        assert (me["id"], me["display_name"]) == (mother.pk, "王阿姨")


class TestNoLinkNoAction:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("post", "/api/v1/bookings/", {"space": 1}),
            ("post", "/api/v1/wishes/", {"center": 1, "category": "repair", "text": "x"}),
            ("get", "/api/v1/me/", None),
            ("get", "/api/v1/bookings/", None),
        ],
    )
    def test_without_an_active_link_nothing_happens(self, son, mother, method, path, body):
        stranger = logged_in(VerifiedMemberFactory())
        call = getattr(stranger, method)

        response = call(path, body, format="json", **on_behalf(mother))

        assert_error(response, 403, "no_proxy_link")
        assert not Booking.objects.exists() and not Wish.objects.exists()
        assert not ProxyAction.objects.exists()

    def test_an_ended_or_pending_link_acts_for_no_one(self, son, mother, linked):
        proxy_end(link=linked, by=mother)
        space = BookableSpaceFactory()
        body = {
            "space": space.pk,
            "start": at(TUESDAY, 10).isoformat(),
            "end": at(TUESDAY, 11).isoformat(),
        }

        response = logged_in(son).post(
            "/api/v1/bookings/", body, format="json", **on_behalf(mother)
        )

        assert_error(response, 403, "no_proxy_link")
        assert not Booking.objects.exists()

    def test_the_link_is_one_way(self, son, mother, linked):
        assert_error(logged_in(mother).get("/api/v1/me/", **on_behalf(son)), 403, "no_proxy_link")

    @pytest.mark.parametrize("value", ["abc", "-1", "0", "1.5", "99999999999999999999"])
    def test_a_header_that_is_no_member_id(self, son, value):
        response = logged_in(son).get("/api/v1/me/", HTTP_X_ON_BEHALF_OF=value)
        assert "X-On-Behalf-Of" in assert_error(response, 400, "invalid")["fields"]

    def test_anonymous_with_the_header(self, mother):
        assert_error(APIClient().get("/api/v1/me/", **on_behalf(mother)), 401, "not_authenticated")

    def test_the_relatives_account_is_not_the_family_members_to_change(self, son, mother, linked):
        client = logged_in(son)
        for method, path, body in [
            ("get", PROXIES, None),
            ("post", PROXIES, {"phone": "13700000000"}),
            ("delete", "/api/v1/me/", {"confirm": True}),
            ("get", "/api/v1/me/export/", None),
            ("post", "/api/v1/me/verification/", {"real_name": "王", "id_number": "x"}),
        ]:
            response = getattr(client, method)(path, body, format="json", **on_behalf(mother))
            assert_error(response, 403, "not_on_behalf")
        mother.refresh_from_db()
        assert mother.is_active
        assert ProxyLink.objects.count() == 1


def test_the_front_desk_links_in_the_admin(son, mother, center):
    desk = staff_at(center, StaffAssignment.Role.FRONT_DESK)
    client = APIClient()
    client.force_login(desk)

    response = client.post(
        "/admin/members/proxylink/add/",
        {
            "center": center.pk,
            "proxy_phone": "138 0000 0001",
            "relative_phone": "13912345678",
            "seen_in_person": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    link = ProxyLink.objects.get()
    assert (link.proxy, link.member, link.via, link.confirmed_by) == (son, mother, "desk", desk)
    listed = client.get("/admin/members/proxylink/").content.decode()
    assert "王阿姨" in listed
    other_desk = APIClient()
    other_desk.force_login(staff_at(CenterFactory(), StaffAssignment.Role.FRONT_DESK))
    assert "王阿姨" not in other_desk.get("/admin/members/proxylink/").content.decode()
    found = other_desk.get("/admin/members/proxylink/", {"q": "139 1234 5678"}).content.decode()
    assert "王阿姨" in found  # the relative at the desk says her number
