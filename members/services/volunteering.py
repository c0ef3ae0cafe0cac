from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Center
from core.errors import Conflict, Invalid
from members.models import PointsEntry, User, VolunteerRecord
from members.services.points import points_earn

Status = VolunteerRecord.Status


def volunteer_record_create(
    *, member: User, center: Center, day: date, hours: Decimal, description: str
) -> VolunteerRecord:
    if not Decimal("0") < hours <= Decimal("24"):
        raise Invalid(_("Hours must be between 0 and 24."), fields={"hours": [_("0–24")]})
    if day > timezone.localdate(timezone=center.tz):
        raise Invalid(_("Volunteer hours cannot be in the future."), fields={"day": [_("Future")]})
    return VolunteerRecord.objects.create(
        member=member, center=center, day=day, hours=hours, description=description.strip()
    )


def volunteer_record_review(*, record: VolunteerRecord, by: User, approve: bool) -> VolunteerRecord:
    """Approve (the member earns the center's points per hour) or reject, exactly once."""
    with transaction.atomic():
        claimed = VolunteerRecord.objects.filter(pk=record.pk, status=Status.PENDING).update(
            status=Status.APPROVED if approve else Status.REJECTED,
            reviewed_by=by,
            reviewed_at=timezone.now(),
        )
        if not claimed:
            raise Conflict(_("This record was already reviewed."))
        record.refresh_from_db()
        if approve:
            _earn(record, by)
    return record


def _earn(record: VolunteerRecord, by: User) -> None:
    """The center's points per hour, once per record (the ledger's unique cause)."""
    points = int(
        (record.hours * record.center.points_per_volunteer_hour).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )
    )
    if points > 0:
        points_earn(
            member=record.member,
            amount=points,
            kind=PointsEntry.Kind.VOLUNTEER,
            reason=_("Volunteering on %(day)s: %(what)s")
            % {"day": record.day.isoformat(), "what": record.description},
            center=record.center,
            cause=record,
            by=by,
        )


def volunteer_shift_record(
    *,
    member: User,
    center: Center,
    day: date,
    hours: Decimal,
    description: str,
    by: User,
    cause: Any,
) -> VolunteerRecord:
    """Hours staff saw a member volunteer (a shift they confirmed): approved as they are
    written, with their points. One record per ``cause``, whoever confirms it twice."""
    hours = min(max(hours, Decimal("0.5")), Decimal("24"))
    try:
        with transaction.atomic():
            record = VolunteerRecord.objects.create(
                member=member,
                center=center,
                day=day,
                hours=hours,
                description=description.strip()[:200],
                status=Status.APPROVED,
                reviewed_by=by,
                reviewed_at=timezone.now(),
                cause_type=ContentType.objects.get_for_model(cause),
                cause_id=cause.pk,
            )
            _earn(record, by)
    except IntegrityError:
        raise Conflict(_("These hours were already recorded.")) from None
    return record
