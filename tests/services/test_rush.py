"""The proof that a session is never oversold and its waitlist stays fair: 200 members register
for 50 seats at once, through the real API, against PostgreSQL (SQLite serializes every writer
anyway, so it would prove nothing).

Each request holds a database connection of its own, and PostgreSQL allows a limited number
(100 by default), so a pool of 50 threads sends the 200 requests: a barrier lets the first 50
go at the same instant, and each thread sends its next request as soon as it has an answer, so
about 50 are always in flight, also when the last seats go. (Waves of exactly 50, one after
the other, would hide a race: the first wave would fill the 50 seats on its own.)
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from members.models import PointsEntry, User
from members.services.points import points_adjust
from services.models import Registration, RegistrationEvent, Session
from services.services.common import lock_session
from services.services.registration import session_register
from services.services.sessions import session_cancel
from tests.factories import (
    CenterFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    staff_at,
)
from tests.helpers import locked_elsewhere

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MEMBERS = 200
SEATS = 50
WORKERS = 50
POINTS_COST = 5
POINTS_EACH = 10


def max_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        return int(cursor.fetchone()[0])


def register_all_at_once(session: Session, members: list[User]) -> list[tuple]:
    """Every member posts a registration (with an Idempotency-Key, as the mini-program does);
    returns (member id, status code, body) for each."""
    url = f"/api/v1/sessions/{session.id}/registrations/"
    barrier = threading.Barrier(WORKERS)
    worker = threading.local()

    def attempt(member: User) -> tuple:
        client = APIClient()
        client.force_authenticate(member)
        try:
            if not getattr(worker, "started", False):
                worker.started = True
                barrier.wait(timeout=60)
            response = client.post(
                url, {"party_size": 1}, format="json", HTTP_IDEMPOTENCY_KEY=f"rush-{member.pk}"
            )
            return member.pk, response.status_code, response.json()
        except Exception as error:  # recorded, so that the assertions name it
            return member.pk, None, repr(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(attempt, members, timeout=600))


def test_two_hundred_members_fifty_seats():
    # The workers, this test's own connection, and room for anything else on the server.
    assert max_connections() >= WORKERS + 10, "raise max_connections or lower WORKERS"
    center = CenterFactory()
    program = ProgramFactory(center=center, points_cost=POINTS_COST)
    start = timezone.now() + timedelta(days=2)
    session = SessionFactory(
        program=program, start=start, end=start + timedelta(hours=2), capacity=SEATS
    )
    staff = staff_at(center)
    members = [UserFactory() for _ in range(MEMBERS)]
    for member in members:
        points_adjust(member=member, delta=POINTS_EACH, reason="活动积分", by=staff, center=center)

    results = register_all_at_once(session, members)

    # Every request was answered, none with an error.
    assert len(results) == MEMBERS
    assert Counter(status for _, status, _ in results) == {201: MEMBERS}, [
        r for r in results if r[1] != 201
    ]
    bodies = [body for _, _, body in results]
    confirmed = [b for b in bodies if b["status"] == "confirmed"]
    waitlisted = [b for b in bodies if b["status"] == "waitlisted"]
    assert len(confirmed) == SEATS
    assert len(waitlisted) == MEMBERS - SEATS
    assert all(b["position"] is None for b in confirmed)
    assert sorted(b["position"] for b in waitlisted) == list(range(1, MEMBERS - SEATS + 1))

    # The database agrees with the answers.
    session.refresh_from_db()
    assert session.seats_taken == SEATS
    assert session.waitlist_counter == MEMBERS - SEATS
    registrations = Registration.objects.filter(session=session)
    assert registrations.count() == MEMBERS
    assert registrations.values("member").distinct().count() == MEMBERS
    assert registrations.filter(status=Registration.Status.CONFIRMED).count() == SEATS
    positions = registrations.filter(status=Registration.Status.WAITLISTED).values_list(
        "position", flat=True
    )
    assert sorted(positions) == list(range(1, MEMBERS - SEATS + 1))
    assert {(b["id"], b["status"], b["position"]) for b in bodies} == {
        (r.id, r.status, r.position if r.status == Registration.Status.WAITLISTED else None)
        for r in registrations
    }
    assert RegistrationEvent.objects.filter(registration__session=session).count() == MEMBERS

    # Points: exactly one spend per seat, and every balance is the sum of its ledger.
    spends = PointsEntry.objects.filter(kind=PointsEntry.Kind.SPEND)
    assert spends.count() == SEATS
    assert set(spends.values_list("delta", flat=True)) == {-POINTS_COST}
    seated = set(
        registrations.filter(status=Registration.Status.CONFIRMED).values_list(
            "member_id", flat=True
        )
    )
    assert set(spends.values_list("member_id", flat=True)) == seated
    ledger = dict(
        PointsEntry.objects.values("member")
        .annotate(total=Sum("delta"))
        .values_list("member", "total")
    )
    balances = dict(
        User.objects.filter(pk__in=[m.pk for m in members]).values_list("pk", "points_balance")
    )
    assert balances == {pk: ledger[pk] for pk in balances}
    assert Counter(balances.values()) == {
        POINTS_EACH - POINTS_COST: SEATS,
        POINTS_EACH: MEMBERS - SEATS,
    }

    # And the public list shows the session full, with its queue.
    item = APIClient().get(f"/api/v1/sessions/{session.id}/").json()
    assert (item["seats_left"], item["waitlist_length"]) == (0, MEMBERS - SEATS)


# --- Locks: only the session's row, and always the session before the member ------------------


def run_in_thread(outcomes: list, name: str, work) -> threading.Thread:
    def target() -> None:
        try:
            work()
            outcomes.append((name, "ok"))
        except Exception as error:
            outcomes.append((name, repr(error)))
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_a_locked_session_holds_up_no_other_session():
    """Seats are counted under the session's row lock, and only that row's: while one session
    is locked (a rush, or staff cancelling it and refunding every member), registering for
    another session of the same program and center goes ahead. Locking the program and center
    rows too would queue the whole center behind one session, and deadlock a member who
    registers for one session while staff cancel another that refunds them."""
    program = ProgramFactory(points_cost=0)
    start = timezone.now() + timedelta(days=2)
    busy = SessionFactory(program=program, start=start, end=start + timedelta(hours=2))
    other = SessionFactory(
        program=program, start=start + timedelta(days=1), end=start + timedelta(days=1, hours=2)
    )
    with locked_elsewhere(lambda: lock_session(busy)), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        registration = session_register(session=other, member=UserFactory())

    assert registration.status == Registration.Status.CONFIRMED


def test_staff_cancelling_a_session_while_a_member_registers_again_does_not_deadlock():
    """Cancelling a session locks it, then refunds member after member (their rows); a member
    of it who registers (again) meanwhile must wait for the session, not hold their own row
    against the refund (PostgreSQL would abort one of the two with "deadlock detected")."""
    program = ProgramFactory(points_cost=POINTS_COST)
    staff = staff_at(program.center)
    start = timezone.now() + timedelta(days=2)
    session = SessionFactory(program=program, start=start, end=start + timedelta(hours=2))
    first, member = UserFactory(), UserFactory()
    for registrant in (first, member):
        points_adjust(
            member=registrant, delta=POINTS_EACH, reason="活动积分", by=staff, center=program.center
        )
        session_register(session=session, member=registrant)
    # Holding the first member's row stops the cancellation at its first refund, with the
    # session locked, so that the second member's request arrives in the middle of it.
    locked, release = threading.Event(), threading.Event()

    def hold_first_member() -> None:
        with transaction.atomic():
            User.objects.select_for_update().get(pk=first.pk)
            locked.set()
            release.wait(timeout=30)

    outcomes: list = []
    threads = [run_in_thread(outcomes, "hold", hold_first_member)]
    assert locked.wait(timeout=10)
    threads.append(
        run_in_thread(
            outcomes, "cancel", lambda: session_cancel(session=session, by=staff, reason="停电")
        )
    )
    time.sleep(1)  # the cancellation waits for the first member's row
    threads.append(
        run_in_thread(
            outcomes, "register", lambda: session_register(session=session, member=member)
        )
    )
    time.sleep(1)  # the registration waits too
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    outcomes = dict(outcomes)
    assert outcomes["cancel"] == "ok", outcomes
    assert "RegistrationClosed" in outcomes["register"], outcomes  # the session is cancelled
    member.refresh_from_db()
    assert member.points_balance == POINTS_EACH
