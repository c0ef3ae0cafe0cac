"""What each staff role may do at its centers. One table, used by the admin and by services."""

from enum import StrEnum

from centers.models import StaffAssignment
from centers.selectors import staff_roles

Role = StaffAssignment.Role


class Action(StrEnum):
    VIEW = "view"
    MANAGE_PLACES = "manage_places"  # spaces, hours, rules
    MANAGE_BOOKINGS = "manage_bookings"  # approve, reject, cancel, blackouts
    CHECK_IN = "check_in"
    MANAGE_SESSIONS = "manage_sessions"
    MANAGE_MEMBERS = "manage_members"  # points adjustments, lifting suspensions, teams
    # Micro-wishes, the proposal wall and family links confirmed in person: the front desk
    # meets the residents these are about.
    MANAGE_COMMUNITY = "manage_community"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.MANAGER: frozenset(Action),
    Role.FRONT_DESK: frozenset(
        {Action.VIEW, Action.MANAGE_BOOKINGS, Action.CHECK_IN, Action.MANAGE_COMMUNITY}
    ),
    Role.VIEWER: frozenset({Action.VIEW}),
}


def staff_can(user, action: Action, center_id: int) -> bool:
    if user.is_superuser and user.is_active:
        return True
    role = staff_roles(user).get(center_id)
    return role is not None and action in ROLE_ACTIONS[role]


def centers_where(user, action: Action) -> set[int] | None:
    """Center ids where ``user`` may do ``action``; None means everywhere (superuser)."""
    if user.is_superuser and user.is_active:
        return None
    return {cid for cid, role in staff_roles(user).items() if action in ROLE_ACTIONS[role]}
