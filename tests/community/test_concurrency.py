"""Races on the community side, for real: threads with connections of their own against
PostgreSQL (SQLite serializes every writer anyway, so it would prove nothing)."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from community.models import Wish, WishEvent
from community.services.wishes import wish_fulfil
from members.models import PointsEntry, User
from tests.community.conftest import claimed_wish, published_wish, volunteer_factory, wisher_factory
from tests.factories import CenterFactory, StaffAssignmentFactory

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


def post(member: User, url: str, body: dict | None = None) -> Callable[[], tuple]:
    def call() -> tuple:
        client = APIClient()
        client.force_authenticate(member)
        response = client.post(url, body or {}, format="json")
        return response.status_code, response.json()

    return call


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
