"""Staff screens for bookings, blackouts and recurring bookings.

Two centers, A and B, each with a meeting room that needs approval. Staff act only through the
actions and add pages, which call the services: every change shows up in the audit trail, and
staff of A can neither see nor touch B's rows however they ask.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from bookings.admin.bookings import EVENT_LABELS
from bookings.errors import SlotTaken
from bookings.models import Blackout, Booking, BookingSeries, SpaceHold
from bookings.services.blackouts import blackout_create
from bookings.services.create import booking_create
from bookings.services.lifecycle import booking_approve
from bookings.services.series import booking_series_create
from centers.models import Center, Space, StaffAssignment
from members.models import User
from tests.clients import web_client
from tests.factories import (
    CenterFactory,
    OpeningRuleFactory,
    SpaceFactory,
    StaffAssignmentFactory,
    TeamFactory,
    UserFactory,
    staff_at,
)
from tests.helpers import SHANGHAI, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

Role = StaffAssignment.Role
Status = Booking.Status
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)  # a Monday
TOMORROW = date(2026, 6, 2)
BOOKINGS = "/admin/bookings/booking/"
BLACKOUTS = "/admin/bookings/blackout/"
SERIES = "/admin/bookings/bookingseries/"
CHECK_IN = "/admin/bookings/booking/check-in/"


# --- Helpers -------------------------------------------------------------------------------------


@dataclass
class Place:
    center: Center
    room: Space
    member: User


def build_place(label: str) -> Place:
    center = CenterFactory(name=f"{label}街道社区党群服务中心")
    OpeningRuleFactory(center=center, opens=time(8), closes=time(21))
    room = SpaceFactory(
        center=center,
        name=f"{label}多功能室",
        requires_approval=True,
        max_minutes=240,
        max_active_per_member=5,
        max_days_ahead=30,
    )
    return Place(center, room, UserFactory(username=f"resident_{label}", phone=None))


@pytest.fixture
def a() -> Place:
    return build_place("甲")


@pytest.fixture
def b() -> Place:
    return build_place("乙")


def book(place: Place, hour: int = 10, day: date = TOMORROW, **kwargs) -> Booking:
    """A member's own booking of the room (pending: the room needs approval)."""
    kwargs.setdefault("member", place.member)
    return booking_create(
        space=place.room, start=at(day, hour), end=at(day, hour + 1), purpose="排练", **kwargs
    )


def staff_of(center: Center, role: str) -> tuple[Client, User]:
    user = staff_at(center, role)
    return web_client(user), user


@pytest.fixture
def manager(a: Place) -> tuple[Client, User]:
    return staff_of(a.center, Role.MANAGER)


def act(client: Client, action: str, *bookings, url: str = BOOKINGS, **extra):
    data = {"action": action, "_selected_action": [x.pk for x in bookings], "index": 0} | extra
    return client.post(url, data)


def confirm(client: Client, action: str, *objs, reason: str, url: str = BOOKINGS, **extra):
    """The second step of an action with a reason page: what its form posts."""
    data = {"action": action, "_selected_action": [x.pk for x in objs], "confirm": "yes"}
    return client.post(url, data | {"reason": reason} | extra)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def events(booking: Booking) -> list[tuple[str, str, str]]:
    return list(booking.events.values_list("action", "to_status", "reason"))


def status(booking: Booking) -> str:
    booking.refresh_from_db()
    return booking.status


def html(response) -> str:
    return response.content.decode()


def denied_or_missing(response) -> bool:
    if response.status_code == 302:
        return response["Location"] == "/admin/"
    return response.status_code in (403, 404)


# --- Seeing bookings -----------------------------------------------------------------------------


def test_staff_see_only_their_centers_bookings(a: Place, b: Place, manager) -> None:
    client, _ = manager
    own, other = book(a), book(b)

    page = client.get(BOOKINGS)
    by_username = client.get(BOOKINGS, {"q": b.member.username})
    by_code = client.get(BOOKINGS, {"q": other.check_in_code})
    by_space = client.get(BOOKINGS, {"space": b.room.pk})

    assert [x.pk for x in page.context["cl"].result_list] == [own.pk]
    assert b.room.name not in html(page)
    for response in (by_username, by_code, by_space):
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []
    # The space filter offers the staff member's own spaces only.
    spaces = next(f for f in page.context["cl"].filter_specs if f.parameter_name == "space")
    assert [label for _, label in spaces.lookup_choices] == [str(a.room)]


