"""The proposal wall's API (API.md, "Community"): the wall sorted by support or newest,
supporting and withdrawing, a proposal's history, drafts that are their author's alone, and
errors in the one shape."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from community.models import Proposal, ProposalSupport
from community.services.proposals import proposal_hide, proposal_respond, proposal_support
from tests.community.conftest import post_proposal, wisher_factory
from tests.community.test_api_wishes import assert_error, client_for
from tests.factories import CenterFactory, StaffAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PROPOSALS = "/api/v1/proposals/"
CONTRACT_KEYS = {
    "id",
    "center",
    "title",
    "text",
    "status",
    "supports",
    "supported_by_me",
    "reply",
    "created",
}
LIST_KEYS = CONTRACT_KEYS | {"center_name", "replied_at"}
DETAIL_KEYS = LIST_KEYS | {"history"}
Status = Proposal.Status


def supported(proposal: Proposal, count: int) -> Proposal:
    for _n in range(count):
        proposal = proposal_support(proposal=proposal, member=UserFactory())
    return proposal


@pytest.fixture
def desk(center):
    return StaffAssignmentFactory(center=center).user


class TestTheWall:
    def test_items_newest_first_and_by_support(self, api, center, desk):
        old = supported(post_proposal(UserFactory(), center, title="长椅"), 3)
        new = supported(post_proposal(UserFactory(), center, title="路灯"), 1)
        hidden = proposal_hide(
            proposal=post_proposal(UserFactory(), center), by=desk, reason="广告"
        )
        post_proposal(UserFactory(), center, draft=True)

        newest = api.get(PROPOSALS).json()["results"]
        by_support = api.get(PROPOSALS, {"ordering": "-supports"}).json()["results"]

        assert [p["id"] for p in newest] == [new.pk, old.pk]
        assert [p["id"] for p in by_support] == [old.pk, new.pk]
        assert set(newest[0]) == LIST_KEYS
        assert (newest[1]["supports"], newest[1]["supported_by_me"]) == (3, False)
        assert newest[0]["created"].endswith("+08:00")
        assert_error(api.get(f"{PROPOSALS}{hidden.pk}/"), 404, "not_found")

    def test_filters_and_bad_ones(self, api, center, desk):
        received = post_proposal(UserFactory(), center)
        adopted = proposal_respond(
            proposal=post_proposal(UserFactory(), center), by=desk, status="adopted", reply="好"
        )
        elsewhere = StaffAssignmentFactory()
        post_proposal(UserFactory(), elsewhere.center)

        def ids(**params) -> set[int]:
            return {p["id"] for p in api.get(PROPOSALS, params).json()["results"]}

        assert ids(center=center.pk) == {received.pk, adopted.pk}
        assert ids(center=center.pk, status="adopted") == {adopted.pk}
        assert ids(status="hidden") == set()
        for params in ({"ordering": "-votes"}, {"status": "maybe"}, {"center": "-1"}):
            assert_error(api.get(PROPOSALS, params), 400, "invalid")
        assert_error(api.get(PROPOSALS, {"mine": "true"}), 401, "not_authenticated")

    def test_same_query_count_for_1_and_20_proposals(self):
        client = client_for(UserFactory())
        counts = []
        for count in (1, 20):
            center = CenterFactory()
            for n in range(count):
                supported(post_proposal(UserFactory(), center, title=f"提案{n}"), 1)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(PROPOSALS, {"center": center.pk, "ordering": "-supports"})
            assert len(response.json()["results"]) == count
            counts.append(len(queries))
        assert counts[0] == counts[1] <= 3


class TestSupport:
    def test_support_twice_counts_once_and_withdraw(self, center):
        proposal = post_proposal(UserFactory(), center)
        client = client_for(UserFactory())
        url = f"{PROPOSALS}{proposal.pk}/support/"

        first = client.post(url)
        second = client.post(url)

        assert first.status_code == second.status_code == 200
        assert set(second.json()) == DETAIL_KEYS
        assert (second.json()["supports"], second.json()["supported_by_me"]) == (1, True)
        assert client.get(PROPOSALS).json()["results"][0]["supported_by_me"] is True
        withdrawn = client.delete(url)
        assert (withdrawn.json()["supports"], withdrawn.json()["supported_by_me"]) == (0, False)
        assert not ProposalSupport.objects.exists()

    def test_a_decided_proposal_takes_no_more_support(self, center, desk):
        proposal = proposal_respond(
            proposal=post_proposal(UserFactory(), center), by=desk, status="not_adopted", reply="否"
        )

        response = client_for(UserFactory()).post(f"{PROPOSALS}{proposal.pk}/support/")

        assert_error(response, 409, "proposal_closed")
        assert Proposal.objects.get().supports == 0

    def test_support_needs_a_login_and_an_empty_body(self, api, center):
        url = f"{PROPOSALS}{post_proposal(UserFactory(), center).pk}/support/"
        assert_error(api.post(url), 401, "not_authenticated")
        assert_error(client_for(UserFactory()).post(url, {"n": 2}, format="json"), 400, "invalid")


class TestPostingAndHistory:
    def test_post_and_read_the_history(self, center, desk):
        author = client_for(UserFactory())
        body = {"center": center.pk, "title": "增设快递柜", "text": "小区没有快递柜，老人取件难。"}

        created = author.post(PROPOSALS, body, format="json")
        assert created.status_code == 201, created.content
        proposal = Proposal.objects.get(pk=created.json()["id"])
        proposal_respond(proposal=proposal, by=desk, status="discussing", reply="已联系物业")

        detail = APIClient().get(f"{PROPOSALS}{proposal.pk}/").json()
        assert set(detail) == DETAIL_KEYS
        assert [(h["status"], h["reply"]) for h in detail["history"]] == [
            ("received", ""),
            ("discussing", "已联系物业"),
        ]
        assert all(h["at"].endswith("+08:00") for h in detail["history"])
        assert detail["reply"] == "已联系物业"

    def test_drafts_edit_and_submit(self, center):
        member = UserFactory()
        client = client_for(member)
        body = {"center": center.pk, "title": "草稿", "text": "还没想好", "draft": True}

        draft = client.post(PROPOSALS, body, format="json").json()
        assert draft["status"] == "draft"
        assert client.get(PROPOSALS, {"mine": "true"}).json()["count"] == 1
        assert client.get(PROPOSALS).json()["count"] == 0
        edited = client.patch(
            f"{PROPOSALS}{draft['id']}/", {"title": "想好了", "text": "加装长椅"}, format="json"
        )
        assert edited.json()["title"] == "想好了"
        submitted = client.post(f"{PROPOSALS}{draft['id']}/submit/")
        assert submitted.json()["status"] == "received"
        assert_error(
            client.patch(
                f"{PROPOSALS}{draft['id']}/", {"title": "再改", "text": "再改"}, format="json"
            ),
            409,
            "invalid_transition",
        )

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": "x", "text": "y"}, "center"),
            ({"center": 0, "title": "x", "text": "y"}, "center"),
            ({"center": 1, "title": "", "text": "y"}, "title"),
            ({"center": 1, "title": "x", "text": "y", "draft": "yes"}, "draft"),
            ({"center": 1, "title": "x", "text": "y", "supports": 99}, "supports"),
        ],
    )
    def test_bad_bodies(self, center, body, field):
        if body.get("center") == 1:
            body["center"] = center.pk
        response = client_for(UserFactory()).post(PROPOSALS, body, format="json")
        assert field in assert_error(response, 400, "invalid")["fields"]
        assert not Proposal.objects.exists()

    def test_the_author_reads_why_it_was_hidden(self, center, desk):
        author = UserFactory()
        proposal = proposal_hide(proposal=post_proposal(author, center), by=desk, reason="广告")

        mine = client_for(author).get(f"{PROPOSALS}{proposal.pk}/").json()

        assert (mine["status"], mine["hidden_reason"]) == ("hidden", "广告")


class TestAnotherMembersProposal:
    def test_another_members_draft_or_hidden_proposal_is_a_404(self, center, desk):
        author = wisher_factory()
        draft = post_proposal(author, center, draft=True)
        hidden = proposal_hide(proposal=post_proposal(author, center), by=desk, reason="重复")
        public = post_proposal(author, center)
        intruder = client_for(UserFactory())

        for proposal in (draft, hidden):
            url = f"{PROPOSALS}{proposal.pk}/"
            assert_error(intruder.get(url), 404, "not_found")
            assert_error(intruder.post(f"{url}support/"), 404, "not_found")
            assert_error(intruder.post(f"{url}submit/"), 404, "not_found")
            assert_error(
                intruder.patch(url, {"title": "改", "text": "改"}, format="json"), 404, "not_found"
            )
        assert_error(
            intruder.patch(
                f"{PROPOSALS}{public.pk}/", {"title": "改", "text": "改"}, format="json"
            ),
            404,
            "not_found",
        )
        assert Proposal.objects.get(pk=draft.pk).title == "在小区门口加装休息长椅"
        assert not ProposalSupport.objects.exists()

    def test_no_answer_names_the_author(self, center, desk):
        author = wisher_factory()
        proposal = supported(post_proposal(author, center), 2)
        intruder = client_for(UserFactory())

        for response in (
            intruder.get(PROPOSALS),
            intruder.get(f"{PROPOSALS}{proposal.pk}/"),
            intruder.post(f"{PROPOSALS}{proposal.pk}/support/"),
        ):
            text = response.content.decode()
            for secret in (author.display_name, author.first_name, author.email, author.username):
                assert secret not in text
            assert "hidden_reason" not in response.json()


def test_schema_describes_the_proposal_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths, components = schema["paths"], schema["components"]["schemas"]

    assert {"get", "post"} <= set(paths["/api/v1/proposals/"])
    assert {"get", "patch"} <= set(paths["/api/v1/proposals/{id}/"])
    support = paths["/api/v1/proposals/{id}/support/"]
    assert {"post", "delete"} <= set(support)
    assert {"200", "401", "404", "409"} <= set(support["post"]["responses"])
    params = {p["name"] for p in paths["/api/v1/proposals/"]["get"]["parameters"]}
    assert {"center", "status", "ordering", "mine", "page", "page_size"} <= params
    assert set(components["Proposal"]["properties"]) == LIST_KEYS
    assert set(components["ProposalStatusEnum"]["enum"]) == set(Status.values)
    assert "hidden_reason" not in components["ProposalDetail"]["required"]
