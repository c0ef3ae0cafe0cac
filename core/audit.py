"""One way to change a status: a conditional update, audited in the same transaction (pretix's
``log_action``, zulip's ``RealmAuditLog``).

The row changes only if it is still in a state that allows the move, so two staff members
clicking at once, or a member and the clock, cannot both succeed; the loser gets ``error``.
Each model that moves this way has an audit trail as ``events`` (BookingEvent,
RegistrationEvent: action, from_status, to_status, actor, reason).
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from core.errors import Conflict

M = TypeVar("M", bound=Model)
REASON_LENGTH = 200


def record_event(
    obj: Model,
    action: str,
    from_status: str,
    to_status: str,
    actor: Any,
    reason: str = "",
) -> Model:
    """The audit row of ``obj``'s change; callers write it in the same transaction."""
    return obj.events.create(
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason[:REASON_LENGTH],
    )


def transition(
    obj: M,
    *,
    to: str,
    allowed_from: Iterable[str],
    action: str,
    actor: Any,
    reason: str = "",
    error: type[Exception] = Conflict,
    fields: dict[str, Any] | None = None,
) -> M:
    """Move ``obj`` to status ``to`` (and set ``fields``) if it is in ``allowed_from``, else
    raise ``error``; write the audit row. Runs inside the caller's transaction. Returns
    ``obj`` changed as its row was."""
    if not connection.in_atomic_block:
        raise RuntimeError("a transition runs inside the caller's transaction")
    before = obj.status
    changes = {"status": to, "updated": timezone.now(), **(fields or {})}
    updated = obj.__class__._default_manager.filter(
        pk=obj.pk, status__in=list(allowed_from)
    ).update(**changes)
    if not updated:
        raise error()
    for name, value in changes.items():
        setattr(obj, name, value)  # as the row now is (related rows stay loaded)
    record_event(obj, action, before, to, actor, reason)
    return obj
