"""Demo accounts, printed by ``loaddemo`` so a newcomer can log in at once, and the demo
resident's community life: eligibility rules on spaces, teams, volunteer hours and points, and
her son, who books for her (亲友代办, linked at the front desk)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from centers.models import Center, Space, StaffAssignment
from core.demo import Loaded, sync
from members.idcard import check_digit
from members.models import (
    EligibilityRule,
    ProxyLink,
    Team,
    TeamMembership,
    User,
    VolunteerRecord,
)
from members.services.identity import member_verify_identity
from members.services.proxies import proxy_link_at_desk
from members.services.volunteering import volunteer_record_create, volunteer_record_review


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


ADMIN = DemoLogin("admin", "linli-admin-2026", "superuser: every center")
STAFF = DemoLogin(
    "staff", "linli-staff-2026", "manager of 静安寺街道社区党群服务中心 and its stations"
)
RESIDENT = DemoLogin("resident", "linli-resident-2026", "resident")
# Her son (no login of his own): verified, he books and signs up for her.
SON = ("demo_son", "张伟", date(1984, 6, 2))
# Demo members who must be verified (a family member acting for a parent, volunteers who go to
# people's homes) get an ID number nobody has: 999999 is no region of China.
DEMO_REGION = "999999"


def _user(login: DemoLogin, **values: object) -> User:
    user = sync(User, {"username": login.username}, values)
    # Only set the password when it does not match, so a second run writes nothing.
    if not user.check_password(login.password):
        user.set_password(login.password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_accounts() -> list[DemoLogin]:
    _user(ADMIN, is_staff=True, is_superuser=True, first_name="管理员")
    staff = _user(STAFF, is_staff=True, is_superuser=False, first_name="静安寺工作人员")
    center = Center.objects.get(name="静安寺街道社区党群服务中心")
    sync(StaffAssignment, {"user": staff, "center": center}, {"role": StaffAssignment.Role.MANAGER})
    resident = _user(
        RESIDENT,
        is_staff=False,
        is_superuser=False,
        first_name="张阿姨",
        # Not verified: the demo has no real-looking ID number. 68 in 2026: the 60+ meal card.
        birth_date=date(1958, 3, 12),
        neighbourhood="丽湖居民区",
        # An address, so her messages show in the worker's log (console email backend).
        email="resident@linli.local",
        notification_channels=["email"],
    )
    _load_rules()
    _load_teams(resident)
    _load_points(resident, reviewer=staff, center=center)
    _load_family_link(resident, desk=staff, center=center)
    return [ADMIN, STAFF, RESIDENT]


def demo_member(username: str, name: str, **values: object) -> User:
    """A demo resident without a login (no usable password), kept as the demo says."""
    if not User.objects.filter(username=username).exists():
        User.objects.create_user(username=username, password=None)
    return sync(User, {"username": username}, {"first_name": name, "display_name": name} | values)


def verify_for_demo(member: User, *, real_name: str, born: date, serial: int) -> User:
    """Real-name verification through the service, with a made-up number (``DEMO_REGION``);
    once (a verified member stays as they are)."""
    if member.is_verified:
        return member
    first17 = f"{DEMO_REGION}{born:%Y%m%d}{serial % 1000:03d}"
    return member_verify_identity(
        member=member, real_name=real_name, id_number=first17 + check_digit(first17)
    )


def _load_family_link(resident: User, *, desk: User, center: Center) -> None:
    """Her son came to the front desk with her and she agreed: he may book for her. Made once;
    if she ends the link, a later run does not link them again."""
    username, name, born = SON
    son = demo_member(username, name, phone="+8613800138000", notification_channels=["sms"])
    son = verify_for_demo(son, real_name=name, born=born, serial=1)
    if not ProxyLink.objects.filter(proxy=son, member=resident).exists():
        proxy_link_at_desk(proxy=son, member=resident, by=desk, center=center)


_NO_CONDITIONS = {
    "min_age": None,
    "max_age": None,
    "verified_only": False,
    "neighbourhoods": "",
    "team": None,
}


def _shared_rule(name: str, **conditions: object) -> EligibilityRule:
    return sync(EligibilityRule, {"center": None, "name": name}, _NO_CONDITIONS | conditions)


def _load_rules() -> None:
    verified = _shared_rule("仅限实名认证居民", verified_only=True)
    # For the canteen's meal card (助餐卡), a program: the canteen itself is open to everyone.
    # 80+ using services free is not a rule but the program's price (FREE_SERVICES_AGE).
    _shared_rule("60岁及以上", min_age=60)
    for center_name, space_name in [
        ("友谊路街道社区党群服务中心", "谊家直播间"),
        ("长征镇丽湖居民区党群服务站", "阅心书斋"),
    ]:
        space = Space.objects.get(center__name=center_name, name=space_name)
        sync(Space, {"pk": space.pk}, {"eligibility": verified})


TEAMS = [
    {
        "name": "友谊路合唱团",
        "kind": Team.Kind.TEAM,
        "description": "演示数据：中心招募的40支团队之一，每周在百姓舞台排练。",
    },
    {
        "name": "友谊路社区达人",
        "kind": Team.Kind.TALENT,
        "description": "演示数据：中心招募的社区达人，在共享餐厅开设烘焙课、在国学讲堂教剪纸。",
    },
]


def _load_teams(resident: User) -> None:
    center = Center.objects.get(name="友谊路街道社区党群服务中心")
    for data in TEAMS:
        values = {"kind": data["kind"], "description": data["description"], "is_active": True}
        team = sync(Team, {"center": center, "name": data["name"]}, values | {"leader": resident})
        sync(TeamMembership, {"team": team, "member": resident}, {})


def _load_points(resident: User, *, reviewer: User, center: Center) -> None:
    """Points earned the way residents earn them, the first time only: a later run must not
    grant them again (nor undo what the demo staff did with the pending hours)."""
    if VolunteerRecord.objects.filter(member=resident).exists():
        return
    today = timezone.localdate(timezone=center.tz)
    approved = volunteer_record_create(
        member=resident,
        center=center,
        day=today - timedelta(days=7),
        hours=Decimal("3"),
        description="社区图书馆图书整理（演示数据）",
    )
    volunteer_record_review(record=approved, by=reviewer, approve=True)
    volunteer_record_create(
        member=resident,
        center=center,
        day=today - timedelta(days=1),
        hours=Decimal("2"),
        description="同心荟社区食堂助餐志愿服务（演示数据，待审核）",
    )


def load_demo() -> Loaded:
    return Loaded(
        lines=tuple(
            f"{login.username:<10} password {login.password:<22} ({login.role})"
            for login in load_accounts()
        )
    )
