"""No volunteer role is ever oversold, and a shift's points are earned once: threads with
connections of their own against PostgreSQL."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from members.models import PointsEntry, VolunteerRecord
from services.models import Program, Registration, VolunteerRole
from services.services.attendance import registration_check_in
from services.services.registration import session_register
from services.services.volunteering import volunteer_role_add
from tests.community.test_concurrency import all_at_once
from tests.factories import ProgramFactory, SessionFactory, UserFactory, staff_at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VOLUNTEERS = 40


def test_forty_volunteers_three_seats_in_two_roles():
    program = ProgramFactory(kind=Program.Kind.VOLUNTEER)
    manager = staff_at(program.center)
    session = SessionFactory(program=program, by=manager)
    barber = volunteer_role_add(session=session, name="理发", seats=2, by=manager)
    foot = volunteer_role_add(session=session, name="扦脚", seats=1, by=manager)
    members = [UserFactory() for _ in range(VOLUNTEERS)]

    def sign_up(member, role):
        def call():
            client = APIClient()
            client.force_authenticate(member)
            response = client.post(
                f"/api/v1/sessions/{session.pk}/registrations/", {"role": role.pk}, format="json"
            )
            return response.status_code, response.json()

        return call

    calls = [sign_up(m, barber if n % 2 else foot) for n, m in enumerate(members)]
    results = all_at_once(calls, workers=20)

    assert Counter(status for status, _ in results) == {201: 3, 409: VOLUNTEERS - 3}, results
    assert {body["code"] for status, body in results if status == 409} == {"role_full"}
    assert Counter(
        Registration.objects.filter(status="confirmed").values_list("role__name", flat=True)
    ) == {"理发": 2, "扦脚": 1}
    assert [r.seats_taken for r in VolunteerRole.objects.order_by("id")] == [2, 1]
    session.refresh_from_db()
    assert session.seats_taken == 3 == session.capacity


def test_staff_confirming_a_shift_at_once_award_points_once(clock):
    program = ProgramFactory(kind=Program.Kind.VOLUNTEER)
    desks = [staff_at(program.center) for _ in range(8)]
    session = SessionFactory(program=program, by=desks[0])
    role = volunteer_role_add(session=session, name="理发", seats=1, by=desks[0])
    volunteer = UserFactory()
    registration = session_register(session=session, member=volunteer, role=role)
    clock.move_to(session.start)

    def check_in(desk):
        def call():
            try:
                registration_check_in(registration=registration, by=desk)
            except Exception as error:
                return "refused", type(error).__name__
            return "done", None

        return call

    results = all_at_once([check_in(d) for d in desks])

    assert Counter(outcome for outcome, _ in results) == {"done": 1, "refused": 7}, results
    assert PointsEntry.objects.filter(member=volunteer).count() == 1
    assert VolunteerRecord.objects.filter(member=volunteer).count() == 1
