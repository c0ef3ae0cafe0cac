"""The front desk: one field for a typed or scanned code (bookings and program seats, each
outcome said plainly), today's arrivals, and booking for a walk-in, found or created."""

from datetime import date, timedelta

import pytest

from bookings.models import Booking
from bookings.services.lifecycle import booking_cancel
from members.models import User
from services.models import Registration
from services.services.registration import session_register
from tests.factories import (
    SessionFactory,
    UserFactory,
    VerifiedMemberFactory,
    book,
    make_id_number,
)
from tests.workspace.conftest import at, client_for

pytestmark = pytest.mark.django_db
DESK = "/admin/front-desk/"


def scan(client, center, code: str):
    return client.post(f"{DESK}?center={center.pk}", {"do": "check_in", "code": code})


def said(response) -> tuple[str, str]:
    outcome = response.context["outcome"]
    return outcome.tone, outcome.message


def test_each_outcome_of_a_booking_code(a, desk, clock) -> None:
    member = UserFactory(display_name="王阿姨")
    booking = book(a.room, at(10), at(11), member=member)
    client = client_for(desk)

    assert said(scan(client, a.center, booking.check_in_code)) == (
        "early",
        "还不能签到（09:45 起）",
    )
    clock.move_to(at(9, 58))
    response = scan(client, a.center, f" {booking.check_in_code} ")
    assert said(response) == ("ok", "已签到 09:58")
    assert response.context["outcome"].booking == booking
    booking.refresh_from_db()
    assert (booking.status, booking.checked_in_at) == (Booking.Status.CHECKED_IN, at(9, 58))
    # Scanned again: not a wrong code, the time it was first used.
    clock.move_to(at(10, 5))
    assert said(scan(client, a.center, booking.check_in_code)) == ("ok", "已签到 09:58")
    assert said(scan(client, a.center, "00000000")) == ("error", "签到码不正确")


def test_a_cancelled_bookings_code(a, desk, manager, clock) -> None:
    booking = book(a.room, at(10), at(11))
    booking_cancel(booking=booking, by=manager, reason="场地维修")
    clock.move_to(at(9, 58))

    assert said(scan(client_for(desk), a.center, booking.check_in_code)) == ("error", "已取消")


def test_a_registration_code_checks_in_the_seat(a, desk, clock) -> None:
    session = SessionFactory(program=a.program, space=a.room, start=at(14), end=at(15))
    seat = session_register(session=session, member=UserFactory())
    client = client_for(desk)

    assert said(scan(client, a.center, seat.check_in_code)) == ("early", "还不能签到（13:30 起）")
    clock.move_to(at(13, 40))
    assert said(scan(client, a.center, seat.check_in_code)) == ("ok", "已签到 13:40")
    seat.refresh_from_db()
    assert seat.status == Registration.Status.CHECKED_IN
    assert said(scan(client, a.center, seat.check_in_code)) == ("ok", "已签到 13:40")


def test_codes_of_another_center_are_wrong_here(a, b, desk, clock) -> None:
    theirs = book(b.room, at(10), at(11))
    clock.move_to(at(9, 58))

    assert said(scan(client_for(desk), a.center, theirs.check_in_code)) == ("error", "签到码不正确")
    theirs.refresh_from_db()
    assert theirs.status == Booking.Status.CONFIRMED


def test_viewers_may_not_use_the_desk(a, viewer) -> None:
    assert client_for(viewer).get(DESK, {"center": a.center.pk}).status_code == 404


def test_todays_arrivals(a, b, desk, clock) -> None:
    book(a.room, at(10), at(11), member=UserFactory(display_name="王阿姨", phone="+8613900001111"))
    book(
        a.room,
        at(10, day=at(10).date() + timedelta(days=1)),
        member=UserFactory(display_name="明天"),
    )
    book(b.room, at(10), at(11), member=UserFactory(display_name="乙的人"))
    session = SessionFactory(program=a.program, space=a.laundry, start=at(14), end=at(15))
    session_register(session=session, member=UserFactory(display_name="李伯伯"))

    page = client_for(desk).get(DESK, {"center": a.center.pk})

    names = [str(arrival.member) for arrival in page.context["arrivals"]]
    assert names == ["王阿姨 (139****1111)", "李伯伯"]
    assert "139****1111" in page.content.decode() and "13900001111" not in page.content.decode()


