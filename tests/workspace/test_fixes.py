"""The bugs a front desk met in the admin (issue 12), each through the admin as staff use it."""

from datetime import date

import pytest

from bookings.models import Blackout, BookingSeries
from centers.models import StaffAssignment
from members.models import User
from notifications.models import Message
from tests.factories import SessionFactory, UserFactory, VolunteerRecordFactory, book
from tests.workspace.conftest import at, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> User:
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_phone_typed_in_the_user_form_is_stored_in_e164(superuser) -> None:
    client = client_for(superuser)
    member = UserFactory(username="wang")
    page = client.get(f"/admin/members/user/{member.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data |= {"username": "wang", "phone": "139 0000 1111", "language": "zh-hans"}
    data |= {"date_joined_0": "2026-06-01", "date_joined_1": "09:00:00"}
    data |= {"notification_channels": "[]"}

    response = client.post(f"/admin/members/user/{member.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.phone == "+8613900001111"
    created = client.post(
        "/admin/members/user/add/",
        {"username": "li", "phone": "13900002222", "usable_password": "false"},
    )
    assert created.status_code == 302
    assert User.objects.get(username="li").phone == "+8613900002222"
    wrong = client.post(
        "/admin/members/user/add/",
        {"username": "zhao", "phone": "12345", "usable_password": "false"},
    )
    assert wrong.status_code == 200 and "phone" in wrong.context["adminform"].form.errors


def test_a_front_desk_role_makes_its_user_staff(a, superuser) -> None:
    newcomer = UserFactory(is_staff=False)

    client_for(superuser).post(
        "/admin/centers/staffassignment/add/",
        {"user": newcomer.pk, "center": a.center.pk, "role": StaffAssignment.Role.FRONT_DESK},
    )

    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert client_for(newcomer).get("/admin/front-desk/").status_code == 200


def test_an_empty_recurring_booking_is_refused(a, manager) -> None:
    # 22:00 is after closing every day: no date can be booked.
    response = client_for(manager).post(
        "/admin/bookings/bookingseries/add/",
        {
            "space": a.room.pk,
            "member": UserFactory(username="walkin").username,
            "weekdays": ["0"],
            "start_time": "21:00",
            "end_time": "22:00",
            "first_date": "2026-06-08",
            "last_date": "2026-06-08",
            "purpose": "散客",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "这些日期都无法预约" in errors[0] and "2026-06-08" in errors[0]
    assert not BookingSeries.objects.exists()


def test_the_history_button_shows_the_audit_trail(a, manager) -> None:
    booking = book(a.room, at(10), at(11), member=UserFactory())

    page = client_for(manager).get(f"/admin/bookings/booking/{booking.pk}/history/")

    assert page.status_code == 200
    assert [row["what"] for row in page.context["audit_rows"]] == ["已预约"]
    assert "没有修改历史" not in page.content.decode()


def test_a_blackout_that_meets_only_a_session_names_it_and_skips_that_week(a, manager) -> None:
    session = SessionFactory(program=a.program, space=a.room, start=at(14), end=at(15))
    form = {
        "space": a.room.pk,
        "start_0": "2026-06-01",
        "start_1": "13:00",
        "end_0": "2026-06-01",
        "end_1": "17:00",
        "repeat_weekly_until": "2026-06-15",
        "reason": "清洁",
    }
    client = client_for(manager)

    shown = client.post("/admin/bookings/blackout/add/", form)

    assert shown.status_code == 200
    text = shown.content.decode()
    assert "甲养生讲堂" in text and "另一条场地停用" not in text
    assert [item.start for item in shown.context["taken"]] == [at(13)]
    done = client.post(
        "/admin/bookings/blackout/add/",
        form | {"skip_taken": "on", "seen_taken": at(13).isoformat()},
    )
    assert done.status_code == 302
    blackout = Blackout.objects.get()
    held = sorted({(h.start, h.end) for h in blackout.holds.all()})
    assert held == [
        (at(13, day=date(2026, 6, 8)), at(17, day=date(2026, 6, 8))),
        (at(13, day=date(2026, 6, 15)), at(17, day=date(2026, 6, 15))),
    ]
    assert session.holds.exists()


def test_a_single_blackout_on_a_session_cannot_be_made_and_says_why(a, manager) -> None:
    SessionFactory(program=a.program, space=a.room, start=at(14), end=at(15))

    response = client_for(manager).post(
        "/admin/bookings/blackout/add/",
        {
            "space": a.room.pk,
            "start_0": "2026-06-01",
            "start_1": "13:00",
            "end_0": "2026-06-01",
            "end_1": "17:00",
            "reason": "清洁",
        },
    )

    errors = response.context["adminform"].form.non_field_errors()
    assert "甲养生讲堂" in errors[0]
    assert not Blackout.objects.exists()


def test_the_outbox_shows_kinds_in_chinese_and_each_messages_text(a, manager) -> None:
    member = UserFactory(display_name="王阿姨", phone="+8613900001111")
    booking = book(a.room, at(10), at(11), member=member)
    message = Message.objects.get(recipient=member)

    client = client_for(manager)
    page = client.get("/admin/notifications/message/").content.decode()
    detail = client.get(f"/admin/notifications/message/{message.pk}/change/").content.decode()

    assert '<td class="field-kind_display">预约成功</td>' in page
    assert ">booking_confirmed<" not in page
    assert booking.check_in_code in detail  # the text the member read
    assert "王阿姨 (139****1111)" in detail


def test_members_appear_by_name_and_masked_phone(a, manager) -> None:
    book(
        a.room,
        at(10),
        at(11),
        member=UserFactory(username="u123", display_name="王阿姨", phone="+8613900001111"),
    )

    page = client_for(manager).get("/admin/bookings/booking/").content.decode()

    assert "王阿姨 (139****1111)" in page
    assert "u123" not in page and "13900001111" not in page


def test_labels_are_in_chinese(a, manager) -> None:
    VolunteerRecordFactory(center=a.center)
    client = client_for(manager)
    volunteering = client.get("/admin/members/volunteerrecord/").content.decode()
    team = client.get("/admin/members/team/add/").content.decode()

    assert "Reviewed by" not in volunteering and "审核人" in volunteering
    assert "Joined" not in team
