"""The no-show policy (爽约): per center, N no-shows within a rolling window suspend booking
and registering for some days; the first no-show brings a warning."""

import logging
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from centers.models import Center
from core.errors import Conflict
from core.locks import lock
from core.reasons import require_reason
from members import errors
from members.messages import MemberMessage
from members.models import NoShow, Suspension, User
from notifications.notify import notify

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    ALREADY_RECORDED = "already_recorded"
    RECORDED = "recorded"
    WARNED = "warned"
    SUSPENDED = "suspended"


def active_suspension(member: User, at: datetime | None = None) -> Suspension | None:
    at = at or timezone.now()
    return (
        Suspension.objects.filter(member=member, lifted_at__isnull=True, ends_at__gt=at)
        .order_by("-ends_at")
        .first()
    )


def member_ensure_not_suspended(member: User, at: datetime | None = None) -> None:
    """Raise MemberSuspended, saying until when, if the member may not book or register."""
    suspension = active_suspension(member, at)
    if suspension is not None:
        until = timezone.localtime(suspension.ends_at, suspension.center.tz)
        raise errors.MemberSuspended(
            _("Your booking and registration are suspended until %(date)s after missed visits.")
            % {"date": formats.date_format(until, "Y-m-d H:i")}
        )


def no_show_record(*, member: User, center: Center, cause: Any, occurred_at: datetime) -> Outcome:
    """Record that ``member`` missed ``cause`` (a booking or a registration). Safe to call twice
    for the same cause. Warns on the first no-show, suspends when the policy says so."""
    with transaction.atomic():
        # Serialize per member so two no-shows recorded at once cannot both miss the limit.
        lock(member)
        try:
            with transaction.atomic():
                NoShow.objects.create(
                    member=member,
                    center=center,
                    occurred_at=occurred_at,
                    cause_type=ContentType.objects.get_for_model(cause),
                    cause_id=cause.pk,
                )
        except IntegrityError:
            return Outcome.ALREADY_RECORDED

        window_start = occurred_at - timedelta(days=center.no_show_window_days)
        last = (
            Suspension.objects.filter(member=member, center=center).order_by("-starts_at").first()
        )
        if last is not None and last.starts_at > window_start:
            # No-shows that led to a suspension are spent; counting starts afresh after it.
            window_start = last.starts_at
        count = NoShow.objects.filter(
            member=member, center=center, occurred_at__gt=window_start, occurred_at__lte=occurred_at
        ).count()

        if count >= center.no_show_limit and active_suspension(member) is None:
            now = timezone.now()
            suspension = Suspension.objects.create(
                member=member,
                center=center,
                starts_at=now,
                ends_at=now + timedelta(days=center.suspension_days),
                reason=_("%(count)d no-shows within %(days)d days")
                % {"count": count, "days": center.no_show_window_days},
            )
            notify(MemberMessage.SUSPENDED, recipient=member, obj=suspension)
            logger.info("member %s suspended until %s", member.pk, suspension.ends_at)
            return Outcome.SUSPENDED
        if count == 1:
            notify(MemberMessage.NO_SHOW_WARNING, recipient=member, obj=cause)
            return Outcome.WARNED
        return Outcome.RECORDED


def suspension_lift(*, suspension: Suspension, by: User, reason: str) -> Suspension:
    reason = require_reason(reason)
    lifted = Suspension.objects.filter(pk=suspension.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=by, lift_reason=reason[:200]
    )
    if not lifted:
        raise Conflict(_("This suspension was already lifted."))
    suspension.refresh_from_db()
    logger.info("suspension %s lifted by %s", suspension.pk, by.pk)
    return suspension
