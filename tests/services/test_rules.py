"""services.rules: whether a session takes registrations and whether a registration may still be
cancelled or its offer accepted, answered once; the services agree with the answers."""

from datetime import timedelta

import pytest

from services import errors, rules
from services.models import Registration, Session
from services.services.registration import (
    registration_accept,
    registration_cancel,
    session_register,
)
from tests.factories import ProgramFactory, SessionFactory, UserFactory, staff_at
from tests.helpers import MONDAY, hour_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TUESDAY = MONDAY + timedelta(days=1)
at = hour_on(MONDAY)
NOW = at(8)
START = at(14, day=TUESDAY)
Status = Registration.Status


@pytest.fixture
def session() -> Session:
    return SessionFactory(
        program=ProgramFactory(), start=START, end=START + timedelta(hours=2), capacity=1
    )


def test_registration_is_open_inside_its_window_until_the_start(session) -> None:
    assert rules.registration_open(session, NOW)
    assert not rules.registration_open(session, session.registration_closes)
    assert not rules.registration_open(session, session.registration_opens - timedelta(seconds=1))
    session.program.is_active = False
    assert not rules.registration_open(session, NOW)


def test_a_closed_session_refuses_in_the_service_too(session) -> None:
    late = session.registration_closes
    assert not rules.registration_open(session, late)
    with pytest.raises(errors.RegistrationClosed):
        session_register(session=session, member=UserFactory(), now=late)


def test_cancelling_until_the_start_for_members_and_after_it_for_staff(session, member) -> None:
    registration = session_register(session=session, member=member, now=NOW)
    assert rules.can_cancel(registration, NOW)
    assert not rules.can_cancel(registration, START)
    assert rules.can_cancel(registration, START, as_staff=True)
    with pytest.raises(errors.NotCancellable):
        registration_cancel(registration=registration, by=member, now=START)
    staff = staff_at(session.program.center)
    cancelled = registration_cancel(registration=registration, by=staff, reason="病假", now=START)
    assert cancelled.status == Status.CANCELLED
    assert not rules.can_cancel(cancelled, NOW, as_staff=True)


def test_an_offer_may_be_accepted_until_it_expires(session, member) -> None:
    first = session_register(session=session, member=UserFactory(), now=NOW)
    waiting = session_register(session=session, member=member, now=NOW)
    assert not rules.can_accept(waiting, NOW)  # waitlisted: nothing to accept yet
    registration_cancel(registration=first, by=first.member, now=NOW)
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED
    assert rules.can_accept(waiting, NOW)
    assert not rules.can_accept(waiting, waiting.offer_expires_at)
    with pytest.raises(errors.OfferExpired):
        registration_accept(registration=waiting, member=member, now=waiting.offer_expires_at)
    accepted = registration_accept(registration=waiting, member=member, now=NOW)
    assert accepted.status == Status.CONFIRMED
    assert rules.is_upcoming(accepted, NOW)
    assert not rules.is_upcoming(accepted, START)
