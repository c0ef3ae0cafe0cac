"""The staff role table (centers.permissions): what managers, front desk and viewers may do at
their centers and those centers' stations; superusers everywhere, inactive accounts nowhere."""

import pytest

from centers.models import StaffAssignment
from centers.permissions import ROLE_ACTIONS, Action, centers_where, staff_can
from members.models import User
from tests.factories import (
    CenterFactory,
    StaffAssignmentFactory,
    StationFactory,
    UserFactory,
    staff_at,
)

pytestmark = pytest.mark.django_db

Role = StaffAssignment.Role

EXPECTED = {
    Role.MANAGER: set(Action),
    Role.FRONT_DESK: {
        Action.VIEW,
        Action.MANAGE_BOOKINGS,
        Action.CHECK_IN,
        Action.MANAGE_COMMUNITY,
    },
    Role.VIEWER: {Action.VIEW},
}


def fresh(user: User) -> User:
    """The user as a new request sees it (staff_roles caches on the user object)."""
    return User.objects.get(pk=user.pk)


def test_the_table_is_the_one_the_product_promises() -> None:
    assert {role: set(actions) for role, actions in ROLE_ACTIONS.items()} == EXPECTED


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_role_at_its_center_and_nowhere_else(role: str, action: Action) -> None:
    assignment = StaffAssignmentFactory(role=role)
    other = CenterFactory()
    user = fresh(assignment.user)

    assert staff_can(user, action, assignment.center_id) == (action in EXPECTED[role])
    assert not staff_can(user, action, other.pk)
    expected = {assignment.center_id} if action in EXPECTED[role] else set()
    assert centers_where(user, action) == expected


@pytest.mark.parametrize("role", list(Role))
def test_stations_inherit_the_parents_role(role: str) -> None:
    station = StationFactory()
    sibling_center = CenterFactory()
    StationFactory(parent=sibling_center)
    user = fresh(staff_at(station.parent, role))

    for action in Action:
        assert staff_can(user, action, station.pk) == (action in EXPECTED[role])
    assert centers_where(user, Action.VIEW) == {station.parent_id, station.pk}


def test_a_direct_assignment_to_a_station_wins_over_the_inherited_role() -> None:
    station = StationFactory()
    assignment = StaffAssignmentFactory(center=station.parent, role=Role.VIEWER)
    StaffAssignmentFactory(user=assignment.user, center=station, role=Role.MANAGER)
    user = fresh(assignment.user)

    assert staff_can(user, Action.MANAGE_MEMBERS, station.pk)
    assert not staff_can(user, Action.MANAGE_MEMBERS, station.parent_id)
    assert centers_where(user, Action.MANAGE_MEMBERS) == {station.pk}


def test_superusers_may_do_everything_everywhere() -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    center = CenterFactory()

    for action in Action:
        assert staff_can(superuser, action, center.pk)
        assert centers_where(superuser, action) is None  # None: not scoped at all


def test_inactive_accounts_may_do_nothing() -> None:
    assignment = StaffAssignmentFactory(role=Role.MANAGER, user__is_active=False)
    superuser = UserFactory(is_staff=True, is_superuser=True, is_active=False)

    for user in (fresh(assignment.user), superuser):
        for action in Action:
            assert not staff_can(user, action, assignment.center_id)
            assert centers_where(user, action) == set()


def test_accounts_that_are_not_staff_may_do_nothing() -> None:
    # An assignment left behind on an account that lost its staff flag gives no rights.
    assignment = StaffAssignmentFactory(role=Role.MANAGER, user__is_staff=False)
    user = fresh(assignment.user)

    assert not staff_can(user, Action.VIEW, assignment.center_id)
    assert centers_where(user, Action.VIEW) == set()


def test_an_inactive_center_gives_no_rights() -> None:
    assignment = StaffAssignmentFactory(role=Role.MANAGER, center__is_active=False)
    assert not staff_can(fresh(assignment.user), Action.VIEW, assignment.center_id)
