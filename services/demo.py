"""Demo service programs from the news reports (DOMAIN.md, shared/seeds), at their centers, and
a few weeks of their sessions.

Programs are brought up to date on every run, like the places: a rerun puts back what staff
changed in them. Sessions, registrations, a lottery draw and home-visit requests are made once,
through the services and by the demo admin, only while no demo program has a session: a later
run writes nothing, nor undoes what staff did since. Where a report is silent (weekdays, times,
seats, points) the values are stand-ins, and the texts say so with "演示数据".
"""

import logging
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from centers.models import Center, Space, StaffAssignment
from core.demo import Loaded, sync
from core.errors import LinliError
from members.demo import ADMIN, RESIDENT, demo_member
from members.models import EligibilityRule, PointsEntry, Team, User
from members.services.points import points_earn
from services.models import Program, Session
from services.services.home_visits import home_visit_request, home_visit_schedule
from services.services.lottery import session_draw_lottery
from services.services.registration import session_register
from services.services.sessions import (
    appointment_block_create,
    session_create,
    session_series_create,
)
from services.services.volunteering import volunteer_role_add

logger = logging.getLogger(__name__)
Category, Kind, Mode = Program.Category, Program.Kind, Program.Mode

JINGAN = "静安寺街道社区党群服务中心"
YOUYI = "友谊路街道社区党群服务中心"
LIANGCHENG = "凉城新村街道社区党群服务中心"
YIZHAN = "凉城社区市民驿站"
WULIXIANG = "“邻家屋里厢”服务站"
ELDERLY_FREE = "80岁及以上老人免积分。"
# The volunteers who run the weekly half day of services (DOMAIN.md): a program of its own, its
# sessions with roles and seats.
VOLUNTEERS = "驿心便民周周享·志愿者"
VOLUNTEER_ROLES = [("理发", 2), ("扦脚", 1), ("眼镜护理", 1), ("健康咨询", 1), ("钟表维修", 1)]

PROGRAMS = [
    {
        "center": JINGAN,
        "title": "养生讲堂",
        "category": Category.HEALTH,
        "partner": "华东医院",
        "points_reward": 2,
        "description": "依托华东医院和社区医院的医疗资源开设养生讲堂。参加签到可得2积分（演示数据）。",
    },
    {
        "center": JINGAN,
        "title": "公益义诊",
        "category": Category.CLINIC,
        "partner": "华东医院、社区医院",
        "description": "华东医院、社区医院的医生在中心开展公益义诊，免费。",
    },
    {
        "center": JINGAN,
        "title": "法律咨询",
        "category": Category.LEGAL,
        "kind": Kind.APPOINTMENT,
        "partner": "社会组织",
        "description": "由进驻中心的社会组织提供“一对一”法律咨询，每次30分钟（时长为演示数据）。",
    },
    {
        "center": JINGAN,
        "title": "心理咨询",
        "category": Category.COUNSELLING,
        "kind": Kind.APPOINTMENT,
        "partner": "社会组织",
        "description": "由进驻中心的社会组织提供“一对一”心理咨询，每次50分钟（时长为演示数据）。",
    },
    {
        "center": YIZHAN,
        "title": "驿心便民周周享",
        "category": Category.CONVENIENCE,
        "partner": "辖区企业爱心志愿者队伍",
        "max_party_size": 2,
        "description": "每周半天集中化便民服务：理发、扦脚、眼镜护理、健康咨询、钟表维修等十多项，"
        "每场平均服务约200人次。可带一位家人同来。",
    },
    {
        "center": YIZHAN,
        "title": VOLUNTEERS,
        "category": Category.CONVENIENCE,
        "kind": Kind.VOLUNTEER,
        "partner": "辖区企业爱心志愿者队伍",
        "description": "“驿心便民周周享”的志愿者岗位：理发、扦脚、眼镜护理、健康咨询、钟表维修，"
        "每周半天为约200人次服务。报名一个岗位；到场签到后，志愿服务时长记入个人记录并获得积分"
        "（岗位和人数为演示数据）。",
    },
    {
        "center": YIZHAN,
        "title": "智能走进生活",
        "category": Category.DIGITAL,
        "eligibility": "60岁及以上",
        "description": "“智能走进生活”系列手机课堂：教老年人玩微信、刷视频、看新闻、听音乐，"
        "帮助老年人跨越“数字鸿沟”。小班教学，每班10人（演示数据）。",
    },
    {
        "center": YIZHAN,
        "title": "9.9元乐享驿站专属影票",
        "category": Category.CINEMA,
        "mode": Mode.LOTTERY,
        "partner": "大光明影院",
        "points_cost": 10,
        "max_party_size": 2,
        "cancel_deadline_hours": 24,
        "description": "驿站乐享伙伴大光明影院提供9.9元专属影票，10人组团还可享受“点播”服务。"
        "报名截止后抽签；每张另需10积分（演示数据），" + ELDERLY_FREE,
    },
    {
        "center": LIANGCHENG,
        "title": "预约上门服务",
        "category": Category.HOME_VISIT,
        "kind": Kind.APPOINTMENT,
        "description": "为独居老人、残疾人员等困难群体提供预约上门服务和“一对一”咨询。",
    },
    {
        "center": YOUYI,
        "title": "烘焙课程",
        "category": Category.COOKING,
        "organizer_team": "友谊路社区达人",
        "points_cost": 20,
        "max_per_member_per_day": 1,
        "description": "共享餐厅在非就餐时间开设的烘焙类课程，由社区达人授课。每次20积分（演示数据），"
        + ELDERLY_FREE,
    },
    {
        "center": WULIXIANG,
        "title": "小家电维修",
        "category": Category.CONVENIENCE,
        "points_cost": 5,
        "description": "“屋里厢”共建共享：对80岁以上老人免费提供服务，其他居民可以用志愿服务、"
        "参加活动换积分。每次5积分（演示数据）。",
    },
]

