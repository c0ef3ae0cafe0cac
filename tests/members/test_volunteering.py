"""Volunteer hours (members.services.volunteering): reported by members, reviewed once by staff;
approved hours earn the center's points per hour."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Conflict, Invalid
from members.models import PointsEntry, VolunteerRecord
from members.services.volunteering import volunteer_record_create, volunteer_record_review
from tests.factories import CenterFactory, UserFactory, VolunteerRecordFactory

pytestmark = pytest.mark.django_db

Status = VolunteerRecord.Status


@pytest.fixture
def reviewer():
    return UserFactory(is_staff=True)


def test_approval_credits_hours_times_the_centers_rate_once(reviewer) -> None:
    center = CenterFactory(points_per_volunteer_hour=12)
    record = VolunteerRecordFactory(center=center, hours=Decimal("2.5"), description="图书整理")

    reviewed = volunteer_record_review(record=record, by=reviewer, approve=True)

    assert (reviewed.status, reviewed.reviewed_by) == (Status.APPROVED, reviewer)
    assert reviewed.reviewed_at is not None
    entry = PointsEntry.objects.get(member=record.member)
    assert (entry.kind, entry.delta, entry.center, entry.cause) == (
        PointsEntry.Kind.VOLUNTEER,
        30,
        center,
        record,
    )
    assert entry.created_by == reviewer
    assert "图书整理" in entry.reason
    record.member.refresh_from_db()
    assert record.member.points_balance == 30

    with pytest.raises(Conflict):
        volunteer_record_review(record=record, by=reviewer, approve=True)
    with pytest.raises(Conflict):
        volunteer_record_review(record=record, by=reviewer, approve=False)
    record.refresh_from_db()
    assert record.status == Status.APPROVED
    assert PointsEntry.objects.filter(member=record.member).count() == 1


def test_half_points_round_half_up(reviewer) -> None:
    record = VolunteerRecordFactory(
        center=CenterFactory(points_per_volunteer_hour=5), hours=Decimal("0.5")
    )
    volunteer_record_review(record=record, by=reviewer, approve=True)
    assert PointsEntry.objects.get(member=record.member).delta == 3  # 2.5 → 3


def test_rejection_credits_nothing(reviewer) -> None:
    record = VolunteerRecordFactory()

    reviewed = volunteer_record_review(record=record, by=reviewer, approve=False)

    assert reviewed.status == Status.REJECTED
    assert not PointsEntry.objects.filter(member=record.member).exists()
    with pytest.raises(Conflict):
        volunteer_record_review(record=record, by=reviewer, approve=True)
    assert not PointsEntry.objects.filter(member=record.member).exists()


def test_a_stale_copy_of_a_reviewed_record_cannot_be_approved_again(reviewer) -> None:
    record = VolunteerRecordFactory()
    stale = VolunteerRecord.objects.get(pk=record.pk)
    volunteer_record_review(record=record, by=reviewer, approve=True)

    with pytest.raises(Conflict):
        volunteer_record_review(record=stale, by=reviewer, approve=True)
    assert PointsEntry.objects.filter(member=record.member).count() == 1


def test_a_long_description_still_earns(reviewer) -> None:
    # The ledger's reason quotes the description; at full length it would overflow the column.
    record = VolunteerRecordFactory(description="为独居老人上门送餐" * 22)

    volunteer_record_review(record=record, by=reviewer, approve=True)

    assert PointsEntry.objects.get(member=record.member).delta == 20


@pytest.mark.parametrize("hours", ["0", "-1", "24.5"])
def test_hours_must_be_between_0_and_24(hours: str) -> None:
    with pytest.raises(Invalid) as caught:
        VolunteerRecordFactory(hours=Decimal(hours))
    assert "hours" in caught.value.fields


def test_hours_cannot_be_in_the_future() -> None:
    center = CenterFactory()
    tomorrow = timezone.localdate(timezone=center.tz) + timedelta(days=1)

    with pytest.raises(Invalid) as caught:
        volunteer_record_create(
            member=UserFactory(), center=center, day=tomorrow, hours=Decimal(1), description="x"
        )
    assert "day" in caught.value.fields
