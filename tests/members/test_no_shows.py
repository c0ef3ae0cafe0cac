"""The no-show policy (members.services.no_shows): per center, N no-shows in a rolling window
suspend booking and registering; the first one brings a warning; staff lift with a reason."""

import logging
from datetime import datetime, timedelta

import pytest

from centers.models import Center
from core.errors import Conflict, Invalid
from members import errors
from members.models import NoShow, Suspension, User
from members.services.no_shows import (
    Outcome,
    active_suspension,
    member_ensure_not_suspended,
    no_show_record,
    suspension_lift,
)
from tests.factories import CenterFactory, SpaceFactory, UserFactory
from tests.helpers import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 18, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def center() -> Center:
    return CenterFactory()  # the defaults: 3 no-shows in 90 days suspend for 30 days


def miss(member: User, center: Center, when: datetime) -> Outcome:
    """``member`` did not come to a booking at ``center`` at ``when`` (a space stands in for the
    booking or registration that is the cause)."""
    return no_show_record(member=member, center=center, cause=SpaceFactory(), occurred_at=when)


def notifications(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "notifications.notify"]


def test_first_no_show_warns_the_member(
    clock, center, member, caplog, django_capture_on_commit_callbacks
) -> None:
    cause = SpaceFactory()

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = no_show_record(
            member=member, center=center, cause=cause, occurred_at=NOW - timedelta(hours=1)
        )

    assert outcome == Outcome.WARNED
    assert notifications(caplog) == [
        f"notify no_show_warning to member {member.pk} about centers.Space:{cause.pk}"
    ]
    assert active_suspension(member) is None
    member_ensure_not_suspended(member)


def test_the_third_no_show_in_90_days_suspends_for_30_days(
    clock, center, member, caplog, django_capture_on_commit_callbacks
) -> None:
    outcomes = [
        miss(member, center, NOW - timedelta(days=80)),
        miss(member, center, NOW - timedelta(days=30)),
    ]
    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcomes.append(miss(member, center, NOW - timedelta(hours=2)))

    assert outcomes == [Outcome.WARNED, Outcome.RECORDED, Outcome.SUSPENDED]
    suspension = Suspension.objects.get(member=member)
    assert (suspension.center, suspension.starts_at, suspension.ends_at) == (
        center,
        NOW,
        NOW + timedelta(days=30),
    )
    assert "3" in suspension.reason and "90" in suspension.reason
    assert notifications(caplog) == [
        f"notify suspended to member {member.pk} about members.Suspension:{suspension.pk}"
    ]

    with pytest.raises(errors.MemberSuspended) as caught:
        member_ensure_not_suspended(member)
    assert (caught.value.code, caught.value.status) == ("member_suspended", 400)
    assert "2026-06-17" in str(caught.value.detail)

    # The suspension ends by itself after 30 days.
    clock.move_to(NOW + timedelta(days=30, seconds=1))
    member_ensure_not_suspended(member)
    assert active_suspension(member) is None


def test_no_shows_older_than_the_window_do_not_count(clock, center, member) -> None:
    miss(member, center, NOW - timedelta(days=120))
    miss(member, center, NOW - timedelta(days=91))

    assert miss(member, center, NOW - timedelta(days=1)) == Outcome.WARNED
    assert miss(member, center, NOW) == Outcome.RECORDED
    assert not Suspension.objects.exists()
    member_ensure_not_suspended(member)


def test_no_shows_at_other_centers_count_there(clock, center, member) -> None:
    elsewhere = CenterFactory()
    miss(member, center, NOW - timedelta(days=2))
    miss(member, center, NOW - timedelta(days=1))

    assert miss(member, elsewhere, NOW) == Outcome.WARNED
    assert not Suspension.objects.exists()


def test_each_center_sets_its_own_policy(clock, member) -> None:
    strict = CenterFactory(no_show_limit=2, no_show_window_days=30, suspension_days=7)

    assert miss(member, strict, NOW - timedelta(days=40)) == Outcome.WARNED
    assert miss(member, strict, NOW - timedelta(days=5)) == Outcome.WARNED  # the first one expired
    assert miss(member, strict, NOW - timedelta(days=1)) == Outcome.SUSPENDED

    suspension = Suspension.objects.get(member=member)
    assert suspension.ends_at == NOW + timedelta(days=7)
    assert "30" in suspension.reason


def test_recording_the_same_cause_twice_changes_nothing(
    clock, center, member, caplog, django_capture_on_commit_callbacks
) -> None:
    cause = SpaceFactory()
    no_show_record(member=member, center=center, cause=cause, occurred_at=NOW)
    miss(member, center, NOW)

    with (
        caplog.at_level(logging.INFO, logger="notifications.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for _ in range(3):
            outcome = no_show_record(member=member, center=center, cause=cause, occurred_at=NOW)
            assert outcome == Outcome.ALREADY_RECORDED

    assert NoShow.objects.filter(member=member).count() == 2
    assert not Suspension.objects.exists()
    assert notifications(caplog) == []


def test_no_shows_during_a_suspension_do_not_stack_another(clock, center, member) -> None:
    for days in (3, 2, 1):
        miss(member, center, NOW - timedelta(days=days))

    assert miss(member, center, NOW) == Outcome.RECORDED
    assert Suspension.objects.filter(member=member).count() == 1


def test_staff_lift_a_suspension_with_a_reason_and_counting_starts_afresh(
    clock, center, member
) -> None:
    staff = UserFactory(is_staff=True)
    for days in (3, 2, 1):
        miss(member, center, NOW - timedelta(days=days))
    suspension = Suspension.objects.get(member=member)

    with pytest.raises(Invalid) as caught:
        suspension_lift(suspension=suspension, by=staff, reason="   ")
    assert "reason" in caught.value.fields
    with pytest.raises(errors.MemberSuspended):
        member_ensure_not_suspended(member)

    clock.shift(timedelta(days=1))
    lifted = suspension_lift(suspension=suspension, by=staff, reason=" 因病住院，情况属实 ")

    assert (lifted.lifted_at, lifted.lifted_by, lifted.lift_reason) == (
        NOW + timedelta(days=1),
        staff,
        "因病住院，情况属实",
    )
    member_ensure_not_suspended(member)
    with pytest.raises(Conflict):
        suspension_lift(suspension=suspension, by=staff, reason="再次解除")

    # The no-shows behind the lifted suspension are spent: it takes three new ones.
    later = NOW + timedelta(days=2)
    assert miss(member, center, later) == Outcome.WARNED
    assert miss(member, center, later + timedelta(days=1)) == Outcome.RECORDED
    assert miss(member, center, later + timedelta(days=2)) == Outcome.SUSPENDED
    assert Suspension.objects.filter(member=member, lifted_at__isnull=True).count() == 1
