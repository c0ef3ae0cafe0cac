import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import errors, rules
from bookings.messages import BookingMessage
from bookings.models import Booking, BookingSeries
from bookings.services import holds
from centers.models import Space
from centers.permissions import Action, staff_can
from core.audit import record_event
from core.codes import short_code
from core.errors import Invalid
from members.errors import NotEligible
from members.models import Team, User
from members.selectors import may_act_for, member_teams
from members.services.eligibility import eligibility_check
from members.services.no_shows import member_ensure_not_suspended
from members.services.teams import member_leads
from notifications.notify import notify
from notifications.registry import copy_readers

logger = logging.getLogger(__name__)


def member_team(member: User, team_id: int | None) -> Team | None:
    """The team ``member`` books for, by its id: one of the member's own teams. Another team
    is not eligible (and whether it exists is not told); only its leader may book for it
    (``booking_create`` checks)."""
    if team_id is None:
        return None
    team = member_teams(member).filter(pk=team_id).first()
    if team is None:
        raise NotEligible()
    return team


def booking_create(
    *,
    member: User,
    space: Space,
    start: datetime,
    end: datetime,
    purpose: str = "",
    attendees: int = 1,
    team: Team | None = None,
    by: User | None = None,
    series: BookingSeries | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book one unit of ``space`` for ``member`` (or their team), checking every rule of the
    space. ``by`` is who acts: the member, a family member acting for them (the member's rules
    apply), or staff booking for them (staff skip the member rules — notice, horizon, quotas,
    eligibility — but never the hours or the free units)."""
    now = now or timezone.now()
    by = by or member
    acts_for = may_act_for(by, member)
    as_staff = not acts_for and staff_can(by, Action.MANAGE_BOOKINGS, space.center_id)
    if not acts_for and not as_staff:
        raise NotEligible()

    if not rules.is_bookable(space):
        raise errors.SpaceNotBookable()
    if not as_staff:
        member_ensure_not_suspended(member, now)
    rules.check_times(space, start, end, now)
    if not as_staff and series is None:
        rules.check_notice(space, start, now)
    rules.check_opening_hours(space, start, end)
    if not as_staff:
        eligibility_check(
            member=member, rule=space.eligibility, on=start.astimezone(space.center.tz).date()
        )
        if team is not None and not member_leads(member, team):
            raise NotEligible(_("Only the team's leader can book for the team."))
    if attendees < 1 or attendees > max(space.capacity, 1):
        message = _("This space holds at most %(n)d people.") % {"n": space.capacity}
        raise Invalid(message, fields={"attendees": [message]})

    # Who reads the member's messages too (family acting for them), asked now rather than by
    # the message under the space's lock.
    readers = copy_readers(member)
    with transaction.atomic():
        # The space's lock alone: every quota counts bookings of this space, so it serializes
        # the member's (and the team's) concurrent bookings here too.
        holds.lock_space(space)
        if not as_staff:
            rules.check_quotas(space, member, team, start, end, now)
        block_start, block_end = holds.buffered(space, start, end)
        unit = holds.unit_to_take(space, block_start, block_end)
        if unit is None:
            raise errors.SlotTaken()
        status = (
            Booking.Status.PENDING
            if space.requires_approval and not as_staff
            else Booking.Status.CONFIRMED
        )
        booking = Booking.objects.create(
            space=space,
            unit=unit,
            member=member,
            team=team,
            series=series,
            start=start,
            end=end,
            status=status,
            purpose=purpose.strip()[:200],
            attendees=attendees,
            check_in_code=short_code(8),
            access_code=short_code(6) if space.uses_access_codes else None,
            cancel_until=rules.cancel_until(space, start),
            created_by=by,
        )
        holds.take(space, booking.unit, block_start, block_end, booking=booking)
        record_event(booking, "create", "", status, by)
        notify(
            BookingMessage.PENDING
            if status == Booking.Status.PENDING
            else BookingMessage.CONFIRMED,
            recipient=member,
            obj=booking,
            readers=readers,
            fresh=True,  # the booking is new: no message about it can exist yet
        )
    logger.info("booking %s created (%s) unit %s", booking.pk, status, booking.unit)
    return booking
