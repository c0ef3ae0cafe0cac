"""Staff screens for programs, sessions, registrations and home visits.

Two centers, A and B, each with a bookable room and a health lecture. Staff act only through
the add pages, the edit page and the actions, which call the services: every change shows up
in the audit trail (registration events, booking events), and staff of A can neither see nor
touch B's rows however they ask. "Now" is 09:00 on Monday 2026-06-01 in Shanghai.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.test import Client
from django.utils.translation import gettext

from bookings.models import Booking, SpaceHold
from bookings.services.blackouts import blackout_create
from bookings.services.create import booking_create
from centers.models import Center, Space, StaffAssignment
from members.models import PointsEntry, User
from members.services.points import points_earn
from services.models import HomeVisitRequest, LotteryDraw, Program, Registration, Session
from services.services.home_visits import home_visit_request
from services.services.registration import session_register
from services.services.sessions import session_create
from tests.clients import web_client
from tests.factories import (
    BookableSpaceFactory,
    CenterFactory,
    ProgramFactory,
    UserFactory,
    staff_at,
)
from tests.helpers import SHANGHAI, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

Role = StaffAssignment.Role
Status = Registration.Status
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)  # a Monday
TOMORROW = date(2026, 6, 2)
PROGRAMS = "/admin/services/program/"
SESSIONS = "/admin/services/session/"
VISITS = "/admin/services/homevisitrequest/"
CHECK_IN = f"{SESSIONS}check-in/"
SERIES = f"{SESSIONS}series/"
APPOINTMENTS = f"{SESSIONS}appointments/"


# --- Helpers -------------------------------------------------------------------------------------


@dataclass
class Place:
    center: Center
    room: Space
    program: Program


def build_place(label: str) -> Place:
    center = CenterFactory(name=f"{label}街道社区党群服务中心")
    room = BookableSpaceFactory(center=center, name=f"{label}多功能室", capacity=40)
    program = ProgramFactory(center=center, title=f"{label}养生讲堂", partner="华东医院")
    return Place(center, room, program)


@pytest.fixture
def a() -> Place:
    return build_place("甲")


@pytest.fixture
def b() -> Place:
    return build_place("乙")


def staff_of(center: Center, role: str) -> tuple[Client, User]:
    user = staff_at(center, role)
    return web_client(user), user


@pytest.fixture
def manager(a: Place) -> tuple[Client, User]:
    return staff_of(a.center, Role.MANAGER)


def schedule(
    program: Program, by: User, *, day: date = TOMORROW, hour: int = 10, capacity: int = 10, **kw
) -> Session:
    """A two-hour session, made as staff make them."""
    start = at(day, hour)
    return session_create(
        program=program, start=start, end=start + timedelta(hours=2), capacity=capacity, by=by, **kw
    )


def member(name: str = "", phone: str | None = None, points: int = 0) -> User:
    user = UserFactory(display_name=name, phone=phone)
    if points:
        points_earn(member=user, amount=points, kind=PointsEntry.Kind.VOLUNTEER, reason="志愿服务")
    return user


def register(session: Session, who: User | None = None, **kwargs) -> Registration:
    return session_register(session=session, member=who or member(), **kwargs)


def act(client: Client, action: str, *objs, url: str = SESSIONS, **extra):
    data = {"action": action, "_selected_action": [x.pk for x in objs], "index": 0} | extra
    return client.post(url, data)


def confirm(client: Client, action: str, *objs, url: str = SESSIONS, **fields):
    """The second step of an action with its own page: what that page's form posts."""
    data = {"action": action, "_selected_action": [x.pk for x in objs], "confirm": "yes"}
    return client.post(url, data | fields)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def html(response) -> str:
    return response.content.decode()


def listed(client: Client, url: str, **query) -> list:
    return list(client.get(url, query).context["cl"].result_list)


def denied_or_missing(response) -> bool:
    if response.status_code == 302:
        return response["Location"] == "/admin/"
    return response.status_code in (403, 404)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def events(registration: Registration) -> list[tuple[str, str, str]]:
    return list(registration.events.values_list("action", "to_status", "reason"))


def split(name: str, moment: datetime) -> dict[str, str]:
    """A split date-time field as the admin's widget posts it."""
    local = moment.astimezone(SHANGHAI)
    return {f"{name}_0": f"{local:%Y-%m-%d}", f"{name}_1": f"{local:%H:%M}"}


