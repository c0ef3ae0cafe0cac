"""Demo micro-wishes and a proposal wall, from the reports (DOMAIN.md, shared/seeds):
凉城新村 serves people living alone with "微心愿" (003); 友谊路 has a "美好社区提案墙：从旁观者
变成参与者、共建者" (001).

Made once, through the services, by the demo admin: a wish in each state (one posted by staff
for a resident living alone, one declined with a reason, one open, one claimed, one fulfilled and
awaiting confirmation, one confirmed, the volunteer paid in points), and proposals with supports,
replies at each step, and one hidden with its reason. A later run writes nothing and undoes
nothing residents or staff did since. The people are fictional, without logins; the volunteers
are verified with made-up numbers (members.demo.DEMO_REGION).
"""

from datetime import date

from django.db import transaction

from centers.models import Center
from community.models import Proposal, Wish
from community.services.proposals import (
    proposal_create,
    proposal_hide,
    proposal_respond,
    proposal_support,
)
from community.services.wishes import (
    wish_claim,
    wish_confirm,
    wish_create,
    wish_decline,
    wish_fulfil,
    wish_publish,
)
from core.demo import Loaded
from members.demo import ADMIN, RESIDENT, demo_member, verify_for_demo
from members.models import User

LIANGCHENG = "凉城新村街道社区党群服务中心"
YOUYI = "友谊路街道社区党群服务中心"

# Residents living alone who post wishes, and the volunteers who take them on.
WISHERS = {
    "demo_lu": ("陆阿婆", date(1938, 9, 3), "凉二居民区"),
    "demo_xu": ("许老伯", date(1941, 1, 19), "文苑一居民区"),
    "demo_he": ("何阿姨", date(1950, 7, 22), "凉二居民区"),
    "demo_lyu": ("吕老伯", date(1944, 11, 5), "文苑一居民区"),
}
VOLUNTEERS = {
    "demo_vol_shi": ("施建国", date(1971, 4, 8), "凉二居民区"),
    "demo_vol_tang": ("唐小雨", date(2001, 10, 15), "文苑一居民区"),
}


def _people(rows: dict, *, verified: bool, serial: int = 100) -> dict[str, User]:
    people = {}
    for offset, (username, (name, born, neighbourhood)) in enumerate(rows.items()):
        member = demo_member(username, name, birth_date=born, neighbourhood=neighbourhood)
        if verified:
            member = verify_for_demo(member, real_name=name, born=born, serial=serial + offset)
        people[username.removeprefix("demo_")] = member
    return people


def _wishes(admin: User, people: dict[str, User]) -> int:
    center = Center.objects.get(name=LIANGCHENG)
    lu, xu, he, lyu = (people[n] for n in ("lu", "xu", "he", "lyu"))
    shi, tang = people["vol_shi"], people["vol_tang"]

    def post(member: User, category: str, text: str, details: str, by: User | None = None):
        return wish_create(
            member=member, center=center, category=category, text=text, details=details, by=by
        )

    def published(member: User, category: str, text: str, details: str) -> Wish:
        return wish_publish(wish=post(member, category, text, details), by=admin)

    # Confirmed: the volunteer earned the wish's points.
    done = wish_claim(
        wish=published(xu, "repair", "家里门锁坏了，想请人帮忙修一修", "文苑一居民区，白天在家"),
        member=shi,
    )
    done = wish_fulfil(wish=done, member=shi, note="换了新锁芯，钥匙交给许老伯两把")
    wish_confirm(wish=done, by=xu)
    # Fulfilled, awaiting the wisher's confirmation.
    fulfilled = wish_claim(
        wish=published(lu, "errand", "想请人帮忙到药房配降压药", "凉二居民区，配药单在居委会"),
        member=tang,
    )
    wish_fulfil(wish=fulfilled, member=tang, note="药已配好，送到陆阿婆家中")
    # Claimed, not done yet.
    wish_claim(
        wish=published(lyu, "repair", "卫生间的灯不亮了，想请人帮忙换个灯泡", "文苑一居民区"),
        member=shi,
    )
    # Open on the wall.
    published(he, "daily_goods", "想要一副老花镜（250度）", "凉二居民区，傍晚在家")
    # Declined, with the reason the wisher read.
    wish_decline(
        wish=post(xu, "other", "想要一台新的大屏电视", ""),
        by=admin,
        reason="超出微心愿的范围，社工已联系您了解困难补助（演示数据）",
    )
    # Posted by staff for a resident living alone, awaiting review.
    post(
        lu,
        "company",
        "想请人周末陪我到公园走走，说说话",
        "独居，听力不好，请先到居委会找社工陪同上门",
        by=admin,
    )
    return Wish.objects.filter(center=center).count()


