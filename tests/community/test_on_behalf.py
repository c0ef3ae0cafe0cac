"""亲友代办 on the community side: a family member with an active link posts, supports, confirms
and signs up for their relative (the relative's account, the family member named as actor);
without one (never linked, or ended), nobody acts for a member: every way in is a 403
``no_proxy_link`` (the API) or a 404 (the services), and nothing is created or changed."""

import pytest
from rest_framework.test import APIClient

from community.models import Proposal, ProposalEvent, ProposalSupport, Wish, WishEvent
from community.services.proposals import proposal_create, proposal_support, proposal_unsupport
from community.services.wishes import (
    wish_claim,
    wish_confirm,
    wish_create,
    wish_fulfil,
    wish_withdraw,
)
from core.errors import NotFound
from members.errors import NotEligible
from members.models import PointsEntry, ProxyAction, User
from members.services.proxies import proxy_end, proxy_link_at_desk
from services.models import Registration
from services.services.registration import session_register
from tests.community.conftest import (
    claimed_wish,
    post_proposal,
    published_wish,
    volunteer_factory,
    wisher_factory,
)
from tests.factories import staff_at

pytestmark = pytest.mark.django_db
WISHES, PROPOSALS, SESSIONS = "/api/v1/wishes/", "/api/v1/proposals/", "/api/v1/sessions/"


@pytest.fixture
def mother() -> User:
    return wisher_factory(display_name="王阿姨")


@pytest.fixture
def son() -> User:
    return volunteer_factory(display_name="王小明")


@pytest.fixture
def linked(son, mother, center):
    return proxy_link_at_desk(proxy=son, member=mother, by=staff_at(center), center=center)


def as_(member: User, relative: User) -> APIClient:
    """Through the real authentication (the session), which reads X-On-Behalf-Of (with
    force_authenticate it would be skipped)."""
    client = APIClient()
    client.force_login(member)
    client.credentials(HTTP_X_ON_BEHALF_OF=str(relative.pk))
    return client


@pytest.fixture
def scene(center, desk, mother, volunteer, volunteer_session):
    """What there is to act on: someone else's open wish, the mother's own open and fulfilled
    wishes, a proposal on the wall she supports, a volunteer session."""
    return {
        "open": published_wish(wisher_factory(), center, desk),
        "hers": published_wish(mother, center, desk, text="想请人陪我去医院复查"),
        "fulfilled": wish_fulfil(
            wish=claimed_wish(mother, center, desk, volunteer), member=volunteer, note="换好了"
        ),
        "proposal": proposal_support(
            proposal=post_proposal(wisher_factory(), center), member=mother
        ),
        "session": volunteer_session,
        "role": volunteer_session.roles.get(name="扦脚"),
    }


def calls(scene: dict, center) -> list[tuple[str, str, dict | None]]:
    proposal = f"{PROPOSALS}{scene['proposal'].pk}/support/"
    return [
        ("post", WISHES, {"center": center.pk, "category": "errand", "text": "想请人帮忙买米"}),
        ("post", f"{WISHES}{scene['open'].pk}/claim/", {}),
        ("post", f"{WISHES}{scene['hers'].pk}/withdraw/", {}),
        ("post", f"{WISHES}{scene['fulfilled'].pk}/confirm/", {}),
        ("get", WISHES + "?mine=true", None),
        ("post", PROPOSALS, {"center": center.pk, "title": "加装长椅", "text": "门口加长椅"}),
        ("post", proposal, {}),
        ("delete", proposal, None),
        ("post", f"{SESSIONS}{scene['session'].pk}/registrations/", {"role": scene["role"].pk}),
    ]


def state() -> dict:
    """Everything these calls could create or change."""
    return {
        "wishes": sorted(Wish.objects.values_list("pk", "status", "claimed_by")),
        "wish_events": WishEvent.objects.count(),
        "proposals": Proposal.objects.count(),
        "supports": sorted(ProposalSupport.objects.values_list("proposal", "member")),
        "counts": sorted(Proposal.objects.values_list("pk", "supports")),
        "events": ProposalEvent.objects.count(),
        "registrations": Registration.objects.count(),
        "points": PointsEntry.objects.count(),
        "trail": ProxyAction.objects.count(),
    }


def assert_refused(client: APIClient, scene: dict, center) -> None:
    before = state()
    for method, path, body in calls(scene, center):
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 403, (path, response.content)
        assert response.json()["code"] == "no_proxy_link"
        assert set(response.json()) <= {"code", "detail", "fields"}
    assert state() == before


def test_without_a_link_nobody_acts_for_her(scene, center, mother):
    assert_refused(as_(volunteer_factory(), mother), scene, center)


def test_an_ended_link_acts_for_no_one(scene, center, son, mother, linked):
    proxy_end(link=linked, by=mother)

    assert_refused(as_(son, mother), scene, center)


def test_the_link_runs_one_way(scene, center, son, mother, linked):
    assert_refused(as_(mother, son), scene, center)


def test_the_services_refuse_whoever_has_no_link(scene, center, mother):
    stranger = volunteer_factory()
    before = state()

    with pytest.raises(NotEligible):
        wish_create(member=mother, center=center, category="errand", text="买米", by=stranger)
    refusals = [
        lambda: wish_claim(wish=scene["open"], member=mother, by=stranger),
        lambda: wish_withdraw(wish=scene["hers"], member=mother, by=stranger),
        lambda: wish_confirm(wish=scene["fulfilled"], by=stranger),
        lambda: proposal_create(member=mother, center=center, title="长椅", text="加", by=stranger),
        lambda: proposal_support(proposal=scene["proposal"], member=mother, by=stranger),
        lambda: proposal_unsupport(proposal=scene["proposal"], member=mother, by=stranger),
        lambda: session_register(
            session=scene["session"], member=mother, role=scene["role"], by=stranger
        ),
    ]
    for refused in refusals:
        with pytest.raises(NotFound):
            refused()

    assert state() == before


def test_with_the_link_he_acts_as_her_and_is_named(scene, center, son, mother, linked, volunteer):
    client = as_(son, mother)

    body = {"center": center.pk, "title": "加装长椅", "text": "加长椅"}
    posted = client.post(PROPOSALS, body, format="json")
    supported = client.post(f"{PROPOSALS}{scene['proposal'].pk}/support/")
    confirmed = client.post(f"{WISHES}{scene['fulfilled'].pk}/confirm/")
    signed_up = client.post(
        f"{SESSIONS}{scene['session'].pk}/registrations/",
        {"role": scene["role"].pk},
        format="json",
    )

    assert [r.status_code for r in (posted, supported, confirmed, signed_up)] == [
        201,
        200,
        200,
        201,
    ]
    proposal = Proposal.objects.get(pk=posted.json()["id"])
    assert (proposal.author, proposal.created_by) == (mother, son)
    assert ProposalEvent.objects.get(proposal=proposal).actor == son
    # Her support was already counted: his press on her behalf is the same support.
    assert supported.json()["supports"] == 1 and supported.json()["supported_by_me"] is True
    assert ProposalSupport.objects.filter(proposal=scene["proposal"]).count() == 1
    assert WishEvent.objects.get(wish=scene["fulfilled"], action="confirm").actor == son
    assert PointsEntry.objects.filter(member=volunteer).count() == 1
    registration = Registration.objects.get()
    assert (registration.member, registration.role) == (mother, scene["role"])
    assert ProxyAction.objects.filter(link=linked).count() == 4
