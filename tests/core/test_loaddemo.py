"""``manage.py loaddemo``: the places of the news reports, their hours, three logins, bookings and
service programs with their sessions; safe to run again (a second run writes nothing) and it
puts back what staff changed in demo rows."""

import re
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking, BookingEvent, BookingSeries, SpaceHold
from centers import weekdays
from centers.models import Center, OpeningException, OpeningRule, Space, StaffAssignment
from centers.selectors import space_hours
from community.models import Proposal, ProposalEvent, ProposalSupport, Wish, WishEvent
from community.selectors import public_proposals, public_wishes
from members.demo import DEMO_REGION
from members.models import (
    EligibilityRule,
    PointsEntry,
    ProxyLink,
    Team,
    TeamMembership,
    User,
    VolunteerRecord,
)
from members.services.eligibility import eligibility_describe
from members.services.proxies import proxy_end
from services.models import (
    HomeVisitRequest,
    LotteryDraw,
    Program,
    Registration,
    RegistrationEvent,
    Session,
    VolunteerRole,
)
from tests.helpers import SHANGHAI

pytestmark = pytest.mark.django_db

FIRST_RUN = datetime(2026, 5, 18, 9, 0, tzinfo=SHANGHAI)
MODELS = [
    Center,
    Space,
    OpeningRule,
    OpeningException,
    StaffAssignment,
    User,
    EligibilityRule,
    Team,
    TeamMembership,
    VolunteerRecord,
    PointsEntry,
]
# The demo's bookings and what they leave behind (bookings.demo).
MODELS += [Booking, BookingEvent, BookingSeries, SpaceHold]
# The demo's programs and their sessions (services.demo).
MODELS += [Program, Session, Registration, RegistrationEvent, LotteryDraw, HomeVisitRequest]
MODELS += [VolunteerRole, ProxyLink]
# The demo's micro-wishes and proposal wall (community.demo).
MODELS += [Wish, WishEvent, Proposal, ProposalSupport, ProposalEvent]
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
MON_THU = weekdays.to_mask([0, 1, 2, 3])
FRI_SUN = weekdays.to_mask([4, 5, 6])