_PROGRAM_DEFAULTS = {
    "description": "",
    "kind": Kind.GROUP,
    "mode": Mode.FIRST_COME,
    "eligibility": None,
    "verification_required": False,
    "points_cost": 0,
    "points_reward": 0,
    "free_for_elderly": True,
    "organizer_team": None,
    "partner": "",
    "max_party_size": 1,
    "max_per_member_per_day": None,
    "offer_hours": 12,
    "cancel_deadline_hours": 2,
    "is_active": True,
}

# Residents with no login of their own (fictional names): they fill the sessions staff see.
# Ages matter: 智能走进生活 is for 60+, and 80+ pay no points.
NEIGHBOURS = {
    "demo_zhou": ("周阿姨", date(1952, 4, 3), "凉二居民区"),
    "demo_wu": ("吴老伯", date(1944, 9, 18), "凉二居民区"),
    "demo_zheng": ("郑阿姨", date(1958, 1, 27), "文苑一居民区"),
    "demo_sun": ("孙师傅", date(1960, 6, 30), "文苑一居民区"),
    "demo_qian": ("钱老师", date(1955, 11, 2), "凉二居民区"),
    "demo_feng": ("冯阿姨", date(1949, 2, 14), "文苑一居民区"),
    "demo_chu": ("褚老伯", date(1946, 7, 7), "凉二居民区"),
    "demo_wei": ("卫阿姨", date(1957, 10, 9), "凉二居民区"),
    "demo_jiang": ("蒋师傅", date(1961, 3, 21), "文苑一居民区"),
    "demo_shen": ("沈阿姨", date(1953, 8, 16), "凉二居民区"),
    "demo_han": ("韩老伯", date(1940, 12, 1), "文苑一居民区"),
    "demo_yang": ("杨阿姨", date(1959, 5, 25), "凉二居民区"),
    "demo_zhu": ("朱师傅", date(1962, 2, 8), "文苑一居民区"),
    "demo_qin": ("秦阿婆", date(1938, 4, 12), "凉二居民区"),
}
STARTING_POINTS = 50
# Goes to residents' homes for 凉城新村 (no login: the center's staff record the visits).
SOCIAL_WORKER = ("demo_social_worker", "凉城社工小林")


def _social_worker() -> User:
    """Staff at 凉城新村 whom home visits are assigned to (no password: not a demo login)."""
    username, name = SOCIAL_WORKER
    if not User.objects.filter(username=username).exists():
        User.objects.create_user(username=username, password=None)
    worker = sync(User, {"username": username}, {"first_name": name, "is_staff": True})
    center = Center.objects.get(name=LIANGCHENG)
    sync(
        StaffAssignment,
        {"user": worker, "center": center},
        {"role": StaffAssignment.Role.FRONT_DESK},
    )
    return worker


