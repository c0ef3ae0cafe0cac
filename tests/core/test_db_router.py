"""core.db_router: public reads marked for the replica go there; writes, reads inside a
transaction and everything not marked stay on the primary."""

import pytest
from django.db import transaction

from bookings.api import CenterAvailabilityView, SpaceAvailabilityView
from centers.models import Center
from core.db_router import ReplicaRouter, reads_replica, replica_reads

router = ReplicaRouter()


def test_unmarked_reads_and_all_writes_use_the_primary() -> None:
    assert router.db_for_read(Center) == "default"
    with replica_reads():
        assert router.db_for_write(Center) == "default"


def test_marked_reads_use_the_replica_until_the_mark_ends() -> None:
    with replica_reads():
        assert router.db_for_read(Center) == "replica"
    assert router.db_for_read(Center) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_use_the_primary() -> None:
    """A service reading under its locks, or a view reading its own write, sees the primary."""
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(Center) == "default"


def test_the_decorator_marks_only_the_call() -> None:
    seen = []
    marked = reads_replica(lambda: seen.append(router.db_for_read(Center)))

    marked()
    seen.append(router.db_for_read(Center))

    assert seen == ["replica", "default"]


def test_availability_reads_the_replica() -> None:
    for view in (SpaceAvailabilityView, CenterAvailabilityView):
        assert view.get.__wrapped__  # set by reads_replica


def test_the_replica_is_never_migrated() -> None:
    assert router.allow_migrate("default", "bookings")
    assert not router.allow_migrate("replica", "bookings")
