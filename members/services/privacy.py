"""A member's rights over their data (PIPL): see all of it, and delete the account.

Deleting anonymizes: the account row stays (bookings and registrations still point at it, so
history and counts stay right) but nothing in it identifies the person any more.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from core.locks import lock
from members.models import User

logger = logging.getLogger(__name__)

EXPORT_FILENAME = "linli-export.json"
# The centers' zone (API.md: times on output are in the center's zone, +08:00).
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Other apps add their part of the export here: (key, function(member) -> JSON-able value).
EXPORT_SECTIONS: list[tuple[str, Any]] = []
# ... and clear what identifies the member in their own rows (a booking's purpose, a
# registration's note) while keeping the rows: function(member) -> None, run inside
# member_delete's transaction.
ANONYMIZERS: list[Callable[[User], None]] = []


def export_section(key: str):
    def register(fn):
        EXPORT_SECTIONS.append((key, fn))
        return fn

    return register


def anonymizer(fn: Callable[[User], None]) -> Callable[[User], None]:
    ANONYMIZERS.append(fn)
    return fn


# ... and, when their anonymizer locks rows that come before the member in the lock order
# (core.locks), lock those first: function(member) -> None, before the member's row is locked.
LOCKS_BEFORE_DELETE: list[Callable[[User], None]] = []


def locks_before_delete(fn: Callable[[User], None]) -> Callable[[User], None]:
    LOCKS_BEFORE_DELETE.append(fn)
    return fn


def member_export(member: User) -> dict[str, Any]:
    """Everything the system holds about ``member``, as JSON-able data. The ID number is shown
    masked even here: the member knows it, and a leaked export should not carry it."""
    from members.models import PointsEntry, Suspension, NoShow, VolunteerRecord  # noqa: I001

    data: dict[str, Any] = {
        "account": {
            "id": member.pk,
            "username": member.username,
            "display_name": member.display_name,
            "email": member.email,
            "phone": member.phone or "",
            "birth_date": member.birth_date.isoformat() if member.birth_date else None,
            "neighbourhood": member.neighbourhood,
            "language": member.language,
            "notification_channels": member.notification_channels,
            "is_party_member": member.is_party_member,
            "is_verified": member.is_verified,
            "id_number_masked": member.id_number_masked,
            "date_joined": member.date_joined,
            "last_login": member.last_login if member.last_login else None,
        },
        "wechat_accounts": [
            {"appid": w.appid, "openid": w.openid, "unionid": w.unionid}
            for w in member.wechat_accounts.all()
        ],
        "teams": [{"id": t.pk, "name": t.name} for t in member.teams.all()],
        "points": {
            "balance": member.points_balance,
            "entries": [
                {
                    "delta": e.delta,
                    "reason": e.reason,
                    "kind": e.kind,
                    "created": e.created,
                }
                for e in PointsEntry.objects.filter(member=member).order_by("created", "id")
            ],
        },
        "volunteer_records": [
            {
                "day": r.day.isoformat(),
                "hours": str(r.hours),
                "description": r.description,
                "status": r.status,
            }
            for r in VolunteerRecord.objects.filter(member=member).order_by("day")
        ],
        "no_shows": [
            {"occurred_at": n.occurred_at}
            for n in NoShow.objects.filter(member=member).order_by("occurred_at")
        ],
        "suspensions": [
            {
                "from": s.starts_at,
                "until": s.ends_at,
                "reason": s.reason,
                "lifted_at": s.lifted_at if s.lifted_at else None,
            }
            for s in Suspension.objects.filter(member=member).order_by("starts_at")
        ],
    }
    for key, section in EXPORT_SECTIONS:
        data[key] = section(member)
    return _local_times(data)


def _local_times(data: Any) -> Any:
    """Every moment as ISO 8601 in the centers' zone (+08:00), as everywhere in the API;
    sections hand over datetimes, stored in UTC."""
    if isinstance(data, datetime):
        return timezone.localtime(data, SHANGHAI).isoformat()
    if isinstance(data, dict):
        return {key: _local_times(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_local_times(item) for item in data]
    return data


def member_delete(*, member: User) -> User:
    """Anonymize the account and log it out everywhere."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        # What the anonymizers will lock and comes before the member in the lock order
        # (core.locks: the sessions of registrations to cancel), first.
        for lock_first in LOCKS_BEFORE_DELETE:
            lock_first(member)
        user = lock(member)
        user.username = f"deleted-{user.pk}"
        user.first_name = user.last_name = user.display_name = ""
        user.email = ""
        user.phone = None
        user.phone_verified = False
        user.birth_date = None
        user.neighbourhood = ""
        user.notification_channels = []
        user.is_party_member = False
        user.real_name_encrypted = user.id_number_encrypted = ""
        user.id_number_digest = None
        user.verified_at = None
        user.is_active = False
        user.is_staff = user.is_superuser = False
        user.anonymized_at = timezone.now()
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.filter(user=user).delete()
        user.wechat_accounts.all().delete()
        user.team_memberships.all().delete()
        user.staff_assignments.all().delete()
        for anonymize in ANONYMIZERS:
            anonymize(user)
        # No session survives: the unusable password changes the session auth hash that Django
        # checks on every request (browser sessions and app tokens alike), and is_active=False
        # stops the auth backend.
    logger.info("member %s deleted their account (anonymized)", user.pk)
    return user