def _load_programs() -> dict[str, Program]:
    programs = {}
    for data in PROGRAMS:
        center = Center.objects.get(name=data["center"])
        values = _PROGRAM_DEFAULTS | {k: v for k, v in data.items() if k not in ("center", "title")}
        if values["eligibility"]:
            values["eligibility"] = EligibilityRule.objects.get(
                center=None, name=values["eligibility"]
            )
        if values["organizer_team"]:
            values["organizer_team"] = Team.objects.get(
                center=center, name=values["organizer_team"]
            )
        programs[data["title"]] = sync(Program, {"center": center, "title": data["title"]}, values)
    return programs


@transaction.atomic
def load_services() -> dict[str, Program]:
    """The demo programs, brought up to date; their first weeks of sessions the first time."""
    programs = _load_programs()
    neighbours = [
        demo_member(username, name, birth_date=born, neighbourhood=neighbourhood)
        for username, (name, born, neighbourhood) in NEIGHBOURS.items()
    ]
    worker = _social_worker()
    admin = User.objects.get(username=ADMIN.username)
    resident = User.objects.get(username=RESIDENT.username)
    weeks = _Weeks(programs, admin, neighbours, resident, worker)
    others = [program for title, program in programs.items() if title != VOLUNTEERS]
    if not Session.objects.filter(program__in=others).exists():
        for neighbour in neighbours:
            points_earn(
                member=neighbour,
                amount=STARTING_POINTS,
                kind=PointsEntry.Kind.VOLUNTEER,
                reason="社区志愿服务积分（演示数据）",
            )
        weeks.load()
    # On its own: a database loaded before the volunteers' program existed gets their weeks too.
    if not Session.objects.filter(program=programs[VOLUNTEERS]).exists():
        weeks.volunteer_shifts()
    return programs


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _first(sessions: list[Session]) -> Session | None:
    return sessions[0] if sessions else None


