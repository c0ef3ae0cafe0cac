from django.db.models import QuerySet

from members.models import User
from notifications.models import Message


def member_messages(member: User) -> QuerySet[Message]:
    """The member's messages, newest first (one query per page: no related rows)."""
    return Message.objects.filter(recipient=member).order_by("-created", "-id")
