from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.permissions import Action, staff_can
from core.errors import Invalid, NotFound
from members.models import User
from members.services.eligibility import eligibility_check
from members.services.no_shows import member_ensure_not_suspended
from notifications.notify import notify
from services.messages import ProgramMessage
from services.models import HomeVisitRequest, Program


def home_visit_request(
    *, program: Program, member: User, address: str, preferred_time: str, notes: str = ""
) -> HomeVisitRequest:
    """预约上门服务: a member (often elderly or disabled) asks for a visit at home."""
    if program.category != Program.Category.HOME_VISIT or not program.is_active:
        raise Invalid(_("This program does not take home-visit requests."))
    member_ensure_not_suspended(member)
    eligibility_check(member=member, rule=program.eligibility, on=timezone.localdate())
    address = address.strip()
    if not address:
        raise Invalid(_("Give the address."), fields={"address": [_("Required.")]})
    return HomeVisitRequest.objects.create(
        program=program,
        member=member,
        address=address[:200],
        preferred_time=preferred_time.strip()[:100],
        notes=notes.strip(),
    )


def home_visit_schedule(
    *, request: HomeVisitRequest, by: User, assignee: User, when: datetime
) -> HomeVisitRequest:
    if not staff_can(by, Action.MANAGE_SESSIONS, request.program.center_id):
        raise NotFound()
    # Someone who works at the center goes to the member's home, never any account.
    if not staff_can(assignee, Action.VIEW, request.program.center_id):
        message = _("Choose a staff member of this center.")
        raise Invalid(message, fields={"assignee": [message]})
    with transaction.atomic():
        updated = HomeVisitRequest.objects.filter(
            pk=request.pk,
            status__in=[HomeVisitRequest.Status.REQUESTED, HomeVisitRequest.Status.SCHEDULED],
        ).update(status=HomeVisitRequest.Status.SCHEDULED, assignee=assignee, scheduled_at=when)
        if not updated:
            raise Invalid(_("This request is closed."))
        request.refresh_from_db()
        notify(ProgramMessage.HOME_VISIT_SCHEDULED, recipient=request.member, obj=request)
    return request
