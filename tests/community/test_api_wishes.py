"""The micro-wishes API (API.md, "Community"): the wall that anyone may read and that shows a
wisher's first name and neighbourhood only; the member's own wishes; every step through its
endpoint; errors in the one shape; another member's wish is a 404."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from community.models import Wish
from community.services.wishes import (
    wish_confirm,
    wish_decline,
    wish_fulfil,
    wish_publish,
    wish_withdraw,
    wishes_release_stale,
)
from members.models import PointsEntry, User
from members.services.teams import team_add_member
from tests.community.conftest import (
    claimed_wish,
    post_wish,
    published_wish,
    volunteer_factory,
    wisher_factory,
)
from tests.factories import CenterFactory, StaffAssignmentFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

WISHES = "/api/v1/wishes/"
CONTRACT_KEYS = {"id", "center", "category", "text", "status", "wisher", "claimed_by_me", "created"}
PUBLIC_KEYS = CONTRACT_KEYS | {"center_name", "has_photo", "photo_url"}
Status = Wish.Status


def client_for(member: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(member)
    return client


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert set(body) <= {"code", "detail", "fields"} and body["detail"]
    return body


def secrets_of(wisher: User) -> list[str]:
    """What the wall must never show about a wisher."""
    return [
        wisher.display_name,
        wisher.email,
        wisher.phone,
        wisher.phone.removeprefix("+86"),
        wisher.username,
        "凉城路100弄",  # the private details of post_wish
    ]


def assert_nothing_private(response, wisher: User) -> None:
    text = response.content.decode()
    for secret in secrets_of(wisher):
        assert secret not in text, secret
    assert '"private"' not in text
    assert f'"wisher":{wisher.pk}' not in text.replace(" ", "")


@pytest.fixture
def wall(center, desk, volunteer):
    """A wish in every state, each from a wisher of its own."""
    wishes = {}
    wishes[Status.SUBMITTED] = post_wish(wisher_factory(), center)
    wishes[Status.DECLINED] = wish_decline(
        wish=post_wish(wisher_factory(), center), by=desk, reason="重复"
    )
    wishes[Status.PUBLISHED] = published_wish(wisher_factory(), center, desk)
    wishes[Status.CLAIMED] = claimed_wish(wisher_factory(), center, desk, volunteer)
    fulfilled = claimed_wish(wisher_factory(), center, desk, volunteer)
    wishes[Status.FULFILLED] = wish_fulfil(wish=fulfilled, member=volunteer, note="好了")
    closed = claimed_wish(wisher_factory(), center, desk, volunteer)
    closed = wish_fulfil(wish=closed, member=volunteer, note="好了")
    wishes[Status.CLOSED] = wish_confirm(wish=closed, by=closed.wisher)
    return wishes


class TestTheWall:
    def test_anyone_reads_the_published_wishes_without_personal_details(self, api, wall):
        response = api.get(WISHES)

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        statuses = {item["status"] for item in body["results"]}
        assert statuses == {"published", "claimed", "fulfilled", "closed"}
        for item in body["results"]:
            assert set(item) == PUBLIC_KEYS
            wish = wall[item["status"]]
            assert item["wisher"] == {"first_name": "王阿姨", "neighbourhood": "凉二居民区"}
            assert item["claimed_by_me"] is False
            assert item["created"].endswith("+08:00")
            assert_nothing_private(response, wish.wisher)

    def test_a_logged_in_stranger_sees_no_more(self, wall):
        stranger = client_for(UserFactory())
        for wish in wall.values():
            detail = stranger.get(f"{WISHES}{wish.pk}/")
            if wish.status in Wish.PUBLIC:
                assert detail.status_code == 200
                assert set(detail.json()) == PUBLIC_KEYS
            else:
                assert_error(detail, 404, "not_found")
            assert_nothing_private(detail, wish.wisher)
        assert_nothing_private(stranger.get(WISHES, {"page_size": 100}), wall["published"].wisher)

    def test_filters(self, api, wall, center, desk):
        elsewhere = StaffAssignmentFactory()
        published_wish(wisher_factory(), elsewhere.center, elsewhere.user)

        def ids(**params):
            return {item["id"] for item in api.get(WISHES, params).json()["results"]}

        assert ids(status="published", center=center.pk) == {wall["published"].pk}
        assert ids(status="submitted") == set()
        assert len(ids(center=center.pk)) == 4
        assert ids(category="company") == set()
        for params in ({"status": "lost"}, {"center": "x"}, {"mine": "maybe"}):
            assert_error(api.get(WISHES, params), 400, "invalid")

    def test_mine_and_claimed_by_me_need_a_login(self, api):
        for params in ({"mine": "true"}, {"claimed_by_me": "true"}):
            assert_error(api.get(WISHES, params), 401, "not_authenticated")

    def test_same_query_count_for_1_and_20_wishes(self, api, desk, center):
        counts = []
        for count in (1, 20):
            place = CenterFactory()
            staff = StaffAssignmentFactory(center=place).user
            for _n in range(count):
                published_wish(wisher_factory(), place, staff)
            with CaptureQueriesContext(connection) as queries:
                response = api.get(WISHES, {"center": place.pk})
            assert len(response.json()["results"]) == count
            counts.append(len(queries))
        assert counts[0] == counts[1] <= 3


class TestMine:
    def test_the_wisher_sees_every_state_and_the_private_part(self, center, desk, volunteer):
        wisher = wisher_factory()
        declined = wish_decline(wish=post_wish(wisher, center), by=desk, reason="重复")
        claimed = claimed_wish(wisher, center, desk, volunteer)
        client = client_for(wisher)

        results = client.get(WISHES, {"mine": "true"}).json()["results"]

        assert [item["id"] for item in results] == [claimed.pk, declined.pk]
        by_id = {item["id"]: item for item in results}
        assert by_id[declined.pk]["private"]["decline_reason"] == "重复"
        assert by_id[claimed.pk]["private"]["details"] == "凉城路100弄5号302室，下午在家"
        assert by_id[claimed.pk]["private"]["claim_expires_at"].endswith("+08:00")

    def test_the_volunteer_sees_the_details_of_the_wish_they_hold(self, center, desk, volunteer):
        wish = claimed_wish(wisher_factory(), center, desk, volunteer)
        client = client_for(volunteer)

        (item,) = client.get(WISHES, {"claimed_by_me": "true"}).json()["results"]

        assert item["id"] == wish.pk and item["claimed_by_me"] is True
        assert item["private"]["details"].startswith("凉城路100弄")
        assert client.get(f"{WISHES}{wish.pk}/").json()["private"]["details"]


class TestSteps:
    def test_post_a_wish(self, center):
        wisher = wisher_factory()
        body = {"center": center.pk, "category": "company", "text": "想有人陪我聊聊天"}

        response = client_for(wisher).post(WISHES, body, format="json")

        assert response.status_code == 201, response.content
        item = response.json()
        assert (item["status"], item["text"], item["category"]) == (
            "submitted",
            body["text"],
            "company",
        )
        assert item["private"]["details"] == ""
        assert Wish.objects.get().wisher == wisher

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"category": "company", "text": "x"}, "center"),
            ({"center": 999999, "category": "company", "text": "x"}, "center"),
            ({"center": "1", "category": "company", "text": "x"}, "center"),
            ({"center": 1, "category": "gold", "text": "x"}, "category"),
            ({"center": 1, "category": "company", "text": 5}, "text"),
            ({"center": 1, "category": "company", "text": "x", "wisher": 3}, "wisher"),
        ],
    )
    def test_bad_bodies_are_invalid(self, center, body, field):
        body = {k: (center.pk if v == 1 and k == "center" else v) for k, v in body.items()}

        response = client_for(UserFactory()).post(WISHES, body, format="json")

        assert field in assert_error(response, 400, "invalid")["fields"]
        assert not Wish.objects.exists()

    def test_posting_needs_a_login(self, api, center):
        body = {"center": center.pk, "category": "company", "text": "x"}
        assert_error(api.post(WISHES, body, format="json"), 401, "not_authenticated")

    def test_an_idempotency_key_posts_once(self, center):
        client = client_for(UserFactory())
        body = {"center": center.pk, "category": "errand", "text": "帮忙取药"}

        first = client.post(WISHES, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        again = client.post(WISHES, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")

        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert Wish.objects.count() == 1

    def test_claim_fulfil_confirm(self, center, desk, volunteer):
        wish = published_wish(wisher_factory(), center, desk)
        helper, wisher = client_for(volunteer), client_for(wish.wisher)

        claimed = helper.post(f"{WISHES}{wish.pk}/claim/", format="json")
        assert claimed.status_code == 200, claimed.content
        assert (claimed.json()["status"], claimed.json()["claimed_by_me"]) == ("claimed", True)
        done = helper.post(f"{WISHES}{wish.pk}/fulfil/", {"note": "已修好"}, format="json")
        assert done.json()["status"] == "fulfilled"
        confirmed = wisher.post(f"{WISHES}{wish.pk}/confirm/", format="json")

        assert confirmed.status_code == 200
        assert confirmed.json()["status"] == "closed"
        assert PointsEntry.objects.get(member=volunteer).delta == 10

    def test_claim_for_a_team(self, center, desk, volunteer):
        team = TeamFactory(center=center)
        team_add_member(team=team, member=volunteer)
        wish = published_wish(wisher_factory(), center, desk)
        helper = client_for(volunteer)

        other_team = TeamFactory(center=center)
        refused = helper.post(f"{WISHES}{wish.pk}/claim/", {"team": other_team.pk}, format="json")
        assert_error(refused, 400, "not_eligible")
        response = helper.post(f"{WISHES}{wish.pk}/claim/", {"team": team.pk}, format="json")

        assert response.status_code == 200
        assert Wish.objects.get().claimed_team == team

    def test_a_claimed_wish_is_a_409(self, center, desk, volunteer):
        wish = claimed_wish(wisher_factory(), center, desk, volunteer)

        response = client_for(volunteer_factory()).post(f"{WISHES}{wish.pk}/claim/", format="json")

        body = assert_error(response, 409, "already_claimed")
        assert "fields" not in body
        english = client_for(volunteer_factory()).post(
            f"{WISHES}{wish.pk}/claim/", format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert english.json()["detail"] == "Someone has already claimed this wish."
        assert body["detail"] != english.json()["detail"]

    def test_claim_errors(self, center, desk, volunteer):
        wish = published_wish(wisher_factory(), center, desk)
        assert_error(
            client_for(UserFactory()).post(f"{WISHES}{wish.pk}/claim/", format="json"),
            400,
            "verification_required",
        )
        assert_error(
            client_for(volunteer).post(f"{WISHES}{wish.pk}/claim/", {"x": 1}, format="json"),
            400,
            "invalid",
        )

    def test_withdraw_a_claim_and_a_wish(self, center, desk, volunteer):
        wish = claimed_wish(wisher_factory(), center, desk, volunteer)

        released = client_for(volunteer).post(f"{WISHES}{wish.pk}/withdraw/", format="json")
        assert released.json()["status"] == "published"
        withdrawn = client_for(wish.wisher).post(f"{WISHES}{wish.pk}/withdraw/", format="json")
        assert withdrawn.json()["status"] == "closed"
        assert_error(
            client_for(wish.wisher).post(f"{WISHES}{wish.pk}/withdraw/", format="json"),
            409,
            "invalid_transition",
        )


class TestAnotherMembersWish:
    """IDOR: whatever the id, a member finds only what they have a part in."""

    def test_other_members_cannot_act_on_a_wish(self, center, desk, volunteer):
        submitted = post_wish(wisher_factory(), center)
        claimed = claimed_wish(wisher_factory(), center, desk, volunteer)
        fulfilled = wish_fulfil(
            wish=claimed_wish(wisher_factory(), center, desk, volunteer),
            member=volunteer,
            note="好",
        )
        intruder = client_for(volunteer_factory())

        assert_error(intruder.get(f"{WISHES}{submitted.pk}/"), 404, "not_found")
        assert_error(intruder.post(f"{WISHES}{submitted.pk}/claim/"), 404, "not_found")
        assert_error(intruder.post(f"{WISHES}{submitted.pk}/withdraw/"), 404, "not_found")
        assert_error(
            intruder.post(f"{WISHES}{claimed.pk}/fulfil/", {"note": "我"}, format="json"),
            404,
            "not_found",
        )
        assert_error(intruder.post(f"{WISHES}{claimed.pk}/withdraw/"), 404, "not_found")
        assert_error(intruder.post(f"{WISHES}{fulfilled.pk}/confirm/"), 404, "not_found")
        # The volunteer is not the wisher either.
        assert_error(
            client_for(volunteer).post(f"{WISHES}{fulfilled.pk}/confirm/"), 404, "not_found"
        )

        assert Wish.objects.get(pk=submitted.pk).status == Status.SUBMITTED
        assert Wish.objects.get(pk=claimed.pk).claimed_by == volunteer
        assert Wish.objects.get(pk=fulfilled.pk).status == Status.FULFILLED
        assert not PointsEntry.objects.exists()

    def test_the_private_part_is_not_in_any_public_answer(self, center, desk, volunteer):
        wish = claimed_wish(wisher_factory(), center, desk, volunteer)
        intruder = client_for(volunteer_factory())

        for response in (
            intruder.get(WISHES),
            intruder.get(f"{WISHES}{wish.pk}/"),
            intruder.get(WISHES, {"status": "claimed"}),
            APIClient().get(f"{WISHES}{wish.pk}/"),
        ):
            assert response.status_code == 200
            assert_nothing_private(response, wish.wisher)
            assert "details" not in json.dumps(response.json())

    def test_a_volunteer_who_let_go_of_a_wish_no_longer_sees_its_details(
        self, center, desk, volunteer
    ):
        """Given back, or lapsed: the address was for whoever holds the claim, and the next
        volunteer's claim is theirs alone."""
        given_back = wish_withdraw(
            wish=claimed_wish(wisher_factory(), center, desk, volunteer), member=volunteer
        )
        lapsing = claimed_wish(wisher_factory(), center, desk, volunteer)
        wishes_release_stale(now=lapsing.claim_expires_at)
        client = client_for(volunteer)

        for wish in (given_back, lapsing):
            wish.refresh_from_db()
            assert wish.status == Status.PUBLISHED
            response = client.get(f"{WISHES}{wish.pk}/")
            assert response.status_code == 200
            assert_nothing_private(response, wish.wisher)
            claimed = client.get(WISHES, {"claimed_by_me": "true"})
            assert wish.pk not in {item["id"] for item in claimed.json()["results"]}
            assert_nothing_private(client.get(WISHES), wish.wisher)

    def test_a_wish_staff_posted_names_neither_wisher_nor_staff(self, center, desk):
        """A resident living alone whose wish the front desk posted: the wall shows their first
        name and neighbourhood, and nothing of who posted it."""
        wisher = wisher_factory()
        wish = wish_publish(wish=post_wish(wisher, center, by=desk), by=desk)

        for response in (APIClient().get(WISHES), APIClient().get(f"{WISHES}{wish.pk}/")):
            assert response.status_code == 200
            assert_nothing_private(response, wisher)
            assert desk.username not in response.content.decode()
            assert "created_by" not in response.content.decode()


class TestSchema:
    def test_the_wish_endpoints_are_described_with_their_errors(self, api):
        schema = api.get("/api/schema/", {"format": "json"}).json()
        paths, components = schema["paths"], schema["components"]["schemas"]

        assert {"get", "post"} <= set(paths["/api/v1/wishes/"])
        assert "get" in paths["/api/v1/wishes/{id}/"]
        for step in ("claim", "fulfil", "confirm", "withdraw"):
            responses = set(paths[f"/api/v1/wishes/{{id}}/{step}/"]["post"]["responses"])
            assert {"200", "400", "401", "404", "409"} <= responses, step
        create = paths["/api/v1/wishes/"]["post"]
        assert {"201", "400", "401", "409", "422"} <= set(create["responses"])
        assert "already_claimed" in paths["/api/v1/wishes/{id}/claim/"]["post"]["description"]
        wish = components["Wish"]
        assert set(wish["properties"]) == PUBLIC_KEYS | {"private"}
        assert "private" not in wish["required"]
        assert set(components["Wisher"]["properties"]) == {"first_name", "neighbourhood"}
        assert set(components["WishStatusEnum"]["enum"]) == set(Status.values)
