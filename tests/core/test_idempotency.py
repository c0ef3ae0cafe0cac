"""``Idempotency-Key`` on creating POSTs (API.md, "General"), through the real booking endpoint,
and through a small view of its own where a test needs a crash or a slow first request."""

import itertools
import json
import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from bookings.models import Booking
from bookings.services.lifecycle import booking_cancel
from centers.models import Center
from core.idempotency import (
    ABANDONED_AFTER,
    idempotency_keys_purge,
    idempotent,
    request_hash,
)
from core.models import IdempotencyKey
from members.models import User
from tests.clients import api_client
from tests.factories import BookableSpaceFactory, UserFactory, book
from tests.helpers import SHANGHAI, at

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
TUESDAY = date(2026, 11, 24)
BOOKINGS = "/api/v1/bookings/"
KEY = "6f1c2a4e-2d1b-4a53-9a57-1f0c3b1e7d10"


def booking_body(space, hour: int = 10) -> dict:
    return {
        "space": space.id,
        "start": at(TUESDAY, hour).isoformat(),
        "end": at(TUESDAY, hour + 1).isoformat(),
        "purpose": "读书会",
        "attendees": 5,
    }


def post(client: APIClient, data, key: str | None = KEY, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(BOOKINGS, data, format="json", **headers, **extra)


@pytest.fixture
def client(member) -> APIClient:
    return api_client(member)


@pytest.fixture
def space(db):
    return BookableSpaceFactory()


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
class TestThroughTheBookingEndpoint:
    def test_same_key_and_body_gets_the_first_response_again(self, client, space):
        first = post(client, booking_body(space))
        again = post(client, booking_body(space))

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first
        assert Booking.objects.count() == 1
        assert IdempotencyKey.objects.get().state == IdempotencyKey.State.DONE

    def test_key_order_and_spacing_of_the_body_do_not_matter(self, client, space):
        data = booking_body(space)
        first = post(client, data)
        reordered = json.dumps(dict(reversed(data.items())), indent=2, ensure_ascii=False)

        again = client.post(
            BOOKINGS, reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
        )

        assert again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert Booking.objects.count() == 1

    def test_same_key_with_another_body_is_refused(self, client, space):
        post(client, booking_body(space, hour=10))

        response = post(client, booking_body(space, hour=14))

        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert Booking.objects.count() == 1

    def test_without_a_key_each_post_is_a_new_attempt(self, client, space):
        assert post(client, booking_body(space), key=None).status_code == 201

        response = post(client, booking_body(space), key=None)

        assert response.status_code == 409
        assert response.json()["code"] == "slot_taken"
        assert not IdempotencyKey.objects.exists()

    def test_keys_belong_to_one_member(self, client, space):
        post(client, booking_body(space))

        other = post(api_client(UserFactory()), booking_body(space))

        assert other.status_code == 409  # its own attempt, not the first member's booking
        assert other.json()["code"] == "slot_taken"

    @pytest.mark.parametrize("key", ["", "k" * 256])
    def test_key_must_have_1_to_255_characters(self, client, space, key):
        response = post(client, booking_body(space), key=key)

        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "Idempotency-Key" in response.json()["fields"]
        assert not Booking.objects.exists()

    def test_a_255_character_key_is_fine(self, client, space):
        assert post(client, booking_body(space), key="k" * 255).status_code == 201

    def test_an_error_from_the_service_is_answered_again(self, client, member, space):
        blocker = book(space, at(TUESDAY, 10))
        first = post(client, booking_body(space))
        booking_cancel(booking=blocker, by=blocker.member)  # the time is free now...

        again = post(client, booking_body(space))

        # ...but the key answers as it did the first time, and books nothing.
        assert first.status_code == again.status_code == 409
        assert (
            again.json()
            == first.json()
            == {
                "code": "slot_taken",
                "detail": first.json()["detail"],
            }
        )
        assert again["Idempotent-Replayed"] == "true"
        assert not Booking.objects.filter(member=member).exists()
        assert post(client, booking_body(space), key="a-new-key").status_code == 201

    def test_an_invalid_body_is_answered_again(self, client, space):
        first = post(client, booking_body(space) | {"colour": "red"})
        again = post(client, booking_body(space) | {"colour": "red"})

        assert first.status_code == again.status_code == 400
        assert again.json() == first.json()

    def test_a_claim_still_running_is_a_conflict_until_it_is_abandoned(
        self, client, clock, member, space
    ):
        # As the claim of a request whose worker was killed half-way leaves it.
        IdempotencyKey.objects.create(
            member=member,
            key=KEY,
            endpoint=f"POST {BOOKINGS}",
            request_hash=request_hash(booking_body(space)),
        )

        response = post(client, booking_body(space))
        assert response.status_code == 409
        assert response.json()["code"] == "request_in_progress"

        clock.shift(ABANDONED_AFTER + timedelta(seconds=1))
        response = post(client, booking_body(space))
        assert response.status_code == 201
        assert Booking.objects.count() == 1

    def test_the_key_is_fresh_again_after_24_hours(self, client, clock, member, space):
        first = post(client, booking_body(space))
        booking_cancel(booking=Booking.objects.get(), by=member)

        clock.shift(timedelta(hours=23, minutes=59))
        assert post(client, booking_body(space)).json()["id"] == first.json()["id"]
        clock.shift(timedelta(minutes=2))
        again = post(client, booking_body(space))

        assert again.status_code == 201
        assert again.json()["id"] != first.json()["id"]
        assert "Idempotent-Replayed" not in again
        assert Booking.objects.count() == 2

    def test_anonymous_requests_claim_nothing(self, space):
        response = post(APIClient(), booking_body(space))

        assert response.status_code == 401
        assert not IdempotencyKey.objects.exists()

    def test_purge_deletes_keys_past_the_replay_window(self, client, clock, space):
        post(client, booking_body(space))
        clock.shift(timedelta(hours=23))
        post(client, booking_body(space, hour=14), key="later")

        clock.shift(timedelta(hours=2))
        assert idempotency_keys_purge() == 1
        assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["later"]


# --- A view of its own: crashes, and a request that is still running ---------------------------


class CreateCenterView(APIView):
    """Creates a center named after the body; ``crashes`` and ``during`` steer the next calls."""

    permission_classes = [IsAuthenticated]
    crashes = 0
    during = None
    numbers = itertools.count(1)

    @idempotent
    def post(self, request: Request) -> Response:
        name = f"{request.data['name']} {next(CreateCenterView.numbers)}"
        center = Center.objects.create(name=name, district="静安区", address="-")
        if CreateCenterView.during is not None:
            CreateCenterView.during()
        if CreateCenterView.crashes:
            CreateCenterView.crashes -= 1
            raise RuntimeError("the database went away")
        return Response({"id": center.id}, status=201)


@pytest.fixture
def view():
    CreateCenterView.crashes = 0
    CreateCenterView.during = None
    yield CreateCenterView.as_view()
    CreateCenterView.crashes = 0
    CreateCenterView.during = None


def call(view, member: User, name: str, key: str = KEY) -> Response:
    request = APIRequestFactory().post(
        "/test/centers/", {"name": name}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    force_authenticate(request, member)
    return view(request)


@pytest.mark.django_db
class TestOwnView:
    def test_a_crash_lets_go_of_the_key_so_the_client_can_retry(self, view, member):
        CreateCenterView.crashes = 1

        crashed = call(view, member, "A")
        assert crashed.status_code == 500
        assert crashed.data["code"] == "server_error"
        assert not Center.objects.exists()  # rolled back
        assert not IdempotencyKey.objects.exists()

        retried = call(view, member, "A")
        assert retried.status_code == 201
        assert Center.objects.count() == 1
        assert IdempotencyKey.objects.get().response_status == 201

    def test_a_retry_while_the_first_still_runs_is_a_conflict(self, view, member):
        retries = []
        CreateCenterView.during = lambda: (
            setattr(CreateCenterView, "during", None) or retries.append(call(view, member, "A"))
        )

        first = call(view, member, "A")

        assert first.status_code == 201
        assert retries[0].status_code == 409
        assert retries[0].data["code"] == "request_in_progress"
        assert Center.objects.count() == 1


# --- PostgreSQL: real races ----------------------------------------------------------------------


def _run_together(*targets) -> None:
    barrier = threading.Barrier(len(targets))

    def run(target):
        try:
            barrier.wait(timeout=10)
            target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_key_at_once_book_once():
    space = BookableSpaceFactory()
    member = UserFactory()
    responses = []

    def attempt():
        response = post(api_client(member), booking_body(space))
        responses.append(response)

    with time_machine.travel(NOW, tick=False):
        _run_together(attempt, attempt)

    booking = Booking.objects.get()
    assert sorted(r.status_code for r in responses) in ([201, 201], [201, 409])
    for response in responses:
        if response.status_code == 201:
            assert response.json()["id"] == booking.id
        else:
            assert response.json()["code"] == "request_in_progress"
    replays = [r.get("Idempotent-Replayed") for r in responses if r.status_code == 201]
    assert replays in ([None], [None, "true"], ["true", None])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_taken_over_after_the_timeout_rolls_back_the_slow_first_request(view):
    member = UserFactory()
    slow_started, slow_may_finish = threading.Event(), threading.Event()
    results: dict[str, Response] = {}

    def wait_in_the_first_request():
        CreateCenterView.during = None
        slow_started.set()
        slow_may_finish.wait(timeout=30)

    def slow():
        try:
            CreateCenterView.during = wait_in_the_first_request
            results["slow"] = call(view, member, "first")
        finally:
            connection.close()

    with time_machine.travel(NOW, tick=False) as clock:
        thread = threading.Thread(target=slow)
        thread.start()
        assert slow_started.wait(timeout=30)
        clock.shift(ABANDONED_AFTER + timedelta(seconds=1))
        results["retry"] = call(view, member, "first")
        slow_may_finish.set()
        thread.join(timeout=30)

    assert results["retry"].status_code == 201
    assert results["slow"].status_code == 409
    assert results["slow"].data["code"] == "request_in_progress"
    # One center: the retry's. The slow request's own was rolled back with its lost claim.
    assert list(Center.objects.values_list("id", flat=True)) == [results["retry"].data["id"]]
    key = IdempotencyKey.objects.get()
    assert key.state == IdempotencyKey.State.DONE
    assert key.response_body == {"id": results["retry"].data["id"]}
