"""Dated hours that would strand bookings or sessions: listed first, cancelled with a reason
members are told only when staff choose so, never silently left confirmed."""

from datetime import date, time

import pytest

from bookings.models import Booking
from centers.models import OpeningException, OpeningRule
from services.models import Session
from tests.factories import OpeningRuleFactory, SessionFactory, UserFactory, book
from tests.workspace.conftest import at, client_for
from workspace.services.closures import HoursConflict, opening_exception_save, stranded_by

pytestmark = pytest.mark.django_db
TUESDAY = date(2026, 6, 2)
CLOSURE = "/admin/schedule/closure/"


@pytest.fixture
def center_hours(a):
    # Spaces of 甲 have their own hours; one space follows the center's.
    OpeningRuleFactory(center=a.center, opens=time(8), closes=time(21))
    return a


def test_a_closure_lists_what_it_strands(a, manager) -> None:
    morning = book(a.room, at(10, day=TUESDAY), at(11, day=TUESDAY))
    evening = book(a.room, at(19, day=TUESDAY), at(20, day=TUESDAY))
    other_day = book(a.room, at(10), at(11))
    session = SessionFactory(
        program=a.program, space=a.room, start=at(14, day=TUESDAY), end=at(15, day=TUESDAY)
    )
    # Shorter hours on Tuesday for the room: 12:00–18:00.
    shorter = OpeningException(
        space=a.room, start_date=TUESDAY, end_date=TUESDAY, opens=time(12), closes=time(18)
    )

    found = stranded_by(shorter)

    assert found.bookings == [morning, evening]
    assert found.sessions == []  # 14:00–15:00 stays inside 12:00–18:00
    closed = OpeningException(space=a.room, start_date=TUESDAY, end_date=TUESDAY)
    assert stranded_by(closed).sessions == [session]
    assert other_day not in stranded_by(closed).bookings


def test_saving_refuses_until_staff_choose_to_cancel(
    a, manager, django_capture_on_commit_callbacks
):
    member = UserFactory(display_name="王阿姨", phone="+8613900001111")
    booking = book(a.room, at(10, day=TUESDAY), at(11, day=TUESDAY), member=member)
    closed = OpeningException(space=a.room, start_date=TUESDAY, end_date=TUESDAY, note="停电")

    with pytest.raises(HoursConflict):
        opening_exception_save(exception=closed, by=manager)
    assert not OpeningException.objects.exists()

    saved, cancelled = opening_exception_save(
        exception=closed, by=manager, cancel_stranded=True, reason="停电检修"
    )

    assert saved.pk and cancelled.bookings == [booking]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.events.last().reason == "停电检修"
    assert member.messages.filter(kind="booking_cancelled_by_staff").exists()  # told why


def test_the_page_previews_then_cancels_with_a_reason(a, manager) -> None:
    booking = book(a.room, at(10, day=TUESDAY), at(11, day=TUESDAY))
    session = SessionFactory(
        program=a.program, space=a.room, start=at(14, day=TUESDAY), end=at(15, day=TUESDAY)
    )
    client = client_for(manager)
    form = {
        "space": a.room.pk,
        "start_date": "2026-06-02",
        "end_date": "2026-06-02",
        "note": "停电",
    }

    preview = client.post(f"{CLOSURE}?center={a.center.pk}", form)

    assert preview.status_code == 200
    assert preview.context["stranded"].bookings == [booking]
    assert preview.context["stranded"].sessions == [session]
    assert not OpeningException.objects.exists()
    seen = [f"b{booking.pk}", f"s{session.pk}"]
    done = client.post(
        f"{CLOSURE}?center={a.center.pk}",
        form | {"cancel_stranded": "on", "reason": "停电检修", "seen": seen},
    )
    assert done.status_code == 302
    assert OpeningException.objects.get().space == a.room
    booking.refresh_from_db()
    session.refresh_from_db()
    assert (booking.status, session.status) == (Booking.Status.CANCELLED, Session.Status.CANCELLED)


def test_the_centers_inline_refuses_a_closure_that_strands(center_hours, manager) -> None:
    a = center_hours
    OpeningRule.objects.filter(space=a.room).delete()  # the room follows the center's hours
    booking = book(a.room, at(10, day=TUESDAY), at(11, day=TUESDAY))
    client = client_for(manager)
    page = client.get(f"/admin/centers/center/{a.center.pk}/change/")
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{management.prefix}-{name}"] = management.initial.get(name, field.initial)
        for form in formset.formset.forms:
            for name in form.fields:
                value = form.initial.get(name)
                if value is not None:
                    data[f"{form.prefix}-{name}"] = value
    form = page.context["adminform"].form
    for name in form.fields:
        value = form.initial.get(name)
        if value is not None and name not in ("kind", "parent", "is_active", "time_zone"):
            data[name] = value
    prefix = next(
        f.formset.prefix
        for f in page.context["inline_admin_formsets"]
        if f.formset.model is OpeningException
    )
    data[f"{prefix}-TOTAL_FORMS"] = 1
    data |= {f"{prefix}-0-start_date": "2026-06-02", f"{prefix}-0-end_date": "2026-06-02"}

    response = client.post(f"/admin/centers/center/{a.center.pk}/change/", data)

    assert response.status_code == 200
    assert "/admin/schedule/closure/" in response.content.decode()
    assert not OpeningException.objects.exists()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_front_desks_and_other_centers_cannot_use_it(a, b, desk, manager) -> None:
    assert client_for(desk).get(CLOSURE, {"center": a.center.pk}).status_code == 404
    assert client_for(manager).get(CLOSURE, {"center": b.center.pk}).status_code == 404
    assert client_for(manager).get(CLOSURE, {"center": a.center.pk}).status_code == 200
