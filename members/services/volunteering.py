from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
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
    return record
