"""The one seam through which the system tells members things (confirmations, warnings).

Services call ``notify`` inside the transaction that causes the message, with a kind their app
registered (``<app>/messages.py``). The message is written to the outbox (``Message``) in that
same transaction, so it exists exactly when the change does; after commit a worker is asked to
send it at once, and if the broker is down the clock (every minute) sends it later.
"""

import logging
from typing import Any

from django.db import transaction

from notifications.services import dispatch, message_enqueue

logger = logging.getLogger(__name__)


def notify(
    kind: str,
    *,
    recipient: Any,
    obj: Any = None,
    context: dict | None = None,
    readers: list | None = None,
    fresh: bool = False,
) -> None:
    """``readers`` and ``fresh``: see ``message_enqueue`` (a caller holding a lock that many
    queue on asks for the family readers before taking it, and says that ``obj`` is new)."""
    message = message_enqueue(
        kind=kind, recipient=recipient, about=obj, context=context, readers=readers, fresh=fresh
    )
    recipient_id = getattr(recipient, "pk", recipient)
    obj_label = f"{obj._meta.label}:{obj.pk}" if obj is not None else "-"

    def deliver() -> None:
        logger.info("notify %s to member %s about %s", kind, recipient_id, obj_label)
        if message is not None:
            dispatch(message.pk)

    transaction.on_commit(deliver)