class _Weeks:
    """The coming weeks, counted from the day the demo is first loaded (in Shanghai)."""

    def __init__(
        self,
        programs: dict[str, Program],
        admin: User,
        neighbours: list[User],
        resident: User,
        worker: User,
    ) -> None:
        self.programs = programs
        self.admin = admin
        self.people = {n.username: n for n in neighbours}
        self.resident = resident
        self.worker = worker
        self.tz = programs["养生讲堂"].center.tz
        self.now = timezone.now()
        self.today = timezone.localdate(self.now, timezone=self.tz)

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def at(self, offset: int, clock: str) -> datetime:
        return datetime.combine(self.day(offset), _clock(clock), tzinfo=self.tz)

    def who(self, *usernames: str) -> list[User]:
        return [self.people[f"demo_{name}"] for name in usernames]

    def register(self, session: Session | None, members: list[User], **kwargs) -> None:
        if session is None:
            return
        for member in members:
            try:
                session_register(session=session, member=member, **kwargs)
            except LinliError as error:
                logger.warning("demo registration for %s skipped: %s", session, error.code)

    def weekly(
        self, title: str, offset: int, span: tuple[str, str], capacity: int, **kwargs
    ) -> list[Session]:
        """Four weekly sessions, the first ``offset`` days from today."""
        first = self.day(offset)
        result = session_series_create(
            program=self.programs[title],
            weekday_list=[first.weekday()],
            start_time=_clock(span[0]),
            end_time=_clock(span[1]),
            first_date=first,
            last_date=first + timedelta(weeks=3),
            capacity=capacity,
            by=self.admin,
            opens_days_before=14,
            **kwargs,
        )
        for day, code in result.skipped:
            logger.warning("demo %s on %s skipped: %s", title, day, code)
        return result.sessions

    def once(self, title: str, offset: int, span: tuple[str, str], **kwargs) -> Session | None:
        try:
            return session_create(
                program=self.programs[title],
                start=self.at(offset, span[0]),
                end=self.at(offset, span[1]),
                by=self.admin,
                **kwargs,
            )
        except LinliError as error:
            # The demo's spaces are free at these times on any day; should a dated exception or a
            # staff change ever refuse one, the demo goes on without it.
            logger.warning("demo session of %s skipped: %s", title, error.code)
            return None

    def slots(self, title: str, offset: int, span: tuple[str, str], minutes: int) -> list[Session]:
        try:
            return appointment_block_create(
                program=self.programs[title],
                start=self.at(offset, span[0]),
                end=self.at(offset, span[1]),
                slot_minutes=minutes,
                by=self.admin,
            )
        except LinliError as error:
            logger.warning("demo slots of %s skipped: %s", title, error.code)
            return []

    def space(self, center: str, name: str) -> Space:
        return Space.objects.get(center__name=center, name=name)

    def load(self) -> None:
        # 静安寺: lectures with 华东医院, a clinic, one-to-one advice.
        lectures = self.weekly(
            "养生讲堂",
            2,
            ("9:30", "11:00"),
            40,
            space=self.space(JINGAN, "智慧党建教室"),
        )
        self.register(_first(lectures), [self.resident, *self.who("zhou", "qian", "shen")])
        clinic = self.once(
            "公益义诊",
            9,
            ("9:00", "11:30"),
            capacity=30,
            space=self.space(JINGAN, "长者屋"),
            note="请携带医保卡和近期化验报告（演示数据）",
        )
        self.register(clinic, self.who("feng", "chu", "wei"))
        legal = self.slots("法律咨询", 3, ("14:00", "16:00"), 30)
        self.register(_first(legal), self.who("jiang"))
        self.slots("心理咨询", 4, ("9:00", "11:30"), 50)

        # 凉城: the weekly half day of services, the phone class (the first one full, with a
        # waitlist), the cinema lottery (one drawn, one still taking entries), home visits.
        services = self.weekly("驿心便民周周享", 2, ("8:30", "11:30"), 200)
        self.register(_first(services), self.who("zhou", "wu", "sun"), party_size=2)
        self.register(_first(services), self.who("yang", "zhu"))
        classes = self.weekly(
            "智能走进生活", 3, ("14:00", "15:30"), 10, space=self.space(YIZHAN, "驿站活动室")
        )
        everyone = list(self.people.values())
        self.register(_first(classes), everyone[:13])  # ten seats, three waiting
        self.register(_first(classes[1:]), self.who("han", "qin", "zhu"))
        self._cinema(everyone)
        self._home_visits()

        # 友谊路 and 邻家屋里厢: classes and repairs paid in points, free from 80.
        baking = self.weekly(
            "烘焙课程", 5, ("14:30", "16:30"), 8, space=self.space(YOUYI, "共享餐厅")
        )
        self.register(_first(baking), self.who("wu", "zhou", "zheng", "sun", "qian"))
        repairs = self.weekly("小家电维修", 1, ("9:00", "11:00"), 15)
        self.register(_first(repairs), self.who("qin", "wei"))

    def volunteer_shifts(self) -> None:
        """The volunteers' four weeks: from half an hour before the residents come, each with
        its roles; a few neighbours have signed up already."""
        shifts = self.weekly(VOLUNTEERS, 2, ("8:00", "11:30"), 1)
        for shift in shifts:
            for name, seats in VOLUNTEER_ROLES:
                volunteer_role_add(session=shift, name=name, seats=seats, by=self.admin)
        first = _first(shifts)
        if first is None:
            return
        for username, role in (("sun", "理发"), ("zhu", "理发"), ("jiang", "钟表维修")):
            self.register(first, self.who(username), role=first.roles.get(name=role))

    def _cinema(self, everyone: list[User]) -> None:
        """A screening whose entries closed an hour ago, drawn by the admin (the seed is on its
        page), and the next one still taking entries."""
        note = "10人组团可点播影片（演示数据）"
        drawn = self.once(
            "9.9元乐享驿站专属影票",
            3,
            ("18:30", "20:30"),
            capacity=10,
            note=note,
            registration_opens=self.now - timedelta(days=3),
            registration_closes=self.now - timedelta(hours=1),
        )
        entered = self.now - timedelta(days=2)
        self.register(drawn, everyone[:12], now=entered)
        if drawn is not None:
            session_draw_lottery(session=drawn, by=self.admin)
        upcoming = self.once(
            "9.9元乐享驿站专属影票",
            10,
            ("18:30", "20:30"),
            capacity=10,
            note=note,
            registration_closes=self.at(8, "18:00"),
        )
        self.register(upcoming, self.who("shen", "han", "wei"))

    def _home_visits(self) -> None:
        program = self.programs["预约上门服务"]
        han, qin = self.who("han", "qin")
        scheduled = home_visit_request(
            program=program,
            member=han,
            address="凉城新村街道文苑一居民区（演示数据）",
            preferred_time="工作日上午",
            notes="独居，行动不便，想请社工上门量血压、看看家里用电安全（演示数据）。",
        )
        home_visit_schedule(
            request=scheduled, by=self.admin, assignee=self.worker, when=self.at(2, "9:30")
        )
        home_visit_request(
            program=program,
            member=qin,
            address="凉城新村街道凉二居民区（演示数据）",
            preferred_time="周末下午",
            notes="独居，腿脚不便，想请人上门理发（演示数据）。",
        )


def load_demo() -> Loaded:
    return Loaded(summary=f"{len(load_services())} programs")