def test_search_by_member_phone_and_code(a: Place, manager) -> None:
    client, _ = manager
    a.member.phone = "+8613812345678"
    a.member.save()
    booking, other = book(a), book(a, member=UserFactory(), hour=14)

    for query in ("13812345678", booking.check_in_code, a.member.username):
        found = client.get(BOOKINGS, {"q": query}).context["cl"].result_list
        assert [x.pk for x in found] == [booking.pk], query
    assert other.pk not in [
        x.pk for x in client.get(BOOKINGS, {"q": "1381234"}).context["cl"].result_list
    ]


def test_today_and_this_week_filter(a: Place, manager, clock) -> None:
    client, _ = manager
    today = book(a, day=NOW.date(), hour=15)
    later_this_week = book(a, day=date(2026, 6, 7), hour=10)  # Sunday
    next_week = book(a, day=date(2026, 6, 8), hour=10)

    def listed(when: str) -> set[int]:
        return {x.pk for x in client.get(BOOKINGS, {"when": when}).context["cl"].result_list}

    assert listed("today") == {today.pk}
    assert listed("week") == {today.pk, later_this_week.pk}
    assert listed("upcoming") == {today.pk, later_this_week.pk, next_week.pk}
    assert (
        client.get(BOOKINGS, {"start__day": 7, "start__month": 6, "start__year": 2026})
        .context["cl"]
        .result_count
        == 1
    )


