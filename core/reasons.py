"""Staff give a reason when they act against a member's wish (reject, cancel, block, lift): the
member is told it, and the audit trail keeps it."""

from django.utils.translation import gettext as _

from core.errors import Invalid


def require_reason(reason: str, *, field: str = "reason") -> str:
    """The reason, stripped; ``Invalid`` (on ``field``) when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason."), fields={field: [_("Give a reason.")]})
    return reason