def session_data(place: Place, start: datetime, hours: int = 2, **extra) -> dict:
    return (
        {"program": place.program.pk, "capacity": "30", "space": place.room.pk}
        | split("start", start)
        | split("end", start + timedelta(hours=hours))
        | {"staff": "", "note": "", "registration_opens_0": "", "registration_opens_1": ""}
        | {"registration_closes_0": "", "registration_closes_1": ""}
        | extra
    )


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


# --- Seeing only one's own centers ---------------------------------------------------------------


def test_staff_see_only_their_centers_programs_and_sessions(
    a: Place, b: Place, manager, superuser
) -> None:
    client, _ = manager
    own, other = schedule(a.program, superuser), schedule(b.program, superuser)
    register(other, member("乙区居民"))

    assert listed(client, PROGRAMS) == [a.program]
    assert listed(client, SESSIONS) == [own]
    for query in ({"q": b.program.title}, {"program": b.program.pk}):
        assert listed(client, SESSIONS, **query) == []
    page = client.get(SESSIONS)
    assert b.program.title not in html(page)
    programs = next(f for f in page.context["cl"].filter_specs if f.parameter_name == "program")
    assert [label for _, label in programs.lookup_choices] == [f"{a.program.title} · {a.center}"]
    # B's center is not even a filter choice for A's staff.
    assert b.center.name not in html(client.get(PROGRAMS))


@pytest.mark.parametrize(
    "url",
    [
        "{programs}{program}/change/",
        "{programs}{program}/history/",
        "{sessions}{session}/change/",
        "{sessions}{session}/history/",
        "{sessions}{session}/edit/",
        "{sessions}{session}/roster/",
        "{visits}{visit}/change/",
    ],
)
def test_another_centers_rows_cannot_be_reached_by_url(
    a: Place, b: Place, manager, superuser, url: str
) -> None:
    client, _ = manager
    other = schedule(b.program, superuser)
    register(other, member("乙区居民"))
    visits = ProgramFactory(center=b.center, title="预约上门服务", category="home_visit")
    visit = home_visit_request(
        program=visits, member=member("乙区独居老人"), address="乙路1号", preferred_time="上午"
    )
    target = url.format(
        programs=PROGRAMS,
        sessions=SESSIONS,
        visits=VISITS,
        program=b.program.pk,
        session=other.pk,
        visit=visit.pk,
    )

    response = client.get(target)

    assert denied_or_missing(response), target
    assert "乙区" not in html(client.get(target, follow=True))


def test_session_page_lists_its_registrations_read_only(a: Place, manager, superuser) -> None:
    client, _ = manager
    session = schedule(a.program, superuser, capacity=1)
    seated = register(session, member("周阿姨"))
    waiting = register(session, member("吴老伯"))

    page = client.get(f"{SESSIONS}{session.pk}/change/")

    assert page.status_code == 200
    assert 'name="_save"' not in html(page)
    rows = [form.original for form in page.context["inline_admin_formsets"][0]]
    assert rows == [seated, waiting]
    assert [(r.status, r.position) for r in rows] == [
        (Status.CONFIRMED, None),
        (Status.WAITLISTED, 1),
    ]
    assert "周阿姨" in html(page) and seated.check_in_code in html(page)
    assert f"{SESSIONS}{session.pk}/roster/" in html(page)  # the roster is linked from here
    # Nothing to edit or delete on the page itself: sessions change through the services.
    assert client.post(f"{SESSIONS}{session.pk}/change/", {"capacity": 99}).status_code == 403
    assert client.post(f"{SESSIONS}{session.pk}/delete/", {"post": "yes"}).status_code == 403
    assert fresh(session).capacity == 1


def test_session_list_queries_do_not_grow_with_rows(
    a: Place, manager, superuser, django_assert_max_num_queries
) -> None:
    client, _ = manager
    register(schedule(a.program, superuser))
    with django_assert_max_num_queries(30) as one:
        client.get(SESSIONS)
    for day in range(2, 21):
        register(schedule(a.program, superuser, day=TOMORROW + timedelta(days=day)))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(SESSIONS)
    assert page.context["cl"].result_count == 20


# --- Programs ------------------------------------------------------------------------------------