def loaddemo() -> str:
    out = StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict]]:
    """Every column of every row the demo owns, ids and timestamps included."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def rules(**scope) -> set[tuple[int, time, time]]:
    return set(OpeningRule.objects.filter(**scope).values_list("weekdays", "opens", "closes"))


def space(name: str) -> Space:
    return Space.objects.select_related("center").get(name=name)


@pytest.fixture
def loaded() -> str:
    with time_machine.travel(FIRST_RUN, tick=False):
        return loaddemo()


# --- Idempotence ---------------------------------------------------------------------------------


def test_second_run_changes_nothing(loaded: str) -> None:
    before = snapshot()
    assert all(before.values()), {name: len(rows) for name, rows in before.items()}

    # A day later: any row written again would carry a new ``updated`` (or a new id).
    with (
        time_machine.travel(FIRST_RUN + timedelta(days=1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        output = loaddemo()

    assert snapshot() == before
    assert [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])] == []
    assert output == loaded


def test_first_run_stamps_rows_with_the_clock(loaded: str) -> None:
    # The premise of the test above: the demo's writes do record the (travelled) time.
    jingan = Center.objects.get(name="静安寺街道社区党群服务中心")
    assert jingan.updated == FIRST_RUN
    assert space("阅心书斋").updated == FIRST_RUN


def test_rerun_restores_what_staff_changed(loaded: str) -> None:
    before = snapshot()
    jingan = Center.objects.get(name="静安寺街道社区党群服务中心")
    Center.objects.filter(pk=jingan.pk).update(alias="改过的别名", is_active=False, floors=9)
    Space.objects.filter(name="阅心书斋").update(units=3, min_minutes=60, description="")
    OpeningRule.objects.filter(space__name="社区图书馆", weekdays=MON_THU).delete()
    OpeningRule.objects.create(space=space("市民健身驿站"), opens=time(6), closes=time(7))
    OpeningException.objects.filter(space__name="社区图书馆").delete()
    StaffAssignment.objects.filter(user__username="staff").update(role="viewer")
    EligibilityRule.objects.filter(name="仅限实名认证居民").update(verified_only=False, min_age=3)
    Space.objects.filter(name="谊家直播间").update(eligibility=None)
    Team.objects.filter(name="友谊路合唱团").update(is_active=False, description="")
    TeamMembership.objects.filter(team__name="友谊路社区达人").delete()
    User.objects.filter(username="resident").update(neighbourhood="", birth_date=None)
    Program.objects.filter(title="烘焙课程").update(points_cost=99, is_active=False, partner="x")
    User.objects.filter(username="demo_wu").update(birth_date=date(1990, 1, 1))
    staff = User.objects.get(username="staff")
    staff.set_password("someone-changed-it")
    staff.is_staff = False
    staff.save()

    with time_machine.travel(FIRST_RUN + timedelta(days=2), tick=False):
        loaddemo()

    def content(snap: dict[str, list[dict]]) -> dict[str, list]:
        """The snapshot without what a restore legitimately renews: ids of re-created hours,
        timestamps and the password salt."""
        skip = {"id", "created", "updated", "joined", "password", "last_login"}
        result = {}
        for name, rows in snap.items():
            cleaned = [{k: v for k, v in row.items() if k not in skip} for row in rows]
            result[name] = sorted(cleaned, key=repr)
        return result

    assert content(snapshot()) == content(before)
    assert Client().login(username="staff", password="linli-staff-2026")
    # Rows nobody touched were not rewritten.
    untouched = Center.objects.get(name="友谊路街道社区党群服务中心")
    assert untouched.updated == FIRST_RUN


def test_rerun_leaves_places_staff_added(loaded: str) -> None:
    jingan = Center.objects.get(name="静安寺街道社区党群服务中心")
    extra = Space.objects.create(center=jingan, name="工作人员新增的场地")

    loaddemo()

    assert Space.objects.filter(pk=extra.pk).exists()


# --- The places of the reports -------------------------------------------------------------------


def test_centers_from_the_reports(loaded: str) -> None:
    jingan = Center.objects.get(name="静安寺街道社区党群服务中心")
    assert (jingan.alias, jingan.address, jingan.floors, jingan.area_m2) == (
        "静邻一家",
        "新闸路1855号",
        3,
        3000,
    )
    assert (jingan.kind, jingan.district) == (Center.Kind.CENTER, "静安区")

    youyi = Center.objects.get(name="友谊路街道社区党群服务中心")
    assert (youyi.address, youyi.floors, youyi.area_m2, youyi.district) == (
        "永清路899号",
        5,
        7200,
        "宝山区",
    )
    assert "230余场" in youyi.description and "12万余人次" in youyi.description

    jiaxing = Center.objects.get(name="嘉兴路街道市民驿站第一分站")
    assert (jiaxing.kind, jiaxing.address) == (Center.Kind.STATION, "天宝路881号二楼")
    assert jiaxing.parent.kind == Center.Kind.CENTER


def test_stations_sit_under_centers(loaded: str) -> None:
    changzheng = {
        "长征镇丽湖居民区党群服务站",
        "馨越河湾居民区党群服务站",
        "象源丽都居民区党群服务站",
    }
    liangcheng = {
        "雷允上凉城药房党群服务站",
        "章氏餐饮党群服务站",
        "好宜家眼镜党群服务站",
        "大桶大足浴党群服务站",
    }
    stations = Center.objects.filter(kind=Center.Kind.STATION).select_related("parent")
    by_name = {s.name: s for s in stations}

    assert changzheng | liangcheng | {"“邻家屋里厢”服务站"} <= set(by_name)
    assert {by_name[n].parent.subdistrict for n in changzheng} == {"长征镇"}
    assert {by_name[n].parent.subdistrict for n in liangcheng} == {"凉城新村街道"}
    assert by_name["“邻家屋里厢”服务站"].parent.subdistrict == "小东门街道"
    assert all(s.parent.kind == Center.Kind.CENTER for s in stations)
    assert all(s.district == s.parent.district for s in stations)
    for station in stations:
        station.full_clean()  # the demo obeys the model's own rules


def test_spaces_from_the_reports(loaded: str) -> None:
    youyi = set(
        Space.objects.filter(center__name="友谊路街道社区党群服务中心").values_list(
            "name", flat=True
        )
    )
    assert {"谊家直播间", "百姓舞台", "学习讲堂", "国学讲堂", "24小时畅享驿站"} <= youyi
    assert {"同心荟社区食堂", "社区图书馆", "市民健身驿站"} <= set(
        Space.objects.filter(center__name="静安寺街道社区党群服务中心").values_list(
            "name", flat=True
        )
    )

    washers, dryers = space("公共洗衣房·洗衣机"), space("公共洗衣房·烘干机")
    assert washers.center.name == dryers.center.name == "“邻家屋里厢”服务站"
    assert (washers.units, washers.kind) == (6, Space.Kind.LAUNDRY)
    assert (dryers.units, dryers.kind) == (2, Space.Kind.LAUNDRY)

    study = space("阅心书斋")
    assert study.center.name == "长征镇丽湖居民区党群服务站"
    assert (study.units, study.capacity, study.bookable) == (10, 10, True)
    assert rules(space=study) == {(weekdays.ALL_DAYS, time(0), time(0))}  # 24 hours

    for obj in Space.objects.all():
        obj.full_clean()


def test_hours_printed_in_the_reports(loaded: str) -> None:
    assert rules(space=space("同心荟社区食堂")) == {
        (weekdays.ALL_DAYS, time(6, 30), time(9)),
        (weekdays.ALL_DAYS, time(10, 30), time(14)),
        (weekdays.ALL_DAYS, time(16, 30), time(20)),
    }
    assert rules(space=space("社区图书馆")) == {
        (MON_THU, time(8, 30), time(17, 30)),
        (FRI_SUN, time(8, 30), time(20, 30)),
    }
    assert rules(space=space("市民健身驿站")) == {(weekdays.ALL_DAYS, time(8, 30), time(20, 30))}


def test_demo_hours_read_as_printed_on_given_days(loaded: str) -> None:
    canteen, library, study = space("同心荟社区食堂"), space("社区图书馆"), space("阅心书斋")
    thursday, friday = date(2026, 5, 21), date(2026, 5, 22)

    week = space_hours([canteen, library, study], thursday, friday)

    assert [i.text for i in week[canteen.id][0].intervals] == [
        "06:30–09:00",
        "10:30–14:00",
        "16:30–20:00",
    ]
    assert [i.text for i in week[library.id][0].intervals] == ["08:30–17:30"]
    assert [i.text for i in week[library.id][1].intervals] == ["08:30–20:30"]
    assert [i.clock() for i in week[study.id][0].intervals] == [{"start": "00:00", "end": "24:00"}]


def test_demo_rows_satisfy_the_models(loaded: str) -> None:
    for model in (Center, OpeningRule, OpeningException):
        for obj in model.objects.all():
            obj.full_clean()


# --- Logins --------------------------------------------------------------------------------------


def printed_logins(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(\S+)\s+password\s+(\S+)", output, re.MULTILINE))


def test_prints_the_demo_logins_and_they_work(loaded: str) -> None:
    logins = printed_logins(loaded)

    assert set(logins) == {"admin", "staff", "resident"}
    for username, password in logins.items():
        assert Client().login(username=username, password=password), username
        assert not Client().login(username=username, password=password + "x")
    assert re.search(r"Demo data ready: \d+ centers", loaded)


def test_demo_logins_have_their_roles(loaded: str) -> None:
    logins = printed_logins(loaded)
    admin, staff, resident = (Client() for _ in range(3))
    admin.login(username="admin", password=logins["admin"])
    staff.login(username="staff", password=logins["staff"])
    resident.login(username="resident", password=logins["resident"])

    everything = admin.get("/admin/centers/center/", {"all": ""}).content.decode()
    assert "友谊路街道社区党群服务中心" in everything

    own = staff.get("/admin/centers/center/").content.decode()
    assert "静安寺街道社区党群服务中心" in own
    assert "友谊路街道社区党群服务中心" not in own
    assert StaffAssignment.objects.get(user__username="staff").role == "manager"

    assert resident.get("/admin/").status_code == 302
    assert not User.objects.get(username="resident").is_staff


# --- The resident's community life ---------------------------------------------------------------


def test_rules_on_the_spaces_that_need_them(loaded: str) -> None:
    verified = EligibilityRule.objects.get(name="仅限实名认证居民")
    sixty = EligibilityRule.objects.get(name="60岁及以上")

    assert (verified.center, verified.verified_only, verified.min_age) == (None, True, None)
    assert (sixty.center, sixty.min_age, sixty.verified_only) == (None, 60, False)
    assert eligibility_describe(verified) == "仅限实名认证居民"
    assert space("谊家直播间").eligibility == verified
    assert space("阅心书斋").eligibility == verified
    assert space("同心荟社区食堂").eligibility is None  # open to everyone; the meal card is 60+


def test_the_resident_leads_a_choir_and_a_talent_group(loaded: str) -> None:
    resident = User.objects.get(username="resident")
    teams = {t.name: t for t in Team.objects.select_related("center", "leader")}

    choir, talents = teams["友谊路合唱团"], teams["友谊路社区达人"]
    assert (choir.kind, talents.kind) == (Team.Kind.TEAM, Team.Kind.TALENT)
    for team in (choir, talents):
        assert team.center.name == "友谊路街道社区党群服务中心"
        assert team.leader == resident and team.is_active
        assert list(team.members.all()) == [resident]


def test_the_resident_has_a_profile_and_earned_points_once(loaded: str) -> None:
    resident = User.objects.get(username="resident")

    assert (resident.neighbourhood, resident.birth_date) == ("丽湖居民区", date(1958, 3, 12))
    assert not resident.is_verified and resident.id_number_encrypted == ""
    entries = list(PointsEntry.objects.filter(member=resident))
    assert [(e.kind, e.delta, e.created_by.username) for e in entries] == [
        (PointsEntry.Kind.VOLUNTEER, 30, "staff")
    ]
    assert resident.points_balance == 30
    statuses = sorted(
        VolunteerRecord.objects.filter(member=resident).values_list("status", flat=True)
    )
    assert statuses == [VolunteerRecord.Status.APPROVED, VolunteerRecord.Status.PENDING]

    # The demo staff approves the pending hours; a later run neither undoes nor repeats anything.
    pending = VolunteerRecord.objects.get(member=resident, status=VolunteerRecord.Status.PENDING)
    VolunteerRecord.objects.filter(pk=pending.pk).update(status=VolunteerRecord.Status.REJECTED)
    loaddemo()
    resident.refresh_from_db()
    assert resident.points_balance == 30
    assert PointsEntry.objects.filter(member=resident).count() == 1
    assert VolunteerRecord.objects.filter(member=resident).count() == 2
    assert VolunteerRecord.objects.get(pk=pending.pk).status == VolunteerRecord.Status.REJECTED


# --- Bookings ------------------------------------------------------------------------------------


def test_demo_space_rules_fit_the_reports(loaded: str) -> None:
    study, washers, dryers = (
        space("阅心书斋"),
        space("公共洗衣房·洗衣机"),
        space("公共洗衣房·烘干机"),
    )
    for self_service in (study, washers, dryers):
        assert self_service.bookable and not self_service.requires_approval
        assert self_service.uses_access_codes  # the random door code of the report
    assert study.requires_check_in and study.venue_code  # members check in at the table
    assert not washers.requires_check_in
    for hall in (space("百姓舞台"), space("学习讲堂")):
        assert hall.requires_approval
        assert hall.buffer_before_minutes == hall.buffer_after_minutes == 30
    assert space("谊家直播间").eligibility.verified_only
    assert not space("同心荟社区食堂").bookable


def test_demo_bookings_tell_a_few_weeks(loaded: str) -> None:
    bookings = list(Booking.objects.select_related("member", "space__center"))
    past = [b for b in bookings if b.end <= FIRST_RUN]
    upcoming = [b for b in bookings if b.start > FIRST_RUN]
    Status = Booking.Status

    assert len(past) + len(upcoming) == len(bookings)
    assert {b.status for b in past} == {Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW}
    assert {b.status for b in upcoming} == {
        Status.CONFIRMED,
        Status.PENDING,
        Status.CANCELLED,
        Status.REJECTED,
    }
    assert {b.member.username for b in bookings} == {"resident", "resident_li", "resident_wang"}
    assert min(b.start for b in bookings) < FIRST_RUN - timedelta(weeks=2)
    assert max(b.start for b in bookings) > FIRST_RUN + timedelta(weeks=2)
    series = BookingSeries.objects.get()
    assert series.team.name == "友谊路合唱团"
    assert [b.status for b in series.bookings.all()] == [Status.CONFIRMED] * 3
    assert len({b.start.astimezone(SHANGHAI).weekday() for b in series.bookings.all()}) == 1
    for booking in bookings:
        booking.full_clean()


def test_demo_bookings_hold_their_time_and_keep_their_trail(loaded: str) -> None:
    for booking in Booking.objects.select_related("space"):
        assert SpaceHold.objects.filter(booking=booking).count() == int(booking.holds_time)
        trail = list(booking.events.order_by("at", "id"))
        assert (trail[0].action, trail[-1].to_status) == ("create", booking.status)
        assert all(event.at <= FIRST_RUN for event in trail)
        if booking.holds_time:
            assert bool(booking.access_code) == booking.space.uses_access_codes
    no_show = Booking.objects.get(status=Booking.Status.NO_SHOW)
    assert no_show.member.no_shows.count() == 1


def test_demo_staff_find_a_booking_to_approve(loaded: str) -> None:
    staff = Client()
    staff.force_login(User.objects.get(username="staff"))

    with time_machine.travel(FIRST_RUN, tick=False):
        listed = staff.get("/admin/bookings/booking/").context["cl"].result_list
        pending = [b for b in listed if b.status == Booking.Status.PENDING]
        assert {b.space.center.name for b in listed} == {"静安寺街道社区党群服务中心"}
        assert [b.space.name for b in pending] == ["智慧党建教室"]

        staff.post(
            "/admin/bookings/booking/",
            {"action": "approve", "_selected_action": [pending[0].pk], "index": 0},
        )

    pending[0].refresh_from_db()
    assert pending[0].status == Booking.Status.CONFIRMED


# --- Service programs ----------------------------------------------------------------------------


def program(title: str) -> Program:
    return Program.objects.select_related("center").get(title=title)


def test_programs_of_the_reports_at_their_centers(loaded: str) -> None:
    where = dict(Program.objects.values_list("title", "center__name"))
    assert where == {
        "养生讲堂": "静安寺街道社区党群服务中心",
        "公益义诊": "静安寺街道社区党群服务中心",
        "法律咨询": "静安寺街道社区党群服务中心",
        "心理咨询": "静安寺街道社区党群服务中心",
        "驿心便民周周享": "凉城社区市民驿站",
        "驿心便民周周享·志愿者": "凉城社区市民驿站",
        "智能走进生活": "凉城社区市民驿站",
        "9.9元乐享驿站专属影票": "凉城社区市民驿站",
        "预约上门服务": "凉城新村街道社区党群服务中心",
        "烘焙课程": "友谊路街道社区党群服务中心",
        "小家电维修": "“邻家屋里厢”服务站",
    }
    assert program("养生讲堂").partner == "华东医院"
    assert {"华东医院", "社区医院"} <= set(program("公益义诊").partner.split("、"))
    weekly = program("驿心便民周周享")
    for service in ("理发", "扦脚", "眼镜护理", "钟表维修", "200人次"):
        assert service in weekly.description
    for title in ("法律咨询", "心理咨询"):
        assert program(title).kind == Program.Kind.APPOINTMENT
    visits = program("预约上门服务")
    assert visits.category == Program.Category.HOME_VISIT
    assert "独居老人" in visits.description and "残疾人员" in visits.description
    cinema = program("9.9元乐享驿站专属影票")
    assert (cinema.mode, cinema.points_cost, cinema.partner) == ("lottery", 10, "大光明影院")
    assert "10人组团" in cinema.description
    baking = program("烘焙课程")
    assert baking.points_cost > 0 and baking.free_for_elderly
    assert baking.organizer_team.name == "友谊路社区达人"
    assert program("智能走进生活").eligibility.min_age == 60
    for obj in Program.objects.all():
        obj.full_clean()


def test_sessions_of_the_coming_weeks(loaded: str) -> None:
    sessions = list(Session.objects.select_related("program", "space"))
    assert min(s.start for s in sessions) > FIRST_RUN
    assert max(s.start for s in sessions) < FIRST_RUN + timedelta(weeks=5)
    assert {s.program.title for s in sessions} == set(
        Program.objects.exclude(category="home_visit").values_list("title", flat=True)
    )
    assert all(s.status == Session.Status.SCHEDULED for s in sessions)
    assert any(0 < s.seats_taken < s.capacity for s in sessions)  # free seats
    full = [
        s for s in sessions if s.seats_left == 0 and s.registrations.filter(status="waitlisted")
    ]
    assert {s.program.title for s in full} >= {"智能走进生活"}
    slots = [s for s in sessions if s.program.kind == Program.Kind.APPOINTMENT]
    assert slots and {s.capacity for s in slots} == {1}
    weekly = [s for s in sessions if s.program.title == "驿心便民周周享"]
    assert len(weekly) == 4 and {s.capacity for s in weekly} == {200}
    assert len({s.start.astimezone(SHANGHAI).weekday() for s in weekly}) == 1
    for session in sessions:
        session.full_clean()
        holds = SpaceHold.objects.filter(session=session).count()
        assert holds == (session.space.units if session.space else 0)
        seated = session.registrations.filter(status__in=Registration.SEATED)
        assert session.seats_taken == sum(r.party_size for r in seated)


def test_the_cinema_lottery_was_drawn_and_the_next_takes_entries(loaded: str) -> None:
    drawn, upcoming = Session.objects.filter(program__title="9.9元乐享驿站专属影票").order_by(
        "start"
    )
    draw = LotteryDraw.objects.get()
    assert draw.session == drawn and drawn.lottery_seed == draw.seed and draw.seed
    assert draw.drawn_by.username == "admin"
    statuses = sorted(drawn.registrations.values_list("status", flat=True))
    assert statuses == ["confirmed"] * 10 + ["waitlisted"] * 2
    assert drawn.registration_closes < FIRST_RUN < drawn.start
    assert set(upcoming.registrations.values_list("status", flat=True)) == {"entered"}
    assert upcoming.registration_closes > FIRST_RUN


def test_points_paid_for_and_free_from_eighty(loaded: str) -> None:
    baking = Session.objects.filter(program__title="烘焙课程").order_by("start").first()
    paid = {
        r.member.username: r.member.points_entries.filter(kind="spend", cause_id=r.pk).count()
        for r in baking.registrations.select_related("member")
    }
    assert paid["demo_wu"] == 0  # 82: free
    assert paid["demo_zhou"] == 1
    for member in User.objects.filter(username__startswith="demo_", is_staff=False):
        assert member.points_balance >= 0
        assert member.points_balance == sum(e.delta for e in member.points_entries.all())


def test_registrations_keep_their_trail(loaded: str) -> None:
    for registration in Registration.objects.all():
        trail = list(registration.events.order_by("at", "id"))
        assert trail and trail[-1].to_status == registration.status
    resident = User.objects.get(username="resident")
    assert resident.registrations.get().session.program.title == "养生讲堂"


def test_home_visits_one_scheduled_one_waiting(loaded: str) -> None:
    scheduled, waiting = HomeVisitRequest.objects.order_by("created", "id")
    assert scheduled.status == HomeVisitRequest.Status.SCHEDULED
    assert scheduled.assignee.staff_assignments.get().center.name == "凉城新村街道社区党群服务中心"
    assert scheduled.scheduled_at > FIRST_RUN
    assert waiting.status == HomeVisitRequest.Status.REQUESTED
    assert not scheduled.assignee.has_usable_password()


def test_demo_staff_find_their_sessions_and_print_a_roster(loaded: str) -> None:
    staff = Client()
    staff.force_login(User.objects.get(username="staff"))

    with time_machine.travel(FIRST_RUN, tick=False):
        listed = staff.get("/admin/services/session/").context["cl"].result_list
        assert {s.program.center.name for s in listed} == {"静安寺街道社区党群服务中心"}
        lecture = min((s for s in listed if s.program.title == "养生讲堂"), key=lambda s: s.start)
        roster = staff.get(f"/admin/services/session/{lecture.pk}/roster/").content.decode()

    assert "张阿姨" in roster and "周阿姨" in roster


def test_volunteers_sign_up_for_roles_of_the_weekly_services(loaded: str) -> None:
    volunteers = program("驿心便民周周享·志愿者")
    assert volunteers.kind == Program.Kind.VOLUNTEER
    for service in ("理发", "扦脚", "眼镜护理", "钟表维修"):
        assert service in volunteers.description
    shifts = list(volunteers.sessions.order_by("start"))
    weekly = Session.objects.filter(program__title="驿心便民周周享").order_by("start")
    assert [s.start.date() for s in shifts] == [s.start.date() for s in weekly]
    for shift in shifts:
        roles = {r.name: r.seats for r in shift.roles.all()}
        assert roles["理发"] == 2 and roles["扦脚"] == 1
        assert shift.capacity == sum(roles.values())
    signed_up = shifts[0].registrations.select_related("role", "member")
    assert sorted((r.role.name, r.status) for r in signed_up) == [
        ("理发", "confirmed"),
        ("理发", "confirmed"),
        ("钟表维修", "confirmed"),
    ]
    haircut = shifts[0].roles.get(name="理发")
    assert haircut.seats_taken == haircut.seats == 2  # full: the next volunteer picks another


# --- The community: micro-wishes, the proposal wall, a family link -------------------------------


def test_micro_wishes_in_each_state_at_liangcheng(loaded: str, settings) -> None:
    wishes = {w.status: w for w in Wish.objects.select_related("center", "claimed_by")}

    assert set(wishes) == set(Wish.Status.values)
    assert {w.center.name for w in wishes.values()} == {"凉城新村街道社区党群服务中心"}
    by_staff = wishes[Wish.Status.SUBMITTED]
    assert by_staff.created_by.username == "admin" and by_staff.wisher.username.startswith("demo_")
    assert by_staff.events.get().action == "create_by_staff"
    assert wishes[Wish.Status.DECLINED].decline_reason
    for status in (Wish.Status.CLAIMED, Wish.Status.FULFILLED, Wish.Status.CLOSED):
        assert wishes[status].claimed_by.is_verified
    closed = wishes[Wish.Status.CLOSED]
    paid = PointsEntry.objects.filter(cause_id=closed.pk, member=closed.claimed_by)
    assert [e.delta for e in paid] == [settings.WISH_POINTS]
    assert public_wishes().count() == 4  # submitted and declined are not on the wall
    for wish in Wish.objects.all():
        wish.full_clean()
        trail = list(wish.events.order_by("at", "id"))
        assert trail[-1].to_status == wish.status


def test_the_proposal_wall_of_youyi(loaded: str) -> None:
    proposals = {p.title: p for p in Proposal.objects.select_related("center", "author")}

    assert {p.center.name for p in proposals.values()} == {"友谊路街道社区党群服务中心"}
    assert {p.status for p in proposals.values()} == {
        "received",
        "discussing",
        "adopted",
        "not_adopted",
        "hidden",
    }
    for proposal in proposals.values():
        assert proposal.supports == proposal.support_rows.count()
    bench = proposals["在小区门口加装休息长椅"]
    answers = [(e.to_status, bool(e.reply)) for e in bench.events.order_by("at", "id")]
    assert answers == [("received", False), ("discussing", True), ("adopted", True)]
    wall = list(public_proposals().order_by("-supports", "-created", "-id"))
    assert wall[0] == bench and len(wall) == 4  # the hidden one is off the wall
    assert proposals["出售二手家具"].hidden_reason
    resident = User.objects.get(username="resident")
    assert proposals["周末开放共享餐厅做亲子烘焙"].author == resident
    assert bench.support_rows.filter(member=resident).exists()


def test_the_residents_son_books_for_her(loaded: str) -> None:
    link = ProxyLink.objects.select_related("proxy", "member", "center").get()

    assert (link.member.username, link.status, link.via) == ("resident", "active", "desk")
    assert link.confirmed_by.username == "staff"
    assert link.center.name == "静安寺街道社区党群服务中心"
    assert link.proxy.is_verified and link.proxy.id_number_masked.startswith(DEMO_REGION[0])
    assert not link.proxy.has_usable_password()


def test_what_residents_ended_stays_ended(loaded: str) -> None:
    link = ProxyLink.objects.get()
    proxy_end(link=link, by=link.member)
    wish = Wish.objects.get(status=Wish.Status.PUBLISHED)
    Wish.objects.filter(pk=wish.pk).update(status=Wish.Status.CLOSED)

    loaddemo()

    assert list(ProxyLink.objects.values_list("status", flat=True)) == ["ended"]
    assert Wish.objects.get(pk=wish.pk).status == Wish.Status.CLOSED
    assert Wish.objects.count() == 6 and Proposal.objects.count() == 5


def test_demo_admin_reviews_the_wishes(loaded: str) -> None:
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))

    waiting = admin.get("/admin/community/wish/", {"status": "submitted"}).context["cl"]
    assert [w.text for w in waiting.result_list] == ["想请人周末陪我到公园走走，说说话"]
    staff = Client()
    staff.force_login(User.objects.get(username="staff"))
    assert list(staff.get("/admin/community/wish/").context["cl"].result_list) == []