class TestWalkIns:
    def test_find_by_phone_or_name_never_by_id_number(self, a, desk) -> None:
        number = make_id_number(date(1950, 3, 4), serial=567)
        wang = VerifiedMemberFactory(display_name="王阿姨", phone="+8613900001111", verified=number)
        UserFactory(display_name="李伯伯", phone="+8613900002222")
        client = client_for(desk)

        def found(who: str) -> list:
            return list(client.get(DESK, {"center": a.center.pk, "who": who}).context["found"])

        assert found("139 0000 1111") == [wang]
        assert found("1111") == [wang]
        assert found("王") == [wang]
        for part in (number, number[-4:], number[:6], "张秀英"):
            assert found(part) == [], part

    def test_book_for_a_member_found_confirmed_at_once(self, a, desk, clock) -> None:
        wang = UserFactory(display_name="王阿姨", phone="+8613900001111")
        client = client_for(desk)
        page = client.get(DESK, {"center": a.center.pk, "member": wang.pk, "space": a.room.pk})
        assert page.context["start_labels"][:3] == ["09:00", "09:30", "10:00"]

        response = client.post(
            f"{DESK}?center={a.center.pk}",
            {
                "do": "book",
                "member": wang.pk,
                "space": a.room.pk,
                "start": "10:00",
                "minutes": "60",
            },
        )

        assert response.status_code == 302
        booking = Booking.objects.get(member=wang)
        assert (booking.start, booking.end, booking.status) == (
            at(10),
            at(11),
            Booking.Status.CONFIRMED,
        )
        assert booking.created_by == desk
        assert booking.events.get().action == "create"  # through the booking service
        # The time is gone from the free times.
        page = client.get(DESK, {"center": a.center.pk, "member": wang.pk, "space": a.room.pk})
        assert "10:00" not in page.context["start_labels"]
        assert "11:00" in page.context["start_labels"]

    def test_a_taken_time_is_refused_with_the_reason(self, a, desk) -> None:
        book(a.room, at(10), at(11))
        wang = UserFactory()

        response = client_for(desk).post(
            f"{DESK}?center={a.center.pk}",
            {
                "do": "book",
                "member": wang.pk,
                "space": a.room.pk,
                "start": "10:00",
                "minutes": "60",
            },
        )

        assert response.status_code == 200
        assert response.context["walk_in_form"].errors
        assert not Booking.objects.filter(member=wang).exists()

    def test_a_new_resident_by_phone_only(self, a, desk) -> None:
        client = client_for(desk)

        response = client.post(
            f"{DESK}?center={a.center.pk}",
            {"do": "new_member", "new-phone": "139 0000 3333", "new-name": "赵阿姨"},
        )

        member = User.objects.get(phone="+8613900003333")
        assert response.status_code == 302 and f"member={member.pk}" in response["Location"]
        assert (member.display_name, member.has_usable_password()) == ("赵阿姨", False)
        client.post(
            f"{DESK}?center={a.center.pk}",
            {
                "do": "book",
                "member": member.pk,
                "space": a.laundry.pk,
                "start": "12:00",
                "minutes": "60",
            },
        )
        assert Booking.objects.get(member=member).status == Booking.Status.CONFIRMED
        # The same phone again: find the member instead.
        again = client.post(
            f"{DESK}?center={a.center.pk}", {"do": "new_member", "new-phone": "13900003333"}
        )
        assert again.status_code == 200 and again.context["new_member_form"].errors
        assert User.objects.filter(phone="+8613900003333").count() == 1

    def test_another_centers_space_cannot_be_booked_here(self, a, b, desk) -> None:
        member = UserFactory()

        response = client_for(desk).post(
            f"{DESK}?center={a.center.pk}",
            {
                "do": "book",
                "member": member.pk,
                "space": b.room.pk,
                "start": "10:00",
                "minutes": "60",
            },
        )

        assert response.status_code == 200
        assert "space" in response.context["walk_in_form"].errors
        assert not Booking.objects.exists()

    def test_another_center_is_not_found(self, a, b, desk) -> None:
        response = client_for(desk).post(
            f"{DESK}?center={b.center.pk}",
            {
                "do": "book",
                "member": UserFactory().pk,
                "space": b.room.pk,
                "start": "10:00",
                "minutes": "60",
            },
        )
        assert response.status_code == 404
        assert not Booking.objects.exists()

    def test_viewers_and_front_desks_without_booking_rights_cannot_book(self, a, viewer) -> None:
        response = client_for(viewer).post(
            f"{DESK}?center={a.center.pk}",
            {"do": "new_member", "new-phone": "13900003333"},
        )
        assert response.status_code == 404
        assert not User.objects.filter(phone="+8613900003333").exists()
