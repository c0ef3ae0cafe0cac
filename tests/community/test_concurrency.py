"""Races on the community side, for real: threads with connections of their own against
PostgreSQL (SQLite serializes every writer anyway, so it would prove nothing)."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from community.models import ProposalSupport, Wish, WishEvent
from community.services.proposals import proposal_support
from community.services.wishes import wish_confirm, wish_fulfil
from members.models import PointsEntry, User
from members.services.proxies import proxy_link_at_desk
from tests.community.conftest import (
    claimed_wish,
    post_proposal,
    published_wish,
    volunteer_factory,
    wisher_factory,
)
from tests.factories import CenterFactory, StaffAssignmentFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def all_at_once(calls: list[Callable[[], tuple]], workers: int | None = None) -> list[tuple]:
    """Run each call on a thread of its own (or a pool of ``workers``), released together by a
    barrier; each returns its outcome, or the error it raised."""
    workers = workers or len(calls)
    barrier = threading.Barrier(workers)
    started = threading.local()

    def run(call: Callable[[], tuple]) -> tuple:
        try:
            if not getattr(started, "yes", False):
                started.yes = True
                barrier.wait(timeout=60)
            return call()
        except Exception as error:  # recorded, so that the assertions name it
            return (None, repr(error))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, calls, timeout=600))


def post(
    member: User, url: str, body: dict | None = None, *, relative: User | None = None
) -> Callable[[], tuple]:
    """A POST by ``member``, or by ``member`` acting for ``relative`` (X-On-Behalf-Of, read by
    the real session authentication, which force_authenticate would skip)."""

    def call() -> tuple:
        client = APIClient()
        if relative is None:
            client.force_authenticate(member)
        else:
            client.force_login(member)
            client.credentials(HTTP_X_ON_BEHALF_OF=str(relative.pk))
        response = client.post(url, body or {}, format="json")
        return response.status_code, response.json()

    return call


def linked(son: User, mother: User, center) -> None:
    desk = StaffAssignmentFactory(center=center).user
    proxy_link_at_desk(proxy=son, member=mother, by=desk, center=center)


def test_twenty_volunteers_claim_one_wish_one_claim():
    center = CenterFactory()
    desk = StaffAssignmentFactory(center=center).user
    wish = published_wish(wisher_factory(), center, desk)
    volunteers = [volunteer_factory() for _ in range(20)]

    results = all_at_once([post(v, f"/api/v1/wishes/{wish.pk}/claim/") for v in volunteers])

    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: 19}, results
    assert {body["code"] for status, body in results if status == 409} == {"already_claimed"}
    (winner,) = [body for status, body in results if status == 200]
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED
    assert winner["claimed_by_me"] is True
    assert wish.claimed_by in volunteers
    assert WishEvent.objects.filter(wish=wish, action="claim").count() == 1


def test_confirming_at_once_pays_the_volunteer_once():
    """The wisher presses confirm ten times at once on a shaky connection."""
    center = CenterFactory()
    desk = StaffAssignmentFactory(center=center).user
    volunteer = volunteer_factory()
    wish = claimed_wish(wisher_factory(), center, desk, volunteer)
    wish_fulfil(wish=wish, member=volunteer, note="已陪同就医")
    url = f"/api/v1/wishes/{wish.pk}/confirm/"

    results = all_at_once([post(wish.wisher, url) for _ in range(10)])

    assert Counter(status for status, _ in results) == {200: 1, 409: 9}, results
    assert PointsEntry.objects.filter(member=volunteer).count() == 1
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 10


def test_wisher_son_and_staff_confirming_at_once_pay_the_volunteer_once():
    """Her son confirms for her in the app while she does on her own phone and the front desk,
    who heard from her, does at the counter."""
    center = CenterFactory()
    desk = StaffAssignmentFactory(center=center).user
    volunteer, son = volunteer_factory(), volunteer_factory()
    wish = claimed_wish(wisher_factory(), center, desk, volunteer)
    wish_fulfil(wish=wish, member=volunteer, note="已送到")
    linked(son, wish.wisher, center)
    url = f"/api/v1/wishes/{wish.pk}/confirm/"

    def at_the_desk() -> tuple:
        return 200, {"status": wish_confirm(wish=Wish.objects.get(pk=wish.pk), by=desk).status}

    results = all_at_once(
        [post(wish.wisher, url), post(son, url, relative=wish.wisher), at_the_desk] * 3
    )

    assert sum(status == 200 for status, _ in results) == 1, results
    assert PointsEntry.objects.filter(member=volunteer).count() == 1
    assert WishEvent.objects.filter(wish=wish, action__startswith="confirm").count() == 1
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLOSED


# --- Supports ----------------------------------------------------------------------------------

MEMBERS = 200
WORKERS = 20  # each request holds a connection; PostgreSQL allows 100, shared with others


def test_two_hundred_members_support_at_once_two_hundred_supports():
    proposal = post_proposal(UserFactory(), CenterFactory())
    members = [UserFactory() for _ in range(MEMBERS)]
    url = f"/api/v1/proposals/{proposal.pk}/support/"

    results = all_at_once([post(m, url) for m in members], workers=WORKERS)

    assert Counter(status for status, _ in results) == {200: MEMBERS}, results[:3]
    proposal.refresh_from_db()
    assert proposal.supports == MEMBERS
    assert ProposalSupport.objects.filter(proposal=proposal).count() == MEMBERS
    # Each answer counted the support it reported: no two saw the same total.
    assert sorted(body["supports"] for _, body in results)[-1] == MEMBERS


def test_one_member_supporting_twice_at_once_counts_once():
    proposals = [post_proposal(UserFactory(), CenterFactory()) for _ in range(5)]
    member = UserFactory()
    calls = [
        post(member, f"/api/v1/proposals/{proposal.pk}/support/")
        for proposal in proposals
        for _twice in range(4)
    ]

    results = all_at_once(calls)

    assert Counter(status for status, _ in results) == {200: len(calls)}, results
    for proposal in proposals:
        proposal.refresh_from_db()
        assert proposal.supports == 1
    assert ProposalSupport.objects.filter(member=member).count() == len(proposals)
    assert {body["supported_by_me"] for _, body in results} == {True}


def test_supports_and_withdrawals_at_once_leave_the_count_true():
    """Half the members withdraw while the other half support: the count is the rows."""
    proposal = post_proposal(UserFactory(), CenterFactory())
    leaving = [UserFactory() for _ in range(20)]
    for member in leaving:
        proposal_support(proposal=proposal, member=member)
    joining = [UserFactory() for _ in range(20)]
    url = f"/api/v1/proposals/{proposal.pk}/support/"

    def delete(member: User) -> Callable[[], tuple]:
        def call() -> tuple:
            client = APIClient()
            client.force_authenticate(member)
            response = client.delete(url)
            return response.status_code, response.json()

        return call

    results = all_at_once([delete(m) for m in leaving] + [post(m, url) for m in joining])

    assert Counter(status for status, _ in results) == {200: 40}, results
    proposal.refresh_from_db()
    assert proposal.supports == 20 == ProposalSupport.objects.filter(proposal=proposal).count()
    assert set(ProposalSupport.objects.values_list("member", flat=True)) == {m.pk for m in joining}


def test_a_member_and_her_son_supporting_at_once_count_once():
    """She presses support on her phone while her son does for her in his: one support."""
    center = CenterFactory()
    proposal = post_proposal(UserFactory(), center)
    mother, son = wisher_factory(), volunteer_factory()
    linked(son, mother, center)
    url = f"/api/v1/proposals/{proposal.pk}/support/"

    results = all_at_once([post(mother, url), post(son, url, relative=mother)] * 5)

    assert Counter(status for status, _ in results) == {200: 10}, results
    proposal.refresh_from_db()
    assert proposal.supports == 1
    (support,) = ProposalSupport.objects.filter(proposal=proposal)
    assert support.member == mother and support.created_by in (mother, son)