def form_data(form, **changes) -> dict:
    """What the browser posts for an admin form as it stands, with ``changes``."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is False or value is None:
            continue
        data[name] = "on" if value is True else value
    return data | changes


def test_program_page_groups_the_rules_and_a_manager_edits_them(a: Place, manager) -> None:
    client, _ = manager
    url = f"{PROGRAMS}{a.program.pk}/change/"

    page = client.get(url)
    groups = [(name, options["fields"]) for name, options in page.context["adminform"].fieldsets]
    assert [str(name) if name else None for name, _ in groups] == [
        None,
        gettext("Who may join"),
        gettext("Registration"),
    ]
    assert {"eligibility", "verification_required", "points_cost", "points_reward"} <= set(
        groups[1][1]
    )
    assert {"mode", "max_party_size", "max_per_member_per_day", "offer_hours"} <= set(groups[2][1])
    assert "free_for_elderly" in groups[1][1] and "cancel_deadline_hours" in groups[2][1]
    assert f"{SESSIONS}series/?program={a.program.pk}" in html(page)

    form = page.context["adminform"].form
    response = client.post(url, form_data(form, points_cost=10, mode="lottery"))

    assert response.status_code == 302
    program = fresh(a.program)
    assert (program.points_cost, program.mode, program.center) == (10, "lottery", a.center)
    assert "center" not in form.fields  # a program stays at its center


def test_program_add_offers_only_the_managers_centers(a: Place, b: Place, manager) -> None:
    client, _ = manager
    form = client.get(f"{PROGRAMS}add/").context["adminform"].form
    assert list(form.fields["center"].queryset) == [a.center]

    data = form_data(form, center=b.center.pk, title="法律咨询", category="legal")
    response = client.post(f"{PROGRAMS}add/", data | {"kind": "appointment"})

    assert "center" in form_errors(response)
    assert not Program.objects.filter(title="法律咨询").exists()
    client.post(f"{PROGRAMS}add/", data | {"center": a.center.pk, "kind": "appointment"})
    assert Program.objects.get(title="法律咨询").center == a.center


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.VIEWER])
def test_only_managers_change_programs(a: Place, role: str) -> None:
    client, _ = staff_of(a.center, role)
    url = f"{PROGRAMS}{a.program.pk}/change/"

    page = client.get(url)

    assert page.status_code == 200 and 'name="_save"' not in html(page)
    assert client.post(url, {"title": "改名", "points_cost": 99}).status_code == 403
    assert client.get(f"{PROGRAMS}add/").status_code == 403
    assert fresh(a.program).title == a.program.title


# --- Creating sessions ---------------------------------------------------------------------------


def test_create_a_session_through_the_service(a: Place, manager) -> None:
    client, staff = manager

    response = client.post(f"{SESSIONS}add/", session_data(a, at(TOMORROW, 9, 30), note="二楼"))

    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{SESSIONS}{session.pk}/change/"
    assert (session.program, session.space, session.capacity, session.note) == (
        a.program,
        a.room,
        30,
        "二楼",
    )
    assert (session.start, session.registration_opens) == (at(TOMORROW, 9, 30), NOW)
    assert session.registration_closes == session.start
    assert SpaceHold.objects.filter(session=session).count() == a.room.units
    assert LogEntry.objects.get().user == staff


def test_add_form_offers_the_managers_programs_and_the_programs_spaces(
    a: Place, b: Place, manager
) -> None:
    client, _ = manager
    other_room = BookableSpaceFactory(center=a.center, name="甲图书馆")

    form = client.get(f"{SESSIONS}add/").context["adminform"].form
    assert list(form.fields["program"].queryset) == [a.program]
    assert set(form.fields["space"].queryset) == {a.room, other_room}
    chosen = client.get(f"{SESSIONS}add/", {"program": a.program.pk}).context["adminform"].form
    assert chosen.initial["program"] == str(a.program.pk)

    elsewhere = client.post(f"{SESSIONS}add/", session_data(a, at(TOMORROW, 10), space=b.room.pk))
    other_program = client.post(
        f"{SESSIONS}add/", session_data(a, at(TOMORROW, 10), program=b.program.pk)
    )
    backwards = client.post(f"{SESSIONS}add/", session_data(a, at(TOMORROW, 10), hours=-1))

    assert "space" in form_errors(elsewhere)
    assert "program" in form_errors(other_program)
    assert form_errors(backwards)
    assert not Session.objects.exists()


def test_creating_a_session_over_bookings_lists_them_and_cancels_on_request(
    a: Place, manager
) -> None:
    client, staff = manager
    resident = member("李师傅")
    in_the_way = booking_create(
        member=resident, space=a.room, start=at(TOMORROW, 10), end=at(TOMORROW, 11)
    )
    outside = booking_create(
        member=member(), space=a.room, start=at(TOMORROW, 15), end=at(TOMORROW, 16)
    )
    data = session_data(a, at(TOMORROW, 9))

    first = client.post(f"{SESSIONS}add/", data)

    assert first.status_code == 200
    assert [x.pk for x in first.context["conflicts"]] == [in_the_way.pk]
    assert "cancel_conflicting" in html(first) and "李师傅" in html(first)
    assert f'name="seen_conflict" value="{in_the_way.pk}"' in html(first)
    assert not Session.objects.exists()
    # Saving again without ticking the box changes nothing either.
    assert client.post(f"{SESSIONS}add/", data).status_code == 200
    assert not Session.objects.exists()

    done = client.post(
        f"{SESSIONS}add/",
        data
        | {
            "cancel_conflicting": "on",
            "cancel_reason": "讲堂用于养生讲座，请改约",
            "seen_conflict": [in_the_way.pk],
        },
    )

    assert done.status_code == 302
    session = Session.objects.get()
    assert fresh(in_the_way).status == Booking.Status.CANCELLED
    last = in_the_way.events.last()
    assert (last.action, last.reason, last.actor) == (
        "cancel_by_staff",
        "讲堂用于养生讲座，请改约",
        staff,
    )
    assert fresh(outside).status == Booking.Status.CONFIRMED
    assert SpaceHold.objects.filter(session=session).exists()
    assert any("1" in m for m in messages_of(done))


def test_the_bookings_in_the_way_are_shown_again_when_they_changed(a: Place, manager) -> None:
    client, _ = manager
    seen = booking_create(
        member=member(), space=a.room, start=at(TOMORROW, 10), end=at(TOMORROW, 11)
    )
    data = session_data(a, at(TOMORROW, 9))
    client.post(f"{SESSIONS}add/", data)
    newcomer = booking_create(  # booked while staff were deciding
        member=member(), space=a.room, start=at(TOMORROW, 9), end=at(TOMORROW, 10)
    )

    response = client.post(
        f"{SESSIONS}add/", data | {"cancel_conflicting": "on", "seen_conflict": [seen.pk]}
    )

    assert {x.pk for x in response.context["conflicts"]} == {seen.pk, newcomer.pk}
    assert not Session.objects.exists()
    assert {fresh(seen).status, fresh(newcomer).status} == {Booking.Status.CONFIRMED}


def test_a_blackout_in_the_way_is_an_error_without_the_box(a: Place, manager, superuser) -> None:
    client, _ = manager
    blackout_create(
        space=a.room, start=at(TOMORROW, 9), end=at(TOMORROW, 12), reason="消防检查", by=superuser
    )

    response = client.post(f"{SESSIONS}add/", session_data(a, at(TOMORROW, 10)))

    assert "space" in form_errors(response)
    assert not response.context.get("conflicts")
    assert not Session.objects.exists()


def test_weekly_series_reports_created_and_skipped_dates(a: Place, manager) -> None:
    client, _ = manager
    booked = booking_create(
        member=member(), space=a.room, start=at(date(2026, 6, 4), 14), end=at(date(2026, 6, 4), 15)
    )
    data = {
        "program": a.program.pk,
        "weekdays": ["1", "3"],  # Tuesdays and Thursdays
        "start_time": "14:00",
        "end_time": "16:00",
        "first_date": "2026-06-02",
        "last_date": "2026-06-11",
        "skip_dates": "2026-06-09\n",
        "capacity": "20",
        "space": a.room.pk,
    }

    page = client.get(SERIES, {"program": a.program.pk})
    wrong = client.post(SERIES, data | {"skip_dates": "2026-06-09 端午"})
    # Every date with what is in its way is shown first; nothing is saved yet.
    plan = client.post(SERIES, data)
    assert [p.skipped for p in plan.context["plans"]] == ["", "", "skipped", ""]
    assert plan.context["plans"][1].bookings == [booked]
    assert not Session.objects.exists()
    confirmed = data | {"confirm": "yes", "seen_booking": [booked.pk]}
    response = client.post(SERIES, confirmed, follow=True)

    assert page.status_code == 200 and "weekdays" in page.context["adminform"].form.fields
    assert "skip_dates" in form_errors(wrong)
    days = sorted(s.start.astimezone(SHANGHAI).date() for s in Session.objects.all())
    assert days == [date(2026, 6, 2), date(2026, 6, 11)]
    assert {s.capacity for s in Session.objects.all()} == {20}
    assert response.redirect_chain[-1][0] == f"{SESSIONS}?program={a.program.pk}"
    texts = messages_of(response)
    assert any("2" in m for m in texts)
    assert any("2026-06-04" in m and "2026-06-09" in m for m in texts)


def test_appointment_slots_for_appointment_programs(a: Place, b: Place, manager) -> None:
    client, staff = manager
    legal = ProgramFactory(center=a.center, title="法律咨询", category="legal", kind="appointment")
    other_staff = staff_at(b.center)
    data = {"program": legal.pk, "slot_minutes": "30", "staff": staff.pk, "space": ""}
    data |= split("start", at(TOMORROW, 14)) | split("end", at(TOMORROW, 16))

    form = client.get(APPOINTMENTS).context["adminform"].form
    assert list(form.fields["program"].queryset) == [legal]  # group programs have no slots
    assert other_staff not in form.fields["staff"].queryset
    group = client.post(APPOINTMENTS, data | {"program": a.program.pk})
    outsider = client.post(APPOINTMENTS, data | {"staff": other_staff.pk})
    assert "program" in form_errors(group) and "staff" in form_errors(outsider)

    response = client.post(APPOINTMENTS, data)

    assert response.status_code == 302
    slots = list(Session.objects.order_by("start"))
    assert [s.start for s in slots] == [at(TOMORROW, 14, m) for m in (0, 30)] + [
        at(TOMORROW, 15, m) for m in (0, 30)
    ]
    assert {(s.program, s.capacity, s.staff) for s in slots} == {(legal, 1, staff)}


# --- Changing sessions ---------------------------------------------------------------------------


def test_more_seats_go_to_the_waitlist_and_fewer_than_taken_is_refused(
    a: Place, manager, superuser
) -> None:
    client, _ = manager
    session = schedule(a.program, superuser, capacity=1)
    seated, waiting = register(session), register(session)
    url = f"{SESSIONS}{session.pk}/edit/"
    form = client.get(url).context["adminform"].form
    assert form.initial["capacity"] == 1

    keep = split("start", session.start) | split("end", session.end)
    more = client.post(url, keep | {"capacity": "2", "note": "加座"})

    assert more.status_code == 302 and more["Location"] == f"{SESSIONS}{session.pk}/change/"
    assert (fresh(session).capacity, fresh(session).note) == (2, "加座")
    assert fresh(waiting).status == Status.OFFERED
    assert events(waiting)[-1][:2] == ("offer", Status.OFFERED)

    fewer = client.post(url, keep | {"capacity": "1", "note": "加座"})
    assert "capacity" in form_errors(fewer)
    assert fresh(session).capacity == 2
    assert fresh(seated).status == Status.CONFIRMED


def test_moving_a_session_moves_its_hold_of_the_space(a: Place, manager) -> None:
    client, staff = manager
    session = schedule(a.program, staff, space=a.room)
    booking_create(member=member(), space=a.room, start=at(TOMORROW, 16), end=at(TOMORROW, 17))
    url = f"{SESSIONS}{session.pk}/edit/"

    later = client.post(
        url, split("start", at(TOMORROW, 13)) | split("end", at(TOMORROW, 15)) | {"capacity": "10"}
    )
    onto_booking = client.post(
        url, split("start", at(TOMORROW, 15)) | split("end", at(TOMORROW, 17)) | {"capacity": "10"}
    )

    assert later.status_code == 302
    assert fresh(session).start == at(TOMORROW, 13)
    assert {h.start for h in SpaceHold.objects.filter(session=session)} == {at(TOMORROW, 13)}
    assert onto_booking.status_code == 200 and form_errors(onto_booking)
    assert fresh(session).start == at(TOMORROW, 13)


def test_cancel_with_a_reason_cancels_registrations_and_refunds(
    a: Place, manager, superuser
) -> None:
    client, staff = manager
    a.program.points_cost = 5
    a.program.save()
    session = schedule(a.program, superuser, space=a.room)
    resident = member(points=20)
    registration = register(session, resident)
    assert fresh(resident).points_balance == 15

    page = act(client, "cancel_sessions", session)
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    no_reason = confirm(client, "cancel_sessions", session, reason=" ")
    assert no_reason.context["form"].errors
    assert fresh(session).status == Session.Status.SCHEDULED

    done = confirm(client, "cancel_sessions", session, reason="讲师临时有事，改期另行通知")

    assert done.status_code == 302
    assert fresh(session).status == Session.Status.CANCELLED
    assert fresh(registration).status == Status.CANCELLED
    assert events(registration)[-1] == (
        "session_cancelled",
        Status.CANCELLED,
        "讲师临时有事，改期另行通知",
    )
    assert registration.events.last().actor == staff
    assert fresh(resident).points_balance == 20
    assert not SpaceHold.objects.filter(session=session).exists()


def test_draw_the_lottery_shows_the_seed(a: Place, manager, superuser, clock) -> None:
    client, staff = manager
    cinema = ProgramFactory(center=a.center, title="9.9元电影", category="cinema", mode="lottery")
    session = schedule(
        cinema, superuser, day=date(2026, 6, 5), capacity=2, registration_closes=at(TOMORROW, 12)
    )
    entries = [register(session) for _ in range(3)]
    page_url = f"{SESSIONS}{session.pk}/change/"
    assert "draw_lottery" not in dict(client.get(page_url).context["object_actions"])

    clock.move_to(at(TOMORROW, 12, 5))
    assert "draw_lottery" in dict(client.get(page_url).context["object_actions"])
    response = act(client, "draw_lottery", session, next=page_url)

    draw = LotteryDraw.objects.get(session=session)
    assert response["Location"] == page_url
    assert draw.drawn_by == staff
    assert any(draw.seed in m for m in messages_of(response))
    statuses = sorted(fresh(r).status for r in entries)
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]
    page = client.get(page_url)
    assert draw.seed in html(page)
    assert "draw_lottery" not in dict(page.context["object_actions"])
    again = act(client, "draw_lottery", session)
    assert LotteryDraw.objects.count() == 1 and messages_of(again)


# --- The roster and the check-in desk ------------------------------------------------------------


def test_roster_prints_the_confirmed_members_only(a: Place, manager, superuser) -> None:
    client, _ = manager
    session = schedule(a.program, superuser, capacity=3, space=a.room)
    zhou = register(session, member("周阿姨", phone="+8613812345678"), party_size=1)
    a.program.max_party_size = 2
    a.program.save()
    qian = register(fresh(session), member("钱老师"), party_size=2)
    wu = register(session, member("吴老伯", phone="+8613900001111"))
    assert fresh(wu).status == Status.WAITLISTED

    response = client.get(f"{SESSIONS}{session.pk}/roster/")

    page = html(response)
    assert response.status_code == 200
    assert a.program.title in page and a.room.name in page and "10:00" in page
    assert "周阿姨" in page and "钱老师" in page
    assert zhou.check_in_code in page and qian.check_in_code in page
    assert "138****5678" in page and "13812345678" not in page
    assert "吴老伯" not in page and wu.check_in_code not in page
    assert "@media print" in page
    assert [row["party_size"] for row in response.context["rows"]] == [1, 2]


def test_check_in_by_code_at_the_desk(a: Place, b: Place, superuser, clock) -> None:
    client, desk = staff_of(a.center, Role.FRONT_DESK)
    a.program.points_reward = 2
    a.program.save()
    own = register(schedule(a.program, superuser), member("周阿姨"))
    other = register(schedule(b.program, superuser))
    clock.move_to(at(TOMORROW, 9, 45))

    assert CHECK_IN in html(client.get(SESSIONS))
    form = client.get(CHECK_IN)
    assert form.status_code == 200 and "code" in form.context["form"].fields
    wrong = client.post(CHECK_IN, {"code": "00000000"})
    elsewhere = client.post(CHECK_IN, {"code": other.check_in_code})
    assert wrong.context["form"].errors["code"] and elsewhere.context["form"].errors["code"]
    assert fresh(other).status == Status.CONFIRMED

    done = client.post(CHECK_IN, {"code": f" {own.check_in_code} "})

    assert done.context["registration"].pk == own.pk and "周阿姨" in html(done)
    assert fresh(own).status == Status.CHECKED_IN
    assert events(own)[-1][:2] == ("check_in", Status.CHECKED_IN)
    assert own.events.last().actor == desk
    assert own.member.points_entries.get().delta == 2
    again = client.post(CHECK_IN, {"code": own.check_in_code})
    assert again.context["form"].errors["code"]


# --- Home visits ---------------------------------------------------------------------------------


def test_schedule_a_home_visit_with_a_staff_member_of_the_center(
    a: Place, b: Place, manager
) -> None:
    client, _ = manager
    social_worker = staff_at(a.center, Role.FRONT_DESK)
    outsider = staff_at(b.center)
    visits = ProgramFactory(center=a.center, title="预约上门服务", category="home_visit")
    other_visits = ProgramFactory(center=b.center, title="预约上门服务", category="home_visit")
    elder = member("独居的秦阿婆")
    visit = home_visit_request(
        program=visits, member=elder, address="甲路12弄3号", preferred_time="周三上午"
    )
    other = home_visit_request(
        program=other_visits, member=member(), address="乙路1号", preferred_time="上午"
    )
    when = split("when", at(date(2026, 6, 3), 9, 30))

    assert listed(client, VISITS) == [visit]
    page = act(client, "schedule", visit, url=VISITS)
    assert page.status_code == 200
    assert set(page.context["form"].fields["assignee"].queryset) >= {social_worker}
    assert outsider not in page.context["form"].fields["assignee"].queryset
    refused = confirm(client, "schedule", visit, url=VISITS, assignee=outsider.pk, **when)
    assert refused.context["form"].errors["assignee"]

    done = confirm(client, "schedule", visit, other, url=VISITS, assignee=social_worker.pk, **when)

    assert done.status_code == 302
    visit = fresh(visit)
    assert (visit.status, visit.assignee, visit.scheduled_at) == (
        HomeVisitRequest.Status.SCHEDULED,
        social_worker,
        at(date(2026, 6, 3), 9, 30),
    )
    assert fresh(other).status == HomeVisitRequest.Status.REQUESTED


# --- Roles ---------------------------------------------------------------------------------------

ROLE_ACTIONS = {
    Role.MANAGER: {"cancel_sessions", "draw_lottery"},
    Role.FRONT_DESK: set(),
    Role.VIEWER: set(),
}


@pytest.mark.parametrize("role", list(ROLE_ACTIONS))
def test_role_table(a: Place, role: str, superuser) -> None:
    client, _ = staff_of(a.center, role)
    session = schedule(a.program, superuser)
    registration = register(session)
    manages = role == Role.MANAGER

    page = client.get(SESSIONS)
    action_form = page.context["action_form"]
    offered = {n for n, _ in action_form.fields["action"].choices if n} if action_form else set()
    assert offered == ROLE_ACTIONS[role]
    assert (CHECK_IN in html(page)) == (role != Role.VIEWER)
    assert (SERIES in html(page)) == manages
    for url in (f"{SESSIONS}add/", SERIES, APPOINTMENTS, f"{SESSIONS}{session.pk}/edit/"):
        assert client.get(url).status_code == (200 if manages else 403), url
    assert client.get(CHECK_IN).status_code == (403 if role == Role.VIEWER else 200)
    assert client.get(f"{SESSIONS}{session.pk}/roster/").status_code == 200
    session_page = client.get(f"{SESSIONS}{session.pk}/change/")
    assert bool(session_page.context["object_actions"]) == manages

    confirm(client, "cancel_sessions", session, reason="测试")
    client.post(f"{SESSIONS}{session.pk}/edit/", {"capacity": "50"})

    expected = Session.Status.CANCELLED if manages else Session.Status.SCHEDULED
    assert fresh(session).status == expected
    assert fresh(session).capacity == 10
    assert (fresh(registration).status == Status.CANCELLED) == manages