PROPOSALS = [
    # (author, title, text, supporters, answers: [(status, reply)], hidden reason)
    (
        "lyu",
        "在小区门口加装休息长椅",
        "老人买菜回来走不动，希望在小区门口和公交站之间加几张长椅，方便歇脚。",
        ["he", "lu", "xu", "vol_shi", "vol_tang", "resident"],
        [
            ("discussing", "已提交居民区议事会讨论，正在和物业商量位置（演示数据）。"),
            ("adopted", "街道已采纳，计划下月安装四张长椅（演示数据）。"),
        ],
        "",
    ),
    (
        "resident",
        "周末开放共享餐厅做亲子烘焙",
        "共享餐厅周末下午空着，希望请社区达人开亲子烘焙课，让年轻家庭也来中心。",
        ["he", "vol_tang", "lyu", "lu"],
        [("discussing", "已和社区达人团队联系，正在排周末的课表（演示数据）。")],
        "",
    ),
    (
        "he",
        "楼道里装感应灯",
        "老楼楼道晚上很黑，老人上下楼容易摔跤，希望装上声控或感应灯。",
        ["lu", "xu"],
        [],
        "",
    ),
    (
        "lu",
        "在中心门口设共享雨伞架",
        "下雨天来中心活动常常没带伞，希望门口放一些共享雨伞。",
        ["xu"],
        [("not_adopted", "中心门口没有合适的位置，前台已备有雨伞可借用（演示数据）。")],
        "",
    ),
    (
        "xu",
        "出售二手家具",
        "家里有一套八成新的沙发要出售，有意者请打电话联系。",
        [],
        [],
        "提案墙用于社区建议，不发布买卖信息和个人联系方式（演示数据）。",
    ),
]


def _proposals(admin: User, people: dict[str, User]) -> int:
    center = Center.objects.get(name=YOUYI)
    for author, title, text, supporters, answers, hidden in PROPOSALS:
        proposal = proposal_create(member=people[author], center=center, title=title, text=text)
        for name in supporters:
            proposal_support(proposal=proposal, member=people[name])
        for status, reply in answers:
            proposal = proposal_respond(proposal=proposal, by=admin, status=status, reply=reply)
        if hidden:
            proposal_hide(proposal=proposal, by=admin, reason=hidden)
    return Proposal.objects.filter(center=center).count()


@transaction.atomic
def load_community() -> tuple[int, int]:
    """The demo's wishes and proposals the first time; (wishes, proposals) at the two centers."""
    people = _people(WISHERS, verified=False) | _people(VOLUNTEERS, verified=True)
    people["resident"] = User.objects.get(username=RESIDENT.username)
    admin = User.objects.get(username=ADMIN.username)
    mine = list(people.values())
    if Wish.objects.filter(wisher__in=mine).exists():
        wishes = Wish.objects.filter(center__name=LIANGCHENG).count()
    else:
        wishes = _wishes(admin, people)
    if Proposal.objects.filter(author__in=mine).exists():
        proposals = Proposal.objects.filter(center__name=YOUYI).count()
    else:
        proposals = _proposals(admin, people)
    return wishes, proposals


def load_demo() -> Loaded:
    wishes, proposals = load_community()
    return Loaded(summary=f"{wishes} micro-wishes, {proposals} proposals")
