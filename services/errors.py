from django.utils.translation import gettext_lazy as _

from core.errors import LinliError


class RegistrationClosed(LinliError):
    code = "registration_closed"
    message = _("Registration for this session is not open.")


class AlreadyRegistered(LinliError):
    code = "already_registered"
    status = 409
    message = _("You are already registered for this session.")


class OfferExpired(LinliError):
    code = "offer_expired"
    message = _("This offer has expired.")


class NotCancellable(LinliError):
    code = "not_cancellable"
    status = 409
    message = _("This registration can no longer be cancelled.")


class PartyTooLarge(LinliError):
    code = "invalid"
    message = _("Too many people for one registration.")


class DailyLimitReached(LinliError):
    code = "quota_exceeded"
    message = _("You have reached today's limit for this program.")


class InvalidTransition(LinliError):
    code = "invalid_transition"
    status = 409
    message = _("This registration is not in a state that allows this.")


class SessionConflict(LinliError):
    code = "session_conflict"
    status = 409
    message = _("Bookings already use this space at this time.")

    def __init__(self, bookings: list):
        self.bookings = bookings
        super().__init__(fields={"bookings": [str(b.pk) for b in bookings]} if bookings else None)


class RoleFull(LinliError):
    code = "role_full"
    status = 409
    message = _("Every place in this volunteer role is taken. Choose another role.")


class RoleRequired(LinliError):
    code = "invalid"
    message = _("Choose the volunteer role you sign up for.")

    def __init__(self, message=None):
        super().__init__(message, fields={"role": [str(message or self.message)]})
