"""core.audit: one way to change a status (conditional, audited); core.codes and core.reasons."""

from datetime import timedelta

import pytest
from django.db import transaction

from bookings import errors as booking_errors
from bookings.models import Booking
from core.audit import transition
from core.codes import short_code
from core.errors import Invalid
from core.reasons import require_reason
from services.models import Registration
from services.services.registration import session_register
from tests.factories import BookableSpaceFactory, SessionFactory, book
from tests.helpers import MONDAY, at

TUESDAY = MONDAY + timedelta(days=1)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_a_transition_moves_once_and_writes_its_audit_row(member, superuser) -> None:
    booking = book(BookableSpaceFactory(), at(TUESDAY, 10), member=member)
    stale = Booking.objects.get(pk=booking.pk)  # what a second click read earlier

    with transaction.atomic():
        moved = transition(
            booking,
            to=Booking.Status.CANCELLED,
            allowed_from=Booking.HOLDING,
            action="cancel_by_staff",
            actor=superuser,
            reason="  场地检修  " * 30,
        )
    assert moved.status == Booking.Status.CANCELLED
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    event = booking.events.order_by("-id").first()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "cancel_by_staff",
        Booking.Status.CONFIRMED,
        Booking.Status.CANCELLED,
        superuser,
    )
    assert len(event.reason) == 200

    with pytest.raises(booking_errors.NotCancellable), transaction.atomic():
        transition(
            stale,
            to=Booking.Status.CANCELLED,
            allowed_from=Booking.HOLDING,
            action="cancel",
            actor=member,
            error=booking_errors.NotCancellable,
        )
    assert booking.events.filter(action="cancel").count() == 0


def test_registrations_move_the_same_way(member) -> None:
    registration = session_register(session=SessionFactory(capacity=1), member=member)
    with transaction.atomic():
        transition(
            registration,
            to=Registration.Status.NO_SHOW,
            allowed_from=[Registration.Status.CONFIRMED],
            action="no_show",
            actor=None,
        )
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.NO_SHOW
    assert list(registration.events.values_list("action", flat=True)) == ["confirm", "no_show"]


@pytest.mark.django_db(transaction=True)
def test_a_transition_runs_inside_a_transaction(member) -> None:
    booking = book(BookableSpaceFactory(), at(TUESDAY, 10), member=member)
    with pytest.raises(RuntimeError):
        transition(booking, to="cancelled", allowed_from=Booking.HOLDING, action="x", actor=None)


def test_short_codes_have_their_digits() -> None:
    codes = {short_code(8) for _ in range(50)}
    assert all(len(code) == 8 and code.isdigit() for code in codes)
    assert len(codes) > 40
    assert len(short_code(6)) == 6


def test_a_reason_is_required() -> None:
    assert require_reason("  消防检查 ") == "消防检查"
    with pytest.raises(Invalid) as caught:
        require_reason("   ")
    assert list(caught.value.fields) == ["reason"]
