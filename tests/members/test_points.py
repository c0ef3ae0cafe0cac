"""The points ledger (members.services.points): append-only entries, a balance that never goes
negative, whatever the order or the concurrency of the spends."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from core.errors import Invalid
from members import errors
from members.models import PointsEntry, User
from members.services.points import (
    AlreadyRecorded,
    points_adjust,
    points_earn,
    points_refund,
    points_spend,
)
from tests.factories import (
    CenterFactory,
    SpaceFactory,
    UserFactory,
    staff_at,
)

pytestmark = pytest.mark.django_db

Kind = PointsEntry.Kind


def balance(member: User) -> int:
    return User.objects.values_list("points_balance", flat=True).get(pk=member.pk)


def ledger(member: User) -> list[tuple[str, int, int]]:
    entries = PointsEntry.objects.filter(member=member).order_by("created", "id")
    return list(entries.values_list("kind", "delta", "balance_after"))


def ledger_sum(member: User) -> int:
    return PointsEntry.objects.filter(member=member).aggregate(total=Sum("delta"))["total"] or 0


@pytest.fixture
def cause():
    # Any row can be a cause (in the product: a registration, a volunteer record); a space
    # stands in for a program's registration here.
    return SpaceFactory()


def test_earn_spend_refund_and_adjust_keep_balance_and_ledger_together(member, cause) -> None:
    center = CenterFactory()
    staff = staff_at(center)

    earned = points_earn(member=member, amount=50, kind=Kind.ATTENDANCE, reason="参加养生讲堂")
    spent = points_spend(member=member, amount=30, reason="烘焙课", center=center, cause=cause)
    refunded = points_refund(member=member, cause=cause, reason="活动取消")
    adjusted = points_adjust(
        member=member, delta=-5, reason="  重复签到更正 ", by=staff, center=center
    )

    assert [e.balance_after for e in (earned, spent, refunded, adjusted)] == [50, 20, 50, 45]
    assert member.points_balance == balance(member) == 45 == ledger_sum(member)
    assert ledger(member) == [
        (Kind.ATTENDANCE, 50, 50),
        (Kind.SPEND, -30, 20),
        (Kind.REFUND, 30, 50),
        (Kind.ADJUSTMENT, -5, 45),
    ]
    assert (refunded.cause, refunded.center) == (cause, center)
    assert (adjusted.created_by, adjusted.reason, adjusted.center) == (
        staff,
        "重复签到更正",
        center,
    )


def test_spending_more_than_the_balance_is_refused(member) -> None:
    points_earn(member=member, amount=20, kind=Kind.ATTENDANCE, reason="签到")

    with pytest.raises(errors.InsufficientPoints) as caught:
        points_spend(member=member, amount=21, reason="烘焙课")

    assert (caught.value.code, caught.value.status) == ("insufficient_points", 400)
    assert balance(member) == 20
    assert ledger(member) == [(Kind.ATTENDANCE, 20, 20)]
    # Exactly the balance is fine and leaves zero.
    assert points_spend(member=member, amount=20, reason="烘焙课").balance_after == 0


def test_a_negative_adjustment_cannot_overdraw_either(member) -> None:
    staff = UserFactory(is_staff=True)
    points_earn(member=member, amount=10, kind=Kind.VOLUNTEER, reason="志愿服务")

    with pytest.raises(errors.InsufficientPoints):
        points_adjust(member=member, delta=-11, reason="更正", by=staff, center=CenterFactory())
    assert balance(member) == 10


def test_refund_gives_back_exactly_once(member, cause) -> None:
    points_earn(member=member, amount=40, kind=Kind.ATTENDANCE, reason="签到")
    points_spend(member=member, amount=25, reason="电影票", cause=cause)
    points_refund(member=member, cause=cause, reason="退票")

    with pytest.raises(AlreadyRecorded) as caught:
        points_refund(member=member, cause=cause, reason="退票")

    assert caught.value.code == "already_recorded"
    assert balance(member) == 40 == ledger_sum(member)
    assert PointsEntry.objects.filter(member=member, kind=Kind.REFUND).count() == 1


def test_refund_of_a_cause_that_spent_nothing_is_none(member, cause) -> None:
    assert points_refund(member=member, cause=cause, reason="退票") is None
    assert ledger(member) == []


def test_a_cause_spends_only_once(member, cause) -> None:
    points_earn(member=member, amount=100, kind=Kind.ATTENDANCE, reason="签到")
    points_spend(member=member, amount=30, reason="烘焙课", cause=cause)

    with pytest.raises(AlreadyRecorded):
        points_spend(member=member, amount=30, reason="烘焙课", cause=cause)

    # The failed spend left no trace: the balance update rolled back with the refused row.
    assert balance(member) == 70 == ledger_sum(member)


def test_the_database_keeps_one_entry_per_cause_and_kind(member, cause) -> None:
    entry = points_earn(member=member, amount=5, kind=Kind.ATTENDANCE, reason="签到", cause=cause)

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(
            member=member,
            kind=Kind.ATTENDANCE,
            delta=5,
            balance_after=10,
            reason="又一次",
            cause_type=entry.cause_type,
            cause_id=entry.cause_id,
        )
    # Another kind for the same cause is a different fact (spent, then refunded).
    PointsEntry.objects.create(
        member=member,
        kind=Kind.SPEND,
        delta=-5,
        balance_after=0,
        reason="花掉",
        cause_type=entry.cause_type,
        cause_id=entry.cause_id,
    )


def test_the_database_refuses_a_negative_balance(member) -> None:
    points_earn(member=member, amount=5, kind=Kind.ATTENDANCE, reason="签到")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=member.pk).update(points_balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(member=member, kind=Kind.SPEND, delta=-6, balance_after=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(member=member, kind=Kind.SPEND, delta=0, balance_after=5)

    assert balance(member) == 5


@pytest.mark.parametrize("amount", [0, -3])
def test_amounts_must_be_positive(member, amount: int) -> None:
    with pytest.raises(Invalid):
        points_earn(member=member, amount=amount, kind=Kind.ATTENDANCE, reason="签到")
    with pytest.raises(Invalid):
        points_spend(member=member, amount=amount, reason="烘焙课")
    assert ledger(member) == []


def test_an_adjustment_needs_a_reason_and_a_non_zero_delta(member) -> None:
    staff, center = UserFactory(is_staff=True), CenterFactory()

    with pytest.raises(Invalid) as caught:
        points_adjust(member=member, delta=10, reason="  ", by=staff, center=center)
    assert "reason" in caught.value.fields
    with pytest.raises(Invalid) as caught:
        points_adjust(member=member, delta=0, reason="更正", by=staff, center=center)
    assert "delta" in caught.value.fields
    assert ledger(member) == []


def test_a_reason_longer_than_the_column_is_cut_to_fit(member) -> None:
    entry = points_earn(member=member, amount=1, kind=Kind.ATTENDANCE, reason="长" * 250)

    entry.refresh_from_db()
    assert entry.reason == "长" * 200


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_spends_never_overdraw() -> None:
    member = UserFactory()
    points_earn(member=member, amount=100, kind=Kind.ATTENDANCE, reason="签到")
    threads_count = 20
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def spend() -> None:
        try:
            barrier.wait()
            try:
                points_spend(member=User.objects.get(pk=member.pk), amount=10, reason="烘焙课")
                outcome = "spent"
            except errors.InsufficientPoints:
                outcome = "insufficient"
            except Exception as exc:  # anything else fails the test below, with its name
                outcome = type(exc).__name__
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["insufficient"] * 10 + ["spent"] * 10
    assert balance(member) == 0 == ledger_sum(member)
    assert not PointsEntry.objects.filter(member=member, balance_after__lt=0).exists()
    # Every spend saw the balance the one before it left: 90, 80, … 0, each once.
    spends = PointsEntry.objects.filter(member=member, kind=Kind.SPEND)
    assert sorted(spends.values_list("balance_after", flat=True)) == list(range(0, 100, 10))
