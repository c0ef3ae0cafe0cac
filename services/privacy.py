"""The member's registrations and home-visit requests in their data export, and what
deleting the account does to them.

The rows stay (attendance counts, waitlist positions and the lottery record stay right, and
they point at the anonymized account). Registrations for sessions still to come are
cancelled, so their seats go to the waitlist at once; open home-visit requests are cancelled;
the address, the notes and the preferred time, free text that locates or names the person,
are cleared.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.locks import lock_all
from members.models import User
from members.services.privacy import anonymizer, export_section, locks_before_delete
from services.models import HomeVisitRequest, Registration, Session
from services.services.registration import registration_cancel

Status = Registration.Status
# A member who checked in came: that stays as it is.
CANCELLED_ON_DELETE = (Status.ENTERED, Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED)
OPEN_VISITS = (HomeVisitRequest.Status.REQUESTED, HomeVisitRequest.Status.SCHEDULED)


@export_section("registrations")
def registrations_export(member: User) -> list[dict[str, Any]]:
    registrations = (
        Registration.objects.filter(member=member)
        .select_related("session__program__center")
        .order_by("session__start", "id")
    )
    return [
        {
            "id": r.pk,
            "program": r.session.program.title,
            "center": r.session.program.center.name,
            "session_start": r.session.start,
            "session_end": r.session.end,
            "status": r.status,
            "party_size": r.party_size,
            "waitlist_position": r.position,
            "checked_in_at": r.checked_in_at if r.checked_in_at else None,
            "created": r.created,
        }
        for r in registrations
    ]


@export_section("home_visits")
def home_visits_export(member: User) -> list[dict[str, Any]]:
    requests = (
        HomeVisitRequest.objects.filter(member=member)
        .select_related("program")
        .order_by("created", "id")
    )
    return [
        {
            "id": v.pk,
            "program": v.program.title,
            "address": v.address,
            "preferred_time": v.preferred_time,
            "notes": v.notes,
            "status": v.status,
            "scheduled_at": v.scheduled_at if v.scheduled_at else None,
            "created": v.created,
        }
        for v in requests
    ]


def _to_cancel(member: User, now) -> QuerySet[Registration]:
    return Registration.objects.filter(
        member=member, status__in=CANCELLED_ON_DELETE, session__start__gt=now
    )


@locks_before_delete
def registrations_lock(member: User) -> None:
    """The sessions whose registrations the anonymizer cancels (it locks each again: held
    already, no new wait)."""
    sessions = Session.objects.filter(
        pk__in=_to_cancel(member, timezone.now()).values("session_id")
    )
    lock_all(*sessions)


@anonymizer
def registrations_anonymize(member: User) -> None:
    """Run inside member_delete's transaction. Cancelling goes through registration_cancel, so
    seats are released and offered to the waitlist, and points come back as they would if
    the member had cancelled (before the deadline)."""
    now = timezone.now()
    reason = _("account deleted")
    for registration in _to_cancel(member, now).order_by("id"):
        registration_cancel(registration=registration, by=member, reason=reason, now=now)
    HomeVisitRequest.objects.filter(member=member, status__in=OPEN_VISITS).update(
        status=HomeVisitRequest.Status.CANCELLED
    )
    HomeVisitRequest.objects.filter(member=member).update(address="", notes="", preferred_time="")
