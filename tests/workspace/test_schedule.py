"""Schedule tools: a weekly series and a copied week show every date with what is in its way
before anything is saved; bookings in the way are cancelled (members told) only if chosen,
dates a session or blackout holds are left out."""

from datetime import date

import pytest

from bookings.models import Booking
from bookings.services.blackouts import blackout_create
from services.models import Session
from services.services.planning import plan_copy_week, plan_series, sessions_create_planned
from tests.factories import SessionFactory, UserFactory, book
from tests.workspace.conftest import at, client_for

pytestmark = pytest.mark.django_db
SERIES = "/admin/services/session/series/"
COPY = "/admin/schedule/copy-week/"


def day(n: int) -> date:
    return date(2026, 6, n)


def series_form(a, **extra) -> dict:
    return {
        "program": a.program.pk,
        "capacity": "20",
        "space": a.room.pk,
        "weekdays": ["2"],  # Wednesdays: 3, 10, 17 June
        "start_time": "14:00",
        "end_time": "16:00",
        "first_date": "2026-06-01",
        "last_date": "2026-06-20",
        "skip_dates": "",
    } | extra


def test_the_plan_lists_each_date_with_what_is_in_its_way(a, manager) -> None:
    booked = book(a.room, at(15, day=day(3)), at(16, day=day(3)))
    other = SessionFactory(
        program=a.program, space=a.room, start=at(13, day=day(10)), end=at(15, day=day(10))
    )

    plans = plan_series(
        program=a.program,
        weekday_list=[2],
        start_time=at(14).time(),
        end_time=at(16).time(),
        first_date=day(1),
        last_date=day(20),
        capacity=20,
        space=a.room,
        skip_dates={day(17)},
    )

    assert [p.start for p in plans] == [
        at(14, day=day(3)),
        at(14, day=day(10)),
        at(14, day=day(17)),
    ]
    assert plans[0].bookings == [booked] and not plans[0].taken
    assert plans[1].taken and plans[1].way.sessions == [other]
    assert plans[2].skipped == "skipped"
    assert not Session.objects.exclude(pk=other.pk).exists()  # nothing saved by planning


def test_the_series_page_previews_then_cancels_with_a_reason(a, manager) -> None:
    member = UserFactory(phone="+8613900001111")
    booked = book(a.room, at(15, day=day(3)), at(16, day=day(3)), member=member)
    blackout_create(
        space=a.room, start=at(13, day=day(17)), end=at(18, day=day(17)), reason="维修", by=manager
    )
    client = client_for(manager)

    preview = client.post(SERIES, series_form(a))

    assert preview.status_code == 200
    assert [p.start.date() for p in preview.context["plans"]] == [day(3), day(10), day(17)]
    assert not Session.objects.exists()
    done = client.post(
        SERIES,
        series_form(a)
        | {
            "confirm": "yes",
            "seen_booking": [booked.pk],
            "cancel_conflicting": "on",
            "cancel_reason": "讲座使用",
        },
    )
    assert done.status_code == 302
    assert sorted(s.start for s in Session.objects.all()) == [
        at(14, day=day(3)),
        at(14, day=day(10)),
    ]
    booked.refresh_from_db()
    assert booked.status == Booking.Status.CANCELLED
    assert booked.events.last().reason == "讲座使用"
    assert member.messages.filter(kind="booking_cancelled_by_staff").exists()


def test_without_the_box_the_booked_date_is_left_out(a, manager) -> None:
    booked = book(a.room, at(15, day=day(3)), at(16, day=day(3)))

    client_for(manager).post(
        SERIES, series_form(a) | {"confirm": "yes", "seen_booking": [booked.pk]}
    )

    assert sorted(s.start.date() for s in Session.objects.all()) == [day(10), day(17)]
    booked.refresh_from_db()
    assert booked.status == Booking.Status.CONFIRMED


def test_a_booking_made_after_the_preview_is_not_cancelled_unseen(a, manager) -> None:
    seen = book(a.room, at(15, day=day(3)), at(16, day=day(3)))
    client = client_for(manager)
    assert client.post(SERIES, series_form(a)).status_code == 200  # the preview
    late = book(a.room, at(15, day=day(10)), at(16, day=day(10)))

    again = client.post(
        SERIES,
        series_form(a) | {"confirm": "yes", "seen_booking": [seen.pk], "cancel_conflicting": "on"},
    )

    assert again.status_code == 200  # shown again, with the new booking
    assert not Session.objects.exists()
    late.refresh_from_db()
    assert late.status == Booking.Status.CONFIRMED


def test_a_clear_series_is_created_at_once(a, manager) -> None:
    response = client_for(manager).post(SERIES, series_form(a))

    assert response.status_code == 302
    assert Session.objects.count() == 3


def test_copy_a_week(a, manager, clock) -> None:
    lecture = SessionFactory(
        program=a.program,
        space=a.room,
        start=at(14, day=day(3)),
        end=at(16, day=day(3)),
        capacity=30,
        note="带上医保卡",
    )
    SessionFactory(
        program=a.program, space=a.laundry, start=at(9, day=day(5)), end=at(10, day=day(5))
    )
    in_the_way = book(a.room, at(15, day=day(10)), at(16, day=day(10)))

    plans = plan_copy_week(center=a.center, source=day(2), target=day(9))

    assert [(p.start, p.end, p.capacity) for p in plans] == [
        (at(14, day=day(10)), at(16, day=day(10)), 30),
        (at(9, day=day(12)), at(10, day=day(12)), 10),
    ]
    assert plans[0].bookings == [in_the_way] and plans[0].note == "带上医保卡"
    client = client_for(manager)
    preview = client.post(
        f"{COPY}?center={a.center.pk}", {"source": "2026-06-01", "target": "2026-06-08"}
    )
    assert len(preview.context["plans"]) == 2
    client.post(
        f"{COPY}?center={a.center.pk}",
        {
            "source": "2026-06-01",
            "target": "2026-06-08",
            "confirm": "yes",
            "seen_booking": [in_the_way.pk],
            "cancel_conflicting": "on",
            "cancel_reason": "讲座使用",
        },
    )
    copied = Session.objects.exclude(pk__in=[lecture.pk]).filter(start__gte=at(0, day=day(8)))
    assert sorted(s.start for s in copied) == [at(14, day=day(10)), at(9, day=day(12))]
    in_the_way.refresh_from_db()
    assert in_the_way.status == Booking.Status.CANCELLED
    copy = copied.get(start=at(14, day=day(10)))
    # Registration opens as far ahead of the start as the original's did (not before now).
    assert copy.registration_opens == max(
        copy.start - (lecture.start - lecture.registration_opens), at(9)
    )
    assert (copy.note, copy.capacity, copy.space) == ("带上医保卡", 30, a.room)


def test_copying_needs_a_manager_of_the_center(a, b, desk, manager) -> None:
    assert client_for(desk).get(COPY, {"center": a.center.pk}).status_code == 404
    assert client_for(manager).get(COPY, {"center": b.center.pk}).status_code == 404
    plans = plan_copy_week(center=a.center, source=day(2), target=day(9))
    assert sessions_create_planned(plans=plans, by=manager, cancel_bookings=set()).created == []
