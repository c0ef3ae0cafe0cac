"""Writes about centers that are more than a form's save: assigning staff."""

from django.contrib.auth import get_user_model
from django.db import transaction

from centers.models import DistrictAssignment, StaffAssignment


def staff_assignment_save(
    *, assignment: StaffAssignment | DistrictAssignment
) -> StaffAssignment | DistrictAssignment:
    """Save a role at a center. Whoever holds one is staff: the admin lets in only staff, so an
    assignment without it would lock the new front desk out with no hint why."""
    with transaction.atomic():
        assignment.save()
        get_user_model().objects.filter(pk=assignment.user_id, is_staff=False).update(is_staff=True)
    assignment.user.is_staff = True
    return assignment
