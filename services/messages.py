"""What service programs tell members: the kinds of message, their texts and fields, when a
message about a registration still applies, and the reminder query."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import F, Q
from django.utils.translation import gettext_noop

from centers.selectors import reminder_offsets
from notifications import registry
from notifications.registry import Reminder, Text
from notifications.services import recipient_fields
from notifications.texts import local_time
from services import rules
from services.models import HomeVisitRequest, Registration, Session


class ProgramMessage(StrEnum):
    REGISTRATION_CONFIRMED = "registration_confirmed"
    REGISTRATION_WAITLISTED = "registration_waitlisted"
    REGISTRATION_ENTERED = "registration_entered"
    WAITLIST_OFFER = "waitlist_offer"
    OFFER_EXPIRED = "offer_expired"
    LOTTERY_CONFIRMED = "lottery_confirmed"
    LOTTERY_WAITLISTED = "lottery_waitlisted"
    SESSION_CHANGED = "session_changed"
    SESSION_CANCELLED = "session_cancelled"
    HOME_VISIT_SCHEDULED = "home_visit_scheduled"


registry.register_kinds(
    ProgramMessage,
    {
        ProgramMessage.REGISTRATION_CONFIRMED: Text(
            gettext_noop("Registration confirmed"),
            gettext_noop("You have a seat at %(title)s on %(when)s. Check-in code: %(code)s."),
        ),
        ProgramMessage.REGISTRATION_WAITLISTED: Text(
            gettext_noop("On the waitlist"),
            gettext_noop(
                "%(title)s on %(when)s is full. You are number %(position)s on the waitlist."
            ),
        ),
        ProgramMessage.REGISTRATION_ENTERED: Text(
            gettext_noop("Entered in the draw"),
            gettext_noop("You are entered in the draw for %(title)s on %(when)s."),
        ),
        ProgramMessage.WAITLIST_OFFER: Text(
            gettext_noop("A seat for you"),
            gettext_noop("A seat at %(title)s on %(when)s is yours if you accept by %(deadline)s."),
        ),
        ProgramMessage.OFFER_EXPIRED: Text(
            gettext_noop("Offer expired"),
            gettext_noop(
                "The seat offered to you at %(title)s on %(when)s has gone to the next person."
            ),
        ),
        ProgramMessage.LOTTERY_CONFIRMED: Text(
            gettext_noop("You won a seat"),
            gettext_noop("You won a seat at %(title)s on %(when)s. Check-in code: %(code)s."),
        ),
        ProgramMessage.LOTTERY_WAITLISTED: Text(
            gettext_noop("Not drawn this time"),
            gettext_noop(
                "You were not drawn for %(title)s on %(when)s; you are number %(position)s on the waitlist."
            ),
        ),
        ProgramMessage.SESSION_CHANGED: Text(
            gettext_noop("Session changed"),
            gettext_noop("%(title)s has changed: it is now on %(when)s. %(note)s"),
        ),
        ProgramMessage.SESSION_CANCELLED: Text(
            gettext_noop("Session cancelled"),
            gettext_noop("%(title)s on %(when)s is cancelled. Any points you paid are back."),
        ),
        ProgramMessage.HOME_VISIT_SCHEDULED: Text(
            gettext_noop("Home visit scheduled"),
            gettext_noop("Your home visit (%(title)s) is scheduled for %(when)s."),
        ),
    },
    repeatable=[ProgramMessage.SESSION_CHANGED, ProgramMessage.HOME_VISIT_SCHEDULED],
)

# What a member hears when registering (by the outcome) and after a draw (by its result).
REGISTERED = {
    Registration.Status.CONFIRMED: ProgramMessage.REGISTRATION_CONFIRMED,
    Registration.Status.WAITLISTED: ProgramMessage.REGISTRATION_WAITLISTED,
    Registration.Status.ENTERED: ProgramMessage.REGISTRATION_ENTERED,
}
DRAWN = {
    Registration.Status.CONFIRMED: ProgramMessage.LOTTERY_CONFIRMED,
    Registration.Status.WAITLISTED: ProgramMessage.LOTTERY_WAITLISTED,
}


def registration_fields(registration: Registration) -> dict[str, str]:
    session = registration.session
    tz = session.program.center.tz
    expires = registration.offer_expires_at
    return {
        "title": session.program.title,
        # Reminders and no-show warnings name a "place" for bookings and registrations alike.
        "place": session.program.title,
        "when": local_time(session.start, tz),
        "code": registration.check_in_code,
        "position": str(registration.position or ""),
        "deadline": local_time(expires, tz) if expires else "",
    }


def registration_still_applies(registration: Registration, kind: str, now: datetime) -> bool:
    if kind == registry.REMINDER:
        return rules.is_upcoming(registration, now)
    if kind == ProgramMessage.WAITLIST_OFFER:
        return rules.can_accept(registration, now)
    return True


def session_fields(session: Session) -> dict[str, str]:
    return {
        "title": session.program.title,
        "when": local_time(session.start, session.program.center.tz),
        "note": session.note,
    }


def home_visit_fields(visit: HomeVisitRequest) -> dict[str, str]:
    tz = visit.program.center.tz
    return {
        "title": visit.program.title,
        "when": local_time(visit.scheduled_at, tz) if visit.scheduled_at else "",
    }


registry.register_about(
    Registration,
    fields=registration_fields,
    still_applies=registration_still_applies,
    center="session__program__center_id",
)
registry.register_about(Session, fields=session_fields, center="program__center_id")
registry.register_about(HomeVisitRequest, fields=home_visit_fields, center="program__center_id")


@registry.reminder_source
def registration_reminders(now: datetime) -> Iterator[Reminder]:
    """For each reminder offset h (per center): seated registrations whose session starts
    within h hours, made before their reminder time and with no such reminder yet."""
    for hours in reminder_offsets():
        window = timedelta(hours=hours)
        # Sessions in the window first (an index range scan), then their unreminded seats: no
        # anti-join against the outbox.
        registrations = list(
            Registration.objects.filter(
                Q(reminded_hours__isnull=True) | Q(reminded_hours__gt=hours),
                status=Registration.Status.CONFIRMED,
                session__start__gt=now,
                session__start__lte=now + window,
                created__lte=F("session__start") - window,
            )
            .select_related("member", "session__program__center")
            .only("session__program__center__reminder_hours", *recipient_fields("member"))
        )
        for registration in registrations:
            if hours in registration.session.program.center.reminder_offsets:
                yield Reminder(registration.member, registration, hours)
        Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
            reminded_hours=hours
        )
