"""core.locks: rows are locked in the one global order (session, member, space), only inside a
transaction, and on PostgreSQL a lock that does not come in time answers "busy"."""

import pytest
from django.db import transaction
from django.test import override_settings

from core.locks import LOCK_ORDER, Busy, LockOrderError, lock, lock_all, unordered
from tests.factories import BookableSpaceFactory, SessionFactory, UserFactory
from tests.helpers import locked_elsewhere

pytestmark = pytest.mark.django_db


def test_the_order_is_written_once() -> None:
    assert LOCK_ORDER == ("services.Session", "members.User", "centers.Space")


def test_rows_in_order_are_locked_and_come_back_fresh() -> None:
    session, member, space = SessionFactory(), UserFactory(), BookableSpaceFactory()
    with transaction.atomic():
        got = lock_all(space, session, member)  # any order given: taken in the global one
        again = lock(space)  # the same rank again is fine
    assert got == [space, session, member]
    assert again == space


def test_a_row_before_one_already_locked_is_refused() -> None:
    session, member = SessionFactory(), UserFactory()
    with (
        pytest.raises(LockOrderError, match=r"services\.Session locked after members\.User"),
        transaction.atomic(),
    ):
        lock(member)
        lock(session)


def test_each_transaction_starts_afresh() -> None:
    session, member = SessionFactory(), UserFactory()
    with transaction.atomic():
        lock(member)
    with transaction.atomic():
        lock(session)  # a new transaction: no member locked in it yet
        lock(member)


@pytest.mark.django_db(transaction=True)
def test_locks_are_taken_inside_a_transaction_only() -> None:
    with pytest.raises(LockOrderError, match="inside a transaction"):
        lock(UserFactory())


def test_a_model_without_a_place_in_the_order_is_refused() -> None:
    space = BookableSpaceFactory()
    with pytest.raises(LockOrderError, match="no place in the lock order"), transaction.atomic():
        lock(space.center)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(LOCK_TIMEOUT=1)
def test_a_lock_that_does_not_come_in_time_answers_busy() -> None:
    member = UserFactory()
    with (
        locked_elsewhere(lambda: lock(member)),
        pytest.raises(Busy) as caught,
        transaction.atomic(),
    ):
        lock(member)
    assert (caught.value.status, caught.value.code) == (503, "busy")


def test_a_row_held_already_may_be_locked_again() -> None:
    session, member = SessionFactory(), UserFactory()
    with transaction.atomic():
        lock(session)
        lock(member)
        assert lock(session) == session  # held: no new wait, whatever its place


def test_a_batch_that_runs_alone_may_take_rows_in_any_order() -> None:
    session, member = SessionFactory(), UserFactory()
    with unordered(), transaction.atomic():
        lock(member)
        lock(session)


@pytest.mark.django_db(transaction=True)
def test_a_decorated_transaction_starts_afresh_each_call() -> None:
    session, member = SessionFactory(), UserFactory()

    @transaction.atomic
    def take(obj):  # one atomic block, many transactions
        return lock(obj)

    take(member)
    assert take(session) == session
