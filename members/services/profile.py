"""What a member may change about themselves (``PATCH /api/v1/me/``)."""

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.locks import lock
from members.models import User

logger = logging.getLogger(__name__)

EDITABLE = frozenset(
    {
        "display_name",
        "neighbourhood",
        "language",
        "notification_channels",
        "is_party_member",
        "birth_date",
    }
)


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(message, fields={field: [message]})


def _clean(member: User, field: str, value: Any, today: date) -> Any:
    if field in ("display_name", "neighbourhood"):
        return " ".join(str(value).split())
    if field == "language":
        if value not in dict(settings.LANGUAGES):
            raise _invalid(field, _("Choose one of the offered languages."))
        return value
    if field == "notification_channels":
        channels = list(value)
        if any(c not in User.Channel.values for c in channels):
            raise _invalid(field, _("Choose from: wechat, sms, email."))
        if len(set(channels)) != len(channels):
            raise _invalid(field, _("List each channel once."))
        return channels
    if field == "birth_date":
        # Verification derives the birth date from the ID number; after that it is a fact that
        # age rules rely on, not a preference.
        if member.is_verified:
            raise _invalid(
                field, _("Your birth date comes from your verified ID and cannot be changed.")
            )
        if value is not None and not date(1900, 1, 1) <= value <= today:
            raise _invalid(field, _("Enter your real birth date."))
        return value
    return value


def member_update(*, member: User, data: dict[str, Any], today: date | None = None) -> User:
    """Change the fields in ``data`` (a subset of ``EDITABLE``); return the member as saved."""
    today = today or timezone.localdate()
    if fixed := sorted(data.keys() - EDITABLE):
        raise Invalid(fields={field: [_("This field cannot be changed.")] for field in fixed})
    with transaction.atomic():
        locked = lock(member)
        changes = {field: _clean(locked, field, value, today) for field, value in data.items()}
        for field, value in changes.items():
            setattr(locked, field, value)
        if changes:
            locked.save(update_fields=sorted(changes))
    if changes:
        logger.info("member %s changed %s", member.pk, ", ".join(sorted(changes)))
    return locked