def test_booking_list_queries_do_not_grow_with_rows(
    a: Place, manager, django_assert_max_num_queries
) -> None:
    client, _ = manager
    book(a)
    with django_assert_max_num_queries(30) as one:
        client.get(BOOKINGS)
    for hour in range(11, 20):
        book(a, hour=hour, member=UserFactory())
        book(a, hour=hour, member=UserFactory(), day=TOMORROW + timedelta(days=1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(BOOKINGS)
    assert page.context["cl"].result_count == 19


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_another_centers_booking_cannot_be_reached_by_url(
    a: Place, b: Place, manager, page: str
) -> None:
    client, _ = manager
    other = book(b)

    response = client.get(f"{BOOKINGS}{other.pk}/{page}/")

    assert denied_or_missing(response)
    assert b.member.username not in html(client.get(f"{BOOKINGS}{other.pk}/{page}/", follow=True))


def test_booking_page_is_read_only_with_its_audit_trail(a: Place, manager) -> None:
    client, _ = manager
    booking = book(a)
    act(client, "approve", booking)

    page = client.get(f"{BOOKINGS}{booking.pk}/change/")

    assert page.status_code == 200
    assert 'name="_save"' not in html(page)
    assert page.context["adminform"].form.fields == {}  # every field read-only
    trail = page.context["inline_admin_formsets"][0]
    assert [form.original.action for form in trail] == ["create", "approve"]
    assert str(EVENT_LABELS["approve"]) in html(page)
    # Nothing to add or edit: bookings are made by members, changed by the actions.
    assert client.get(f"{BOOKINGS}add/").status_code == 403
    assert (
        client.post(f"{BOOKINGS}{booking.pk}/change/", {"status": "cancelled"}).status_code == 403
    )
    assert status(booking) == Status.CONFIRMED


# --- Actions -------------------------------------------------------------------------------------


def test_approve_confirms_and_writes_the_event(a: Place, manager) -> None:
    client, staff = manager
    booking = book(a)

    response = act(client, "approve", booking)

    assert response.status_code == 302
    assert status(booking) == Status.CONFIRMED
    assert events(booking)[-1] == ("approve", Status.CONFIRMED, "")
    assert booking.events.last().actor == staff
    assert any("1" in m for m in messages_of(response))


def test_reject_asks_for_a_reason_first(a: Place, manager) -> None:
    client, _ = manager
    booking = book(a)

    first = act(client, "reject", booking)
    assert first.status_code == 200
    assert "reason" in first.context["form"].fields
    assert status(booking) == Status.PENDING

    without_reason = confirm(client, "reject", booking, reason="  ")
    assert without_reason.status_code == 200
    assert without_reason.context["form"].errors
    assert status(booking) == Status.PENDING

    done = confirm(client, "reject", booking, reason="该时段已安排党课")
    assert done.status_code == 302
    assert status(booking) == Status.REJECTED
    assert events(booking)[-1] == ("reject", Status.REJECTED, "该时段已安排党课")


def test_cancel_by_staff_with_a_reason_frees_the_time(a: Place, manager) -> None:
    client, staff = manager
    booking = book(a)
    act(client, "approve", booking)

    confirm(client, "cancel", booking, reason="设备检修")

    assert status(booking) == Status.CANCELLED
    assert events(booking)[-1] == ("cancel_by_staff", Status.CANCELLED, "设备检修")
    assert booking.events.last().actor == staff
    assert not SpaceHold.objects.filter(booking=booking).exists()
    assert book(a, member=UserFactory()).status == Status.PENDING  # the hour is free again


def test_check_in_action_uses_the_bookings_own_code(a: Place, manager, clock) -> None:
    client, staff = manager
    booking = book(a)
    act(client, "approve", booking)

    too_early = act(client, "check_in", booking)
    assert status(booking) == Status.CONFIRMED
    assert any("签到" in m or "Check-in" in m for m in messages_of(too_early))

    clock.move_to(at(TOMORROW, 9, 50))
    act(client, "check_in", booking)

    assert status(booking) == Status.CHECKED_IN
    assert booking.checked_in_at == at(TOMORROW, 9, 50)
    assert events(booking)[-1][:2] == ("check_in", Status.CHECKED_IN)
    assert booking.events.last().actor == staff


def test_an_action_that_does_not_fit_the_state_reports_and_changes_nothing(
    a: Place, manager
) -> None:
    client, _ = manager
    pending, confirmed = book(a), book(a, hour=14, member=UserFactory())
    act(client, "approve", confirmed)

    response = act(client, "approve", pending, confirmed)

    assert status(pending) == Status.CONFIRMED
    assert [e[0] for e in events(confirmed)] == ["create", "approve"]
    *_, error, success = messages_of(response)
    assert error.startswith(f"#{confirmed.pk} ") and "14:00" in error  # local time
    assert "1" in success


def test_actions_cannot_reach_another_centers_bookings(a: Place, b: Place, manager) -> None:
    client, _ = manager
    other = book(b)

    act(client, "approve", other)
    confirm(client, "reject", other, reason="x")
    confirm(client, "cancel", other, reason="x")

    assert status(other) == Status.PENDING
    assert [e[0] for e in events(other)] == ["create"]


def test_action_buttons_on_the_booking_page_come_back_to_it(a: Place, manager) -> None:
    client, _ = manager
    booking = book(a)
    url = f"{BOOKINGS}{booking.pk}/change/"

    page = client.get(url)
    assert [name for name, _ in page.context["object_actions"]] == ["approve", "reject", "cancel"]

    response = client.post(
        BOOKINGS, {"action": "approve", "_selected_action": booking.pk, "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    assert status(booking) == Status.CONFIRMED
    assert [n for n, _ in client.get(url).context["object_actions"]] == ["cancel", "check_in"]


ROLE_ACTIONS = {
    Role.MANAGER: {"approve", "reject", "cancel", "check_in"},
    Role.FRONT_DESK: {"approve", "reject", "cancel", "check_in"},
    Role.VIEWER: set(),
}


@pytest.mark.parametrize("role", list(ROLE_ACTIONS))
def test_role_table(a: Place, role: str, clock) -> None:
    client, _ = staff_of(a.center, role)
    booking = book(a)

    page = client.get(BOOKINGS)
    action_form = page.context["action_form"]
    offered = {n for n, _ in action_form.fields["action"].choices if n} if action_form else set()
    assert offered == ROLE_ACTIONS[role]
    assert ("check-in/" in html(page)) == (role != Role.VIEWER)

    act(client, "approve", booking)
    expected = Status.CONFIRMED if "approve" in ROLE_ACTIONS[role] else Status.PENDING
    assert status(booking) == expected

    clock.move_to(at(TOMORROW, 9, 50))
    if expected == Status.PENDING:  # let the viewer try the other actions on a live booking
        booking_approve(booking=booking, by=UserFactory(is_superuser=True, is_staff=True))
    act(client, "check_in", booking)
    confirm(client, "cancel", booking, reason="测试")
    if role == Role.VIEWER:
        assert status(booking) == Status.CONFIRMED
        assert client.get(CHECK_IN).status_code == 403
        assert client.get(f"{BOOKINGS}{booking.pk}/change/").context["object_actions"] == []
    else:
        assert status(booking) == Status.CANCELLED
        assert [e[0] for e in events(booking)][-2:] == ["check_in", "cancel_by_staff"]


def test_role_is_per_center(a: Place, b: Place) -> None:
    """Front desk at A and viewer at B: sees both, acts only on A's."""
    client, user = staff_of(a.center, Role.FRONT_DESK)
    StaffAssignmentFactory(user=user, center=b.center, role=Role.VIEWER)
    own, other = book(a), book(b)

    assert {x.pk for x in client.get(BOOKINGS).context["cl"].result_list} == {own.pk, other.pk}
    response = act(client, "approve", own, other)

    assert (status(own), status(other)) == (Status.CONFIRMED, Status.PENDING)
    assert any(b.room.name in m for m in messages_of(response))


# --- The check-in desk ---------------------------------------------------------------------------


def test_check_in_by_code(a: Place, b: Place, clock) -> None:
    client, staff = staff_of(a.center, Role.FRONT_DESK)
    booking, other = book(a), book(b)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    for x in (booking, other):
        booking_approve(booking=x, by=superuser)
    clock.move_to(at(TOMORROW, 9, 55))

    assert client.get(BOOKINGS).status_code == 200 and CHECK_IN in html(client.get(BOOKINGS))
    form = client.get(CHECK_IN)
    assert form.status_code == 200 and "code" in form.context["form"].fields

    wrong = client.post(CHECK_IN, {"code": "00000000"})
    assert wrong.context["form"].errors["code"]
    elsewhere = client.post(CHECK_IN, {"code": other.check_in_code})  # B's member, at A's desk
    assert elsewhere.context["form"].errors["code"]
    assert status(other) == Status.CONFIRMED

    done = client.post(CHECK_IN, {"code": f" {booking.check_in_code} "})
    assert done.status_code == 200
    assert done.context["booking"].pk == booking.pk
    assert a.member.username in html(done) or str(a.member) in html(done)
    assert status(booking) == Status.CHECKED_IN
    assert booking.events.last().actor == staff

    again = client.post(CHECK_IN, {"code": booking.check_in_code})
    assert again.context["form"].errors["code"]


# --- Blackouts -----------------------------------------------------------------------------------


def blackout_data(place: Place, **extra) -> dict:
    return {
        "space": place.room.pk,
        "start_0": "2026-06-02",
        "start_1": "09:00",
        "end_0": "2026-06-02",
        "end_1": "12:00",
        "repeat_weekly_until": "",
        "reason": "消防检查",
    } | extra


def test_blackout_on_free_time_is_created_through_the_service(a: Place, manager) -> None:
    client, staff = manager

    response = client.post(f"{BLACKOUTS}add/", blackout_data(a, repeat_weekly_until="2026-06-16"))

    assert response.status_code == 302
    blackout = Blackout.objects.get()
    assert (blackout.space, blackout.start, blackout.created_by) == (a.room, at(TOMORROW, 9), staff)
    assert SpaceHold.objects.filter(blackout=blackout).count() == 3  # three weeks, one unit
    with pytest.raises(SlotTaken):
        book(a, day=date(2026, 6, 16))


def test_blackout_conflict_flow(a: Place, manager) -> None:
    client, staff = manager
    in_the_way = book(a, hour=10)
    also = book(a, hour=11, member=UserFactory())
    outside = book(a, hour=14, member=UserFactory())

    first = client.post(f"{BLACKOUTS}add/", blackout_data(a))

    assert first.status_code == 200
    assert {x.pk for x in first.context["conflicts"]} == {in_the_way.pk, also.pk}
    assert "cancel_conflicting" in html(first)
    assert f'name="seen_conflict" value="{in_the_way.pk}"' in html(first)
    assert not Blackout.objects.exists()
    assert status(in_the_way) == status(also) == Status.PENDING

    # Saving again without the box changes nothing either.
    again = client.post(f"{BLACKOUTS}add/", blackout_data(a))
    assert again.status_code == 200 and not Blackout.objects.exists()

    seen = [in_the_way.pk, also.pk]
    done = client.post(
        f"{BLACKOUTS}add/",
        blackout_data(
            a, cancel_conflicting="on", cancel_reason="消防检查，请改约", seen_conflict=seen
        ),
    )

    assert done.status_code == 302
    assert Blackout.objects.count() == 1
    for booking in (in_the_way, also):
        assert status(booking) == Status.CANCELLED
        assert events(booking)[-1] == ("cancel_by_staff", Status.CANCELLED, "消防检查，请改约")
        assert booking.events.last().actor == staff
    assert status(outside) == Status.PENDING
    with pytest.raises(SlotTaken):
        book(a, hour=10, member=UserFactory())


def test_blackout_shows_the_list_again_when_it_changed(a: Place, manager) -> None:
    client, _ = manager
    seen = book(a, hour=10)
    client.post(f"{BLACKOUTS}add/", blackout_data(a))
    newcomer = book(a, hour=11, member=UserFactory())  # booked while staff were deciding

    response = client.post(
        f"{BLACKOUTS}add/", blackout_data(a, cancel_conflicting="on", seen_conflict=[seen.pk])
    )

    assert response.status_code == 200
    assert {x.pk for x in response.context["conflicts"]} == {seen.pk, newcomer.pk}
    assert not Blackout.objects.exists()
    assert status(seen) == status(newcomer) == Status.PENDING


def test_blackout_service_errors_show_on_the_form(a: Place, manager) -> None:
    client, _ = manager

    backwards = client.post(f"{BLACKOUTS}add/", blackout_data(a, end_1="08:00"))
    no_reason = client.post(f"{BLACKOUTS}add/", blackout_data(a, reason=" "))

    assert backwards.status_code == 200 and backwards.context["adminform"].form.errors
    assert no_reason.status_code == 200 and no_reason.context["adminform"].form.errors
    assert not Blackout.objects.exists()


def test_blackout_spaces_are_those_the_staff_manage(a: Place, b: Place) -> None:
    client, user = staff_of(a.center, Role.FRONT_DESK)
    StaffAssignmentFactory(user=user, center=b.center, role=Role.VIEWER)

    form = client.get(f"{BLACKOUTS}add/").context["adminform"].form
    assert list(form.fields["space"].queryset) == [a.room]

    response = client.post(f"{BLACKOUTS}add/", blackout_data(b))
    assert "space" in response.context["adminform"].form.errors
    assert not Blackout.objects.exists()

    viewer, _ = staff_of(a.center, Role.VIEWER)
    assert viewer.get(f"{BLACKOUTS}add/").status_code == 403
    assert viewer.post(f"{BLACKOUTS}add/", blackout_data(a)).status_code == 403


def test_blackout_delete_goes_through_the_service(a: Place, b: Place, manager) -> None:
    client, staff = manager
    own, _ = blackout_create(
        space=a.room, start=at(TOMORROW, 9), end=at(TOMORROW, 10), reason="检修", by=staff
    )
    superuser = UserFactory(is_superuser=True, is_staff=True)
    other, _ = blackout_create(
        space=b.room, start=at(TOMORROW, 9), end=at(TOMORROW, 10), reason="检修", by=superuser
    )

    assert denied_or_missing(client.post(f"{BLACKOUTS}{other.pk}/delete/", {"post": "yes"}))
    response = client.post(f"{BLACKOUTS}{own.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert list(Blackout.objects.all()) == [other]
    assert not SpaceHold.objects.filter(space=a.room).exists()
    assert book(a, hour=9).status == Status.PENDING


# --- Recurring bookings --------------------------------------------------------------------------


def series_data(place: Place, member: User, **extra) -> dict:
    return {
        "space": place.room.pk,
        "member": member.username,
        "team": "",
        "weekdays": ["1", "3"],  # Tuesdays and Thursdays
        "start_time": "14:00",
        "end_time": "16:00",
        "first_date": "2026-06-02",
        "last_date": "2026-06-11",
        "purpose": "合唱团排练",
    } | extra


def test_series_creation_reports_skipped_dates(a: Place, manager) -> None:
    client, staff = manager
    team = TeamFactory(center=a.center, leader=a.member, name="银铃合唱团")
    taken = booking_create(
        member=UserFactory(),
        space=a.room,
        start=at(date(2026, 6, 4), 15),
        end=at(date(2026, 6, 4), 16),
    )

    response = client.post(f"{SERIES}add/", series_data(a, a.member, team=team.pk), follow=True)

    series = BookingSeries.objects.get()
    assert response.redirect_chain[-1][0] == f"{SERIES}{series.pk}/change/"
    assert (series.member, series.team, series.created_by) == (a.member, team, staff)
    dates = sorted(b.start.astimezone(SHANGHAI).date() for b in series.bookings.all())
    assert dates == [date(2026, 6, 2), date(2026, 6, 9), date(2026, 6, 11)]
    assert {b.status for b in series.bookings.all()} == {Status.CONFIRMED}  # staff booked them
    texts = messages_of(response)
    assert any("3" in m for m in texts)
    assert any("2026-06-04" in m for m in texts)
    assert taken.status == Status.PENDING
    # Its page lists the bookings it made.
    page = client.get(f"{SERIES}{series.pk}/change/")
    assert len(page.context["inline_admin_formsets"][0].formset.forms) == 3


def test_series_form_finds_the_member_by_phone(a: Place, manager) -> None:
    client, _ = manager
    a.member.phone = "+8613900001111"
    a.member.save()

    unknown = client.post(f"{SERIES}add/", series_data(a, a.member) | {"member": "nobody"})
    by_phone = client.post(f"{SERIES}add/", series_data(a, a.member) | {"member": "139 0000 1111"})

    assert "member" in unknown.context["adminform"].form.errors
    assert by_phone.status_code == 302
    assert BookingSeries.objects.get().member == a.member


def test_series_form_errors_and_scope(a: Place, b: Place, manager) -> None:
    client, _ = manager
    form = client.get(f"{SERIES}add/").context["adminform"].form
    assert list(form.fields["space"].queryset) == [a.room]

    no_days = client.post(f"{SERIES}add/", series_data(a, a.member, weekdays=[]))
    other_space = client.post(f"{SERIES}add/", series_data(b, a.member))
    backwards = client.post(f"{SERIES}add/", series_data(a, a.member, last_date="2026-05-01"))

    assert "weekdays" in no_days.context["adminform"].form.errors
    assert "space" in other_space.context["adminform"].form.errors
    assert backwards.context["adminform"].form.errors
    assert not BookingSeries.objects.exists()
    viewer, _ = staff_of(a.center, Role.VIEWER)
    assert viewer.get(f"{SERIES}add/").status_code == 403


def test_cancel_a_series_with_a_reason(a: Place, b: Place, manager) -> None:
    client, staff = manager
    result = booking_series_create(
        space=a.room,
        member=a.member,
        by=staff,
        weekday_list=[1],
        start_time=time(14),
        end_time=time(16),
        first_date=TOMORROW,
        last_date=date(2026, 6, 16),
        purpose="排练",
    )
    superuser = UserFactory(is_superuser=True, is_staff=True)
    other = booking_series_create(
        space=b.room,
        member=b.member,
        by=superuser,
        weekday_list=[1],
        start_time=time(14),
        end_time=time(16),
        first_date=TOMORROW,
        last_date=date(2026, 6, 9),
        purpose="排练",
    )

    page = act(client, "cancel_series", result.series, url=SERIES)
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    confirm(client, "cancel_series", result.series, other.series, reason="团队解散", url=SERIES)

    assert {b.status for b in result.series.bookings.all()} == {Status.CANCELLED}
    assert all(
        events(x)[-1] == ("cancel_by_staff", Status.CANCELLED, "团队解散")
        for x in result.series.bookings.all()
    )
    assert {b.status for b in other.series.bookings.all()} == {Status.CONFIRMED}
    assert denied_or_missing(client.get(f"{SERIES}{other.series.pk}/change/"))


# --- Space rules in the space screen -------------------------------------------------------------


def test_space_screen_edits_the_booking_rules(a: Place, manager) -> None:
    client, _ = manager
    page = client.get(f"/admin/centers/space/{a.room.pk}/change/")
    fields = page.context["adminform"].form.fields
    rules = {
        "buffer_before_minutes",
        "buffer_after_minutes",
        "requires_check_in",
        "check_in_opens_minutes",
        "release_after_minutes",
        "max_active_per_member",
        "max_active_per_team",
        "weekly_quota_minutes",
        "uses_access_codes",
        "venue_code",
        "eligibility",
    }
    assert rules <= set(fields)
    assert "缓冲" in html(page) or "buffer" in html(page)
