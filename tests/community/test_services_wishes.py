"""Micro-wishes through their services: each step of the state machine, each refusal, the
messages the wisher and the volunteer get, points earned once, and stale claims lapsing."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from centers.models import StaffAssignment
from community import errors
from community.models import Wish, WishEvent
from community.services.wishes import (
    MAX_OPEN_WISHES,
    wish_claim,
    wish_confirm,
    wish_create,
    wish_decline,
    wish_fulfil,
    wish_publish,
    wish_withdraw,
    wishes_release_stale,
)
from core.errors import Invalid, NotFound
from members.errors import NotEligible, VerificationRequired
from members.models import PointsEntry
from members.services.points import AlreadyRecorded, points_earn
from members.services.teams import team_add_member
from notifications.models import Message
from tests.community.conftest import (
    claimed_wish,
    post_wish,
    published_wish,
    volunteer_factory,
    wisher_factory,
)
from tests.factories import CenterFactory, StaffAssignmentFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Wish.Status


def kinds(member) -> list[str]:
    """The message kinds written to ``member``, oldest first, without their step suffix."""
    return [
        kind.split("@")[0]
        for kind in Message.objects.filter(recipient=member)
        .order_by("id")
        .values_list("kind", flat=True)
    ]


def actions(wish: Wish) -> list[tuple[str, str, int | None]]:
    return list(WishEvent.objects.filter(wish=wish).values_list("action", "to_status", "actor"))


# --- Posting ---------------------------------------------------------------------------------


def test_a_member_posts_a_wish_that_waits_for_review(center, wisher):
    wish = post_wish(wisher, center, text="  想请人  陪我去医院 ")

    assert (wish.status, wish.text, wish.wisher, wish.created_by) == (
        Status.SUBMITTED,
        "想请人 陪我去医院",
        wisher,
        wisher,
    )
    assert actions(wish) == [("create", Status.SUBMITTED, wisher.pk)]


def test_staff_post_for_a_resident_living_alone(center, wisher, desk):
    wish = post_wish(wisher, center, by=desk)

    assert (wish.wisher, wish.created_by) == (wisher, desk)
    assert actions(wish) == [("create_by_staff", Status.SUBMITTED, desk.pk)]


def test_nobody_else_posts_for_a_member(center, wisher):
    stranger = UserFactory()
    other_staff = StaffAssignmentFactory(center=CenterFactory()).user

    for by in (stranger, other_staff):
        with pytest.raises(NotEligible):
            post_wish(wisher, center, by=by)
    assert not Wish.objects.exists()


@pytest.mark.parametrize(
    ("category", "text", "field"),
    [
        ("jewellery", "一条项链", "category"),
        ("repair", "   ", "text"),
        ("repair", "修" * 301, "text"),
    ],
)
def test_a_wish_needs_a_category_and_a_short_text(center, wisher, category, text, field):
    with pytest.raises(Invalid) as raised:
        wish_create(member=wisher, center=center, category=category, text=text)
    assert field in raised.value.fields
    assert not Wish.objects.exists()


def test_three_open_wishes_at_most(center, wisher, desk):
    wishes = [post_wish(wisher, center, text=f"心愿{n}") for n in range(MAX_OPEN_WISHES)]

    with pytest.raises(errors.TooManyOpenWishes) as raised:
        post_wish(wisher, center)
    assert raised.value.code == "quota_exceeded"

    wish_decline(wish=wishes[0], by=desk, reason="不在服务范围")  # declined is not open
    assert post_wish(wisher, center).status == Status.SUBMITTED


# --- Review ----------------------------------------------------------------------------------


def test_staff_publish_and_the_wisher_is_told(center, wisher, desk):
    wish = wish_publish(wish=post_wish(wisher, center), by=desk)

    assert wish.status == Status.PUBLISHED
    assert kinds(wisher) == ["wish_published"]
    with pytest.raises(errors.InvalidTransition):
        wish_publish(wish=wish, by=desk)


def test_declining_needs_a_reason_the_wisher_reads(center, wisher, desk):
    wish = post_wish(wisher, center)
    with pytest.raises(Invalid):
        wish_decline(wish=wish, by=desk, reason=" ")

    wish = wish_decline(wish=wish, by=desk, reason="请直接拨打物业电话")

    assert (wish.status, wish.decline_reason) == (Status.DECLINED, "请直接拨打物业电话")
    message = Message.objects.get(recipient=wisher)
    assert message.kind.startswith("wish_declined@")
    assert message.context["reason"] == "请直接拨打物业电话"


def test_only_staff_of_the_center_review(center, wisher):
    wish = post_wish(wisher, center)
    viewer = StaffAssignmentFactory(center=center, role=StaffAssignment.Role.VIEWER).user
    elsewhere = StaffAssignmentFactory(center=CenterFactory()).user

    for by in (wisher, viewer, elsewhere):
        with pytest.raises(NotFound):
            wish_publish(wish=wish, by=by)
        with pytest.raises(NotFound):
            wish_decline(wish=wish, by=by, reason="no")
    assert Wish.objects.get().status == Status.SUBMITTED


# --- Claiming ----------------------------------------------------------------------------------


def test_a_verified_volunteer_claims_an_open_wish(center, wisher, desk, volunteer):
    wish = published_wish(wisher, center, desk)

    with time_machine.travel(timezone.now(), tick=False):
        wish = wish_claim(wish=wish, member=volunteer)
        now = timezone.now()

    assert (wish.status, wish.claimed_by, wish.claimed_at) == (Status.CLAIMED, volunteer, now)
    assert wish.claim_expires_at == now + timedelta(days=7)
    assert kinds(wisher) == ["wish_published", "wish_claimed"]


def test_one_claimant_at_a_time(center, wisher, desk, volunteer):
    wish = claimed_wish(wisher, center, desk, volunteer)

    with pytest.raises(errors.AlreadyClaimed) as raised:
        wish_claim(wish=wish, member=volunteer_factory())
    assert (raised.value.code, raised.value.status) == ("already_claimed", 409)
    assert Wish.objects.get().claimed_by == volunteer


def test_claim_refusals(center, wisher, desk, volunteer):
    submitted = post_wish(wisher, center)
    with pytest.raises(errors.InvalidTransition):
        wish_claim(wish=submitted, member=volunteer)

    wish = wish_publish(wish=submitted, by=desk)
    with pytest.raises(VerificationRequired):
        wish_claim(wish=wish, member=UserFactory())
    verified_wisher = volunteer_factory()
    own = published_wish(verified_wisher, center, desk)
    with pytest.raises(errors.OwnWish):
        wish_claim(wish=own, member=verified_wisher)
    with pytest.raises(NotEligible):
        wish_claim(wish=wish, member=volunteer, team=TeamFactory(center=center))
    with pytest.raises(NotFound):
        wish_claim(wish=wish, member=volunteer, by=UserFactory())
    assert not Wish.objects.filter(status=Status.CLAIMED).exists()


def test_a_team_member_claims_for_the_team(center, wisher, desk, volunteer):
    team = TeamFactory(center=center)
    team_add_member(team=team, member=volunteer)

    wish = wish_claim(wish=published_wish(wisher, center, desk), member=volunteer, team=team)

    assert (wish.claimed_by, wish.claimed_team) == (volunteer, team)


def test_a_volunteer_holds_five_claims_at_most(center, desk, volunteer):
    for _n in range(5):
        wish_claim(wish=published_wish(wisher_factory(), center, desk), member=volunteer)

    with pytest.raises(errors.TooManyClaims):
        wish_claim(wish=published_wish(wisher_factory(), center, desk), member=volunteer)


def test_the_database_refuses_a_claim_by_the_wisher(center, wisher, desk):
    wish = published_wish(wisher, center, desk)

    with pytest.raises(IntegrityError), transaction.atomic():
        Wish.objects.filter(pk=wish.pk).update(status=Status.CLAIMED, claimed_by=wisher)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wish.objects.filter(pk=wish.pk).update(status=Status.CLAIMED)


# --- Fulfilling and confirming -----------------------------------------------------------------


def test_the_whole_way_earns_the_volunteer_points_once(center, wisher, desk, volunteer):
    wish = claimed_wish(wisher, center, desk, volunteer)
    before = volunteer.points_balance

    wish = wish_fulfil(wish=wish, member=volunteer, note="已换好两个灯泡")
    assert (wish.status, wish.fulfil_note) == (Status.FULFILLED, "已换好两个灯泡")
    wish = wish_confirm(wish=wish, by=wisher)

    assert wish.status == Status.CLOSED
    volunteer.refresh_from_db()
    assert volunteer.points_balance == before + 10
    entry = PointsEntry.objects.get(
        member=volunteer, kind=PointsEntry.Kind.VOLUNTEER, cause_id=wish.pk
    )
    assert entry.cause_type == ContentType.objects.get_for_model(Wish)
    with pytest.raises(errors.InvalidTransition):
        wish_confirm(wish=wish, by=wisher)
    with pytest.raises(AlreadyRecorded):  # the ledger itself refuses a second grant
        points_earn(
            member=volunteer, amount=10, kind=PointsEntry.Kind.VOLUNTEER, reason="x", cause=wish
        )
    assert kinds(wisher) == ["wish_published", "wish_claimed", "wish_fulfilled"]
    assert kinds(volunteer) == ["wish_thanks"]
    assert [a for a, _, _ in actions(wish)] == ["create", "publish", "claim", "fulfil", "confirm"]


def test_staff_confirm_for_a_wisher_without_a_phone(center, wisher, desk, volunteer):
    wish = claimed_wish(wisher, center, desk, volunteer)
    wish = wish_fulfil(wish=wish, member=volunteer, note="买好了米和油")

    wish = wish_confirm(wish=wish, by=desk)

    assert wish.status == Status.CLOSED
    assert actions(wish)[-1] == ("confirm_by_staff", Status.CLOSED, desk.pk)
    assert PointsEntry.objects.get(member=volunteer).created_by == desk


def test_fulfil_and_confirm_refusals(center, wisher, desk, volunteer):
    wish = claimed_wish(wisher, center, desk, volunteer)

    with pytest.raises(NotFound):
        wish_fulfil(wish=wish, member=volunteer_factory(), note="我做的")
    with pytest.raises(Invalid):
        wish_fulfil(wish=wish, member=volunteer, note="  ")
    with pytest.raises(errors.InvalidTransition):
        wish_confirm(wish=wish, by=wisher)  # not fulfilled yet
    wish = wish_fulfil(wish=wish, member=volunteer, note="好了")
    with pytest.raises(errors.InvalidTransition):
        wish_fulfil(wish=wish, member=volunteer, note="又好了")
    for stranger in (volunteer, UserFactory(), StaffAssignmentFactory(center=CenterFactory()).user):
        with pytest.raises(NotFound):
            wish_confirm(wish=wish, by=stranger)
    assert (
        not PointsEntry.objects.filter(member=volunteer, kind="volunteer")
        .exclude(reason__contains="演示")
        .exclude(cause_id=None)
        .exists()
    )


# --- Withdrawing -------------------------------------------------------------------------------


def test_the_volunteer_gives_the_wish_back(center, wisher, desk, volunteer):
    wish = claimed_wish(wisher, center, desk, volunteer)

    wish = wish_withdraw(wish=wish, member=volunteer)

    assert (wish.status, wish.claimed_by, wish.claim_expires_at) == (Status.PUBLISHED, None, None)
    assert kinds(wisher)[-1] == "wish_reopened"
    again = wish_claim(wish=wish, member=volunteer_factory())
    assert again.status == Status.CLAIMED
    # A second claim is a second message, not the first one found again.
    assert kinds(wisher).count("wish_claimed") == 2


def test_the_wisher_takes_the_wish_off_the_wall(center, wisher, desk, volunteer):
    wish = claimed_wish(wisher, center, desk, volunteer)

    wish = wish_withdraw(wish=wish, member=wisher)

    assert wish.status == Status.CLOSED
    assert kinds(volunteer) == ["wish_withdrawn"]
    with pytest.raises(errors.InvalidTransition):
        wish_withdraw(wish=wish, member=wisher)
    with pytest.raises(NotFound):
        wish_withdraw(wish=published_wish(wisher_factory(), center, desk), member=wisher)


def test_a_fulfilled_wish_is_not_withdrawn(center, wisher, desk, volunteer):
    wish = wish_fulfil(
        wish=claimed_wish(wisher, center, desk, volunteer), member=volunteer, note="好"
    )

    with pytest.raises(errors.InvalidTransition):
        wish_withdraw(wish=wish, member=wisher)
    with pytest.raises(errors.InvalidTransition):
        wish_withdraw(wish=wish, member=volunteer)


# --- The clock ---------------------------------------------------------------------------------


def test_stale_claims_lapse_back_to_the_wall(center, wisher, desk, volunteer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        stale = claimed_wish(wisher, center, desk, volunteer)
        clock.shift(timedelta(days=3))
        fresh = claimed_wish(wisher_factory(), center, desk, volunteer)
        clock.shift(timedelta(days=4))

        assert wishes_release_stale() == 1
        assert wishes_release_stale() == 0  # safe to run again

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, stale.claimed_by) == (Status.PUBLISHED, None)
    assert fresh.status == Status.CLAIMED
    assert actions(stale)[-1] == ("claim_lapsed", Status.PUBLISHED, None)
    assert kinds(volunteer) == ["wish_claim_lapsed"]
    assert kinds(wisher)[-1] == "wish_reopened"


def test_a_fulfilled_wish_does_not_lapse(center, wisher, desk, volunteer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        wish = claimed_wish(wisher, center, desk, volunteer)
        wish_fulfil(wish=wish, member=volunteer, note="好")
        clock.shift(timedelta(days=30))

        assert wishes_release_stale() == 0
    assert Wish.objects.get().status == Status.FULFILLED
