"""People and places of the community tests: a center, a wisher who can be told things, a
verified volunteer, the center's front desk."""

import pytest

from centers.models import Center, StaffAssignment
from community.models import Wish
from community.services.wishes import wish_claim, wish_create, wish_publish
from members.models import User
from tests.factories import (
    CenterFactory,
    UserFactory,
    VerifiedMemberFactory,
    staff_at,
)


def wisher_factory(**values) -> User:
    defaults = {
        "first_name": "王阿姨",
        "last_name": "王",
        "display_name": "王秀英",
        "neighbourhood": "凉二居民区",
        "email": f"wisher{User.objects.count()}@example.cn",
        "phone": f"+86139{User.objects.count():08d}",
        "notification_channels": ["email"],
    }
    return UserFactory(**(defaults | values))


def volunteer_factory(**values) -> User:
    defaults = {
        "first_name": "小李",
        "email": f"volunteer{User.objects.count()}@example.cn",
        "notification_channels": ["email"],
    }
    return VerifiedMemberFactory(**(defaults | values))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Photos go to a folder of the test's own, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def center() -> Center:
    return CenterFactory()


@pytest.fixture
def wisher() -> User:
    return wisher_factory()


@pytest.fixture
def volunteer() -> User:
    return volunteer_factory()


@pytest.fixture
def desk(center: Center) -> User:
    """Front desk of the center: reviews wishes."""
    return staff_at(center, StaffAssignment.Role.FRONT_DESK)


def post_wish(member: User, center: Center, text: str = "想请人帮忙换个灯泡", **kwargs) -> Wish:
    kwargs.setdefault("details", "凉城路100弄5号302室，下午在家")
    return wish_create(member=member, center=center, category="repair", text=text, **kwargs)


def published_wish(member: User, center: Center, by: User, **kwargs) -> Wish:
    return wish_publish(wish=post_wish(member, center, **kwargs), by=by)


def claimed_wish(member: User, center: Center, by: User, volunteer: User) -> Wish:
    return wish_claim(wish=published_wish(member, center, by), member=volunteer)


def post_proposal(member: User, center: Center, title: str = "在小区门口加装休息长椅", **kwargs):
    from community.services.proposals import proposal_create

    kwargs.setdefault("text", "老人买菜回来走不动，希望在小区门口加几张长椅，方便歇脚。")
    return proposal_create(member=member, center=center, title=title, **kwargs)
