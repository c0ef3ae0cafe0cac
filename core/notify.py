"""The one seam through which the system tells members things (confirmations, warnings).

Services call ``notify`` inside the transaction that causes the message. The message is
written to the outbox (notifications.Message) in that same transaction, so it exists exactly
when the change does; after commit a worker is asked to send it at once, and if the broker is
down the clock (every minute) sends it later.
"""

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def notify(kind: str, *, recipient: Any, obj: Any = None, context: dict | None = None) -> None:
    from notifications.services import message_enqueue

    message = message_enqueue(kind=kind, recipient=recipient, about=obj, context=context)
    recipient_id = getattr(recipient, "pk", recipient)
    obj_label = f"{obj._meta.label}:{obj.pk}" if obj is not None else "-"

    def deliver() -> None:
        logger.info("notify %s to member %s about %s", kind, recipient_id, obj_label)
        if message is not None:
            dispatch(message.pk)

    transaction.on_commit(deliver)


def dispatch(message_id: int) -> None:
    """Ask a worker to send now. A broker outage must not fail the member's request: the
    message is safe in the outbox and the clock picks it up."""
    from notifications.tasks import send_message

    try:
        send_message.delay(message_id)
    except Exception:
        logger.warning("broker unavailable; message %s waits for the clock", message_id)
