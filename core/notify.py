"""The one seam through which the system tells members things (confirmations, warnings).

Services call ``notify`` inside the transaction that causes the message; nothing leaves unless
that transaction commits. The background-jobs work replaces the delivery with an outbox.
"""

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def notify(kind: str, *, recipient: Any, obj: Any = None, context: dict | None = None) -> None:
    recipient_id = getattr(recipient, "pk", recipient)
    obj_label = f"{obj._meta.label}:{obj.pk}" if obj is not None else "-"

    def deliver() -> None:
        logger.info("notify %s to member %s about %s", kind, recipient_id, obj_label)

    transaction.on_commit(deliver)
