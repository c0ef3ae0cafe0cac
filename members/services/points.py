"""The points ledger (积分): append-only entries, a balance that never goes negative.

Every change is one conditional UPDATE of the member's balance plus one ledger row, in one
transaction. The UPDATE takes the member's row lock, so concurrent spends queue up and each
sees the balance the previous one left; ``points_balance >= amount`` in its WHERE clause and
the CHECK constraint make overdrawing impossible.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from centers.models import Center
from core.errors import Conflict, Invalid
from core.reasons import require_reason
from members import errors
from members.models import PointsEntry, User

Kind = PointsEntry.Kind


class AlreadyRecorded(Conflict):
    code = "already_recorded"


def _change(
    *,
    member: User,
    delta: int,
    kind: str,
    reason: str,
    center: Center | None = None,
    by: User | None = None,
    cause: Any = None,
) -> PointsEntry:
    if delta == 0:
        raise Invalid(_("The number of points cannot be zero."), fields={"delta": [_("Not 0.")]})
    cause_fields: dict[str, Any] = {}
    if cause is not None:
        cause_fields = {
            "cause_type": ContentType.objects.get_for_model(cause),
            "cause_id": cause.pk,
        }
    try:
        with transaction.atomic():
            rows = User.objects.filter(pk=member.pk)
            if delta < 0:
                rows = rows.filter(points_balance__gte=-delta)
            if not rows.update(points_balance=F("points_balance") + delta):
                raise errors.InsufficientPoints()
            balance = User.objects.filter(pk=member.pk).values_list("points_balance", flat=True)
            entry = PointsEntry.objects.create(
                member=member,
                kind=kind,
                delta=delta,
                balance_after=balance.get(),
                # Reasons built from members' words (a volunteer record's description) may run
                # past the column, which PostgreSQL would refuse.
                reason=reason[: PointsEntry._meta.get_field("reason").max_length],
                center=center,
                created_by=by,
                **cause_fields,
            )
    except IntegrityError:
        # The unique (cause, kind) constraint: this cause already earned, spent or refunded.
        raise AlreadyRecorded(_("These points were already recorded.")) from None
    member.points_balance = entry.balance_after
    return entry


def points_earn(
    *,
    member: User,
    amount: int,
    kind: str,
    reason: str,
    center: Center | None = None,
    cause: Any = None,
    by: User | None = None,
) -> PointsEntry:
    if amount <= 0:
        raise Invalid(_("Points earned must be positive."))
    return _change(
        member=member, delta=amount, kind=kind, reason=reason, center=center, cause=cause, by=by
    )


def points_spend(
    *, member: User, amount: int, reason: str, center: Center | None = None, cause: Any = None
) -> PointsEntry:
    """Raises InsufficientPoints when the balance is too low."""
    if amount <= 0:
        raise Invalid(_("Points spent must be positive."))
    return _change(
        member=member, delta=-amount, kind=Kind.SPEND, reason=reason, center=center, cause=cause
    )


def points_refund(*, member: User, cause: Any, reason: str) -> PointsEntry | None:
    """Give back what ``cause`` spent, once; None when it spent nothing."""
    spent = PointsEntry.objects.filter(
        member=member,
        kind=Kind.SPEND,
        cause_type=ContentType.objects.get_for_model(cause),
        cause_id=cause.pk,
    ).first()
    if spent is None:
        return None
    return _change(
        member=member,
        delta=-spent.delta,
        kind=Kind.REFUND,
        reason=reason,
        center=spent.center,
        cause=cause,
    )


def points_adjust(
    *, member: User, delta: int, reason: str, by: User, center: Center
) -> PointsEntry:
    """A staff correction, with the reason recorded."""
    reason = require_reason(reason)
    return _change(
        member=member,
        delta=delta,
        kind=Kind.ADJUSTMENT,
        reason=reason,
        center=center,
        by=by,
    )
