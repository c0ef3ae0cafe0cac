from django.utils.translation import gettext_lazy as _

from core.errors import LinliError


class NotEligible(LinliError):
    code = "not_eligible"
    message = _("You do not meet the conditions for this.")


class MemberSuspended(LinliError):
    code = "member_suspended"
    message = _("Your booking and registration are suspended.")


class InsufficientPoints(LinliError):
    code = "insufficient_points"
    message = _("You do not have enough points.")


class InvalidIdNumber(LinliError):
    code = "invalid_id_number"
    message = _("This is not a valid 18-digit resident ID number.")


class IdNumberInUse(LinliError):
    code = "id_number_in_use"
    status = 409
    message = _("This ID number is already verified on another account.")


class AlreadyVerified(LinliError):
    code = "already_verified"
    status = 409
    message = _("Your real name is already verified.")


class VerificationRequired(LinliError):
    code = "verification_required"
    message = _("Please verify your real name first.")


class NotAllowed(LinliError):
    code = "permission_denied"
    status = 403
    message = _("You may not do this.")


class InvalidTransition(LinliError):
    code = "invalid_transition"
    status = 409
    message = _("This is not possible in the link's current state.")
