from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, QuerySet

from notifications.models import Message


def member_messages(member: Any) -> QuerySet[Message]:
    """The member's messages, newest first (one query per page: no related rows)."""
    return Message.objects.filter(recipient=member).order_by("-created", "-id")


def not_messaged(kind: str, model: type[Model]) -> Exists:
    """For a query over ``model``: no message of ``kind`` about the row written yet (a reminder
    query runs every minute, and each row it looks at again would cost a query)."""
    return ~Exists(
        Message.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=OuterRef("pk"),
            kind=kind,
        )
    )
