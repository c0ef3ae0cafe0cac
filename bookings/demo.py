"""Demo bookings: a few weeks of the demo centers' life, around the day ``loaddemo`` first runs.

Upcoming bookings go through the services (booking_create, booking_approve, booking_reject,
booking_cancel, booking_series_create), so they obey the spaces' rules and hold their time. The
past cannot be booked through the services (they refuse the past, as they should), so history
is written directly, with the rows the services would have left: the booking in its final
status, its audit events, and the no-show record. Everything is made once: a later run finds
the demo residents' bookings and writes nothing, nor undoes what the demo staff did since.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, BookingEvent
from bookings.services.create import booking_create
from bookings.services.lifecycle import booking_approve, booking_cancel, booking_reject
from bookings.services.series import booking_series_create
from centers.models import Center, Space
from core.codes import short_code
from core.demo import Loaded, sync
from core.errors import LinliError
from members.demo import ADMIN, RESIDENT, STAFF
from members.models import Team, User
from members.services.no_shows import no_show_record
from members.services.teams import team_create

logger = logging.getLogger(__name__)
Status = Booking.Status

JINGAN = "静安寺街道社区党群服务中心"
YOUYI = "友谊路街道社区党群服务中心"
LIHU = "长征镇丽湖居民区党群服务站"
WULIXIANG = "“邻家屋里厢”服务站"
CHOIR = "友谊路合唱团"  # made by members.demo, led by the demo resident

# Residents with no login of their own: their bookings fill the lists staff see.
NEIGHBOURS = {
    "resident_li": {"first_name": "李师傅", "neighbourhood": "丽湖居民区"},
    "resident_wang": {"first_name": "王老师", "neighbourhood": "象源丽都居民区"},
}


def _neighbour(username: str, values: dict) -> User:
    if not User.objects.filter(username=username).exists():
        User.objects.create_user(username=username, password=None, **values)
    return sync(User, {"username": username}, values)


def _space(center: str, name: str) -> Space:
    return Space.objects.select_related("center").get(center__name=center, name=name)


def _at(day: date, clock: str, tz) -> datetime:
    hours, minutes = clock.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=tz)


def _history(
    space: Space,
    member: User,
    day: date,
    span: tuple[str, str],
    status: str,
    *,
    purpose: str,
    team: Team | None = None,
    by: User | None = None,
    reason: str = "",
) -> Booking:
    """A past booking as the services and the clock jobs would have left it. Written directly:
    ``booking_create`` refuses times in the past."""
    tz = space.center.tz
    start, end = _at(day, span[0], tz), _at(day, span[1], tz)
    booked_at = start - timedelta(days=2)
    booking = Booking.objects.create(
        space=space,
        member=member,
        team=team,
        start=start,
        end=end,
        status=status,
        purpose=purpose,
        check_in_code=short_code(8),
        access_code=short_code(6) if space.uses_access_codes else None,
        cancel_until=start - timedelta(minutes=space.cancel_deadline_minutes),
        checked_in_at=start if status == Status.COMPLETED and space.requires_check_in else None,
        created_by=member,
    )
    initial = Status.PENDING if space.requires_approval else Status.CONFIRMED
    moves = [("create", "", initial, member, booked_at)]
    if initial == Status.PENDING:
        moves.append(("approve", Status.PENDING, Status.CONFIRMED, by, booked_at))
    if status == Status.COMPLETED:
        if space.requires_check_in:
            moves.append(("check_in", Status.CONFIRMED, Status.CHECKED_IN, by, start))
        moves.append(("complete", moves[-1][2], Status.COMPLETED, None, end))
    elif status == Status.NO_SHOW:
        release = start + timedelta(minutes=space.release_after_minutes)
        action = "release" if space.release_after_minutes else "no_show"
        moves.append(
            (
                action,
                Status.CONFIRMED,
                Status.NO_SHOW,
                None,
                release if action == "release" else end,
            )
        )
    elif status == Status.CANCELLED:
        moves.append(
            ("cancel_by_staff", Status.CONFIRMED, Status.CANCELLED, by, start - timedelta(days=1))
        )
    for action, before, after, actor, at in moves:
        event = BookingEvent.objects.create(
            booking=booking,
            action=action,
            from_status=before,
            to_status=after,
            actor=actor,
            reason=reason if action == "cancel_by_staff" else "",
        )
        # The trail keeps the times things happened, not the time the demo was loaded.
        BookingEvent.objects.filter(pk=event.pk).update(at=at)
    Booking.objects.filter(pk=booking.pk).update(created=booked_at)
    if status == Status.NO_SHOW:
        no_show_record(member=member, center=space.center, cause=booking, occurred_at=start)
    return booking


@transaction.atomic
def load_bookings() -> int:
    """Bookings past and upcoming for the demo resident, two neighbours and a team. Returns how
    many the demo residents have (the same on every run)."""
    neighbours = [_neighbour(username, values) for username, values in NEIGHBOURS.items()]
    resident = User.objects.get(username=RESIDENT.username)
    members = [resident, *neighbours]
    existing = Booking.objects.filter(member__in=members)
    if existing.exists():
        return existing.count()

    li, wang = neighbours
    admin = User.objects.get(username=ADMIN.username)
    staff = User.objects.get(username=STAFF.username)
    youyi = Center.objects.get(name=YOUYI)
    choir = Team.objects.filter(center=youyi, name=CHOIR).first() or team_create(
        center=youyi, name=CHOIR, leader=resident
    )

    exhibition = _space(JINGAN, "展厅")
    classroom = _space(JINGAN, "智慧党建教室")
    hall = _space(YOUYI, "学习讲堂")
    stage = _space(YOUYI, "百姓舞台")
    guoxue = _space(YOUYI, "国学讲堂")
    multi = _space(YOUYI, "多功能室")
    studio = _space(YOUYI, "谊家直播间")
    study = _space(LIHU, "阅心书斋")
    washers = _space(WULIXIANG, "公共洗衣房·洗衣机")

    today = timezone.localdate(timezone=youyi.tz)

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    # --- History: written directly (see the module's docstring) -----------------------------
    # fmt: off
    past = [
        # space, member, days from today, from, until, final status, purpose, team, staff's reason
        (stage, choir.leader, -21, "18:30", "20:30", Status.COMPLETED, "合唱团排练", choir, ""),
        (stage, choir.leader, -14, "18:30", "20:30", Status.COMPLETED, "合唱团排练", choir, ""),
        (stage, choir.leader, -7, "18:30", "20:30", Status.COMPLETED, "合唱团排练", choir, ""),
        (guoxue, resident, -6, "9:00", "11:00", Status.COMPLETED, "非遗剪纸体验", None, ""),
        (multi, li, -10, "14:00", "16:00", Status.COMPLETED, "楼组议事会", None, ""),
        (study, li, -3, "19:00", "21:00", Status.NO_SHOW, "自习", None, ""),
        (hall, wang, -5, "14:00", "16:00", Status.CANCELLED, "防诈骗讲座", None, "讲堂临时用于街道会议"),
    ]
    # fmt: on
    for space, member, offset, start, end, status, purpose, team, reason in past:
        _history(
            space, member, day(offset), (start, end), status,
            purpose=purpose, team=team, by=admin, reason=reason,
        )  # fmt: skip

    # --- Upcoming: through the services ----------------------------------------------------
    def approve(booking: Booking) -> None:
        booking_approve(booking=booking, by=staff)

    def reject(booking: Booking) -> None:
        booking_reject(booking=booking, by=staff, reason="该时段展厅布展，请改约下周")

    def cancel_own(booking: Booking) -> None:
        booking_cancel(booking=booking, by=booking.member, reason="临时有事")

    # The study room and the studio are for verified residents; the demo has no real-looking ID
    # numbers, so the front desk (``admin``) books those for the residents: staff skip member
    # rules. The classroom booking waits for the demo staff (manager at 静安寺) to approve.
    # fmt: off
    upcoming = [
        # space, member, days from today, from, until, purpose, attendees, booked by, then
        (classroom, resident, 3, "14:00", "16:00", "长者智能手机课堂", 20, None, None),
        (exhibition, li, 5, "9:30", "11:30", "楼组党员主题党日参观", 15, None, approve),
        (exhibition, wang, 6, "14:00", "16:00", "书法作品展", 30, None, reject),
        (multi, resident, 2, "10:00", "11:00", "老姐妹聚会", 1, None, cancel_own),
        (guoxue, wang, 4, "9:00", "11:00", "古琴授课", 8, None, None),
        (washers, li, 1, "8:00", "8:45", "", 1, None, None),
        (study, resident, 1, "19:00", "22:00", "自习", 1, admin, None),
        (studio, wang, 2, "15:00", "17:00", "心理健康宣讲直播", 3, admin, None),
    ]
    # fmt: on
    for space, member, offset, start, end, purpose, attendees, by, then in upcoming:
        try:
            booking = booking_create(
                member=member,
                space=space,
                start=_at(day(offset), start, space.center.tz),
                end=_at(day(offset), end, space.center.tz),
                purpose=purpose,
                attendees=attendees,
                by=by,
            )
            if then is not None:
                then(booking)
        except LinliError as error:
            # They fit the demo rules on any day; should a dated exception or a changed rule
            # ever refuse one, the demo goes on without it.
            logger.warning("demo booking at %s skipped: %s", space.name, error.code)

    # The choir's weekly rehearsal on the stage, for the next three weeks.
    first = day(7 - today.weekday() + 2)  # next week's Wednesday
    booking_series_create(
        space=stage,
        member=choir.leader,
        team=choir,
        by=admin,
        weekday_list=[2],
        start_time=time(18, 30),
        end_time=time(20, 30),
        first_date=first,
        last_date=first + timedelta(weeks=2),
        purpose="合唱团排练",
    )
    return existing.count()


def load_demo() -> Loaded:
    return Loaded(summary=f"{load_bookings()} bookings")
