from django.utils.translation import gettext_lazy as _

from core.errors import LinliError


class AlreadyClaimed(LinliError):
    code = "already_claimed"
    status = 409
    message = _("Someone has already claimed this wish.")


class InvalidTransition(LinliError):
    code = "invalid_transition"
    status = 409
    message = _("This is not possible in the wish's current state.")


class NoPhoto(LinliError):
    code = "no_photo"
    status = 409
    message = _("This wish has no photo.")


class OwnWish(LinliError):
    code = "own_wish"
    message = _("You cannot claim your own wish.")


class TooManyOpenWishes(LinliError):
    code = "quota_exceeded"
    message = _("You already have as many open wishes as one person may have.")


class TooManyClaims(LinliError):
    code = "quota_exceeded"
    message = _("Fulfil the wishes you have claimed before claiming more.")


class ProposalClosed(LinliError):
    code = "proposal_closed"
    status = 409
    message = _("Staff have decided on this proposal; supports no longer change.")


class ProposalInvalidTransition(LinliError):
    code = "invalid_transition"
    status = 409
    message = _("This is not possible in the proposal's current state.")


class TooManyProposals(LinliError):
    code = "quota_exceeded"
    message = _("You have posted as many proposals today as one person may.")
