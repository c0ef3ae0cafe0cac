from typing import Any

from django.db.models import QuerySet

from notifications.models import Message


def member_messages(member: Any) -> QuerySet[Message]:
    """The member's messages, newest first (one query per page: no related rows)."""
    return Message.objects.filter(recipient=member).order_by("-created", "-id")
