"""What each kind of message says, in the member's language.

Texts are gettext strings filled from the object the message is about, so the .po file holds
both languages. ``fields`` also feeds WeChat subscribe-message templates (short values).
"""

from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# kind -> (subject, body); bodies use %(name)s placeholders filled by _fields().
TEXTS: dict[str, tuple[str, str]] = {
    "booking_confirmed": (
        gettext_noop("Booking confirmed"),
        gettext_noop(
            "Your booking of %(place)s on %(when)s is confirmed. Check-in code: %(code)s."
        ),
    ),
    "booking_pending": (
        gettext_noop("Booking received"),
        gettext_noop(
            "We received your booking of %(place)s on %(when)s. Staff will confirm it soon."
        ),
    ),
    "booking_approved": (
        gettext_noop("Booking approved"),
        gettext_noop("Your booking of %(place)s on %(when)s is approved. Check-in code: %(code)s."),
    ),
    "booking_rejected": (
        gettext_noop("Booking not approved"),
        gettext_noop("Sorry, your booking of %(place)s on %(when)s was not approved. %(reason)s"),
    ),
    "booking_cancelled_by_staff": (
        gettext_noop("Booking cancelled"),
        gettext_noop("Staff cancelled your booking of %(place)s on %(when)s. Reason: %(reason)s"),
    ),
    "reminder": (
        gettext_noop("Reminder"),
        gettext_noop("Reminder: %(place)s on %(when)s. Check-in code: %(code)s."),
    ),
    "registration_confirmed": (
        gettext_noop("Registration confirmed"),
        gettext_noop("You have a seat at %(title)s on %(when)s. Check-in code: %(code)s."),
    ),
    "registration_waitlisted": (
        gettext_noop("On the waitlist"),
        gettext_noop("%(title)s on %(when)s is full. You are number %(position)s on the waitlist."),
    ),
    "registration_entered": (
        gettext_noop("Entered in the draw"),
        gettext_noop("You are entered in the draw for %(title)s on %(when)s."),
    ),
    "waitlist_offer": (
        gettext_noop("A seat for you"),
        gettext_noop("A seat at %(title)s on %(when)s is yours if you accept by %(deadline)s."),
    ),
    "offer_expired": (
        gettext_noop("Offer expired"),
        gettext_noop(
            "The seat offered to you at %(title)s on %(when)s has gone to the next person."
        ),
    ),
    "lottery_confirmed": (
        gettext_noop("You won a seat"),
        gettext_noop("You won a seat at %(title)s on %(when)s. Check-in code: %(code)s."),
    ),
    "lottery_waitlisted": (
        gettext_noop("Not drawn this time"),
        gettext_noop(
            "You were not drawn for %(title)s on %(when)s; you are number %(position)s on the waitlist."
        ),
    ),
    "session_changed": (
        gettext_noop("Session changed"),
        gettext_noop("%(title)s has changed: it is now on %(when)s. %(note)s"),
    ),
    "session_cancelled": (
        gettext_noop("Session cancelled"),
        gettext_noop("%(title)s on %(when)s is cancelled. Any points you paid are back."),
    ),
    "no_show_warning": (
        gettext_noop("You missed a booking"),
        gettext_noop(
            "You did not come to %(place)s on %(when)s. Please cancel in time if you cannot come: repeated no-shows suspend booking."
        ),
    ),
    "suspended": (
        gettext_noop("Booking suspended"),
        gettext_noop(
            "After several missed visits, booking and registering are suspended until %(until)s."
        ),
    ),
    "home_visit_scheduled": (
        gettext_noop("Home visit scheduled"),
        gettext_noop("Your home visit (%(title)s) is scheduled for %(when)s."),
    ),
    "staff_digest": (
        gettext_noop("Bookings awaiting approval"),
        gettext_noop("%(count)s bookings at %(place)s are waiting for your approval."),
    ),
}


def base_kind(kind: str) -> str:
    """``reminder_24h`` → ``reminder``; ``session_changed@17...`` → ``session_changed``."""
    kind = kind.split("@", 1)[0]
    return "reminder" if kind.startswith("reminder_") else kind


@dataclass
class Rendered:
    subject: str
    body: str
    fields: dict[str, str]


def _when(moment, tz) -> str:
    return formats.date_format(timezone.localtime(moment, tz), "Y-m-d H:i")


def _fields(about: Any, context: dict) -> dict[str, str]:
    from bookings.models import Booking
    from members.models import Suspension
    from services.models import HomeVisitRequest, Registration, Session

    fields: dict[str, str] = {"reason": "", "note": "", "code": "", "position": ""}
    if isinstance(about, Booking):
        tz = about.space.center.tz
        last = about.events.order_by("-at", "-id").first()
        fields |= {
            "place": f"{about.space.center.name}{about.space.name}",
            "when": _when(about.start, tz),
            "code": about.check_in_code,
            "reason": last.reason if last else "",
        }
    elif isinstance(about, Registration):
        session = about.session
        tz = session.program.center.tz
        fields |= {
            "title": session.program.title,
            # Reminders and no-show warnings name a "place" for bookings and registrations alike.
            "place": session.program.title,
            "when": _when(session.start, tz),
            "code": about.check_in_code,
            "position": str(about.position or ""),
            "deadline": _when(about.offer_expires_at, tz) if about.offer_expires_at else "",
        }
    elif isinstance(about, Session):
        tz = about.program.center.tz
        fields |= {
            "title": about.program.title,
            "when": _when(about.start, tz),
            "note": about.note,
        }
    elif isinstance(about, Suspension):
        fields |= {"until": _when(about.ends_at, about.center.tz)}
    elif isinstance(about, HomeVisitRequest):
        tz = about.program.center.tz
        fields |= {
            "title": about.program.title,
            "when": _when(about.scheduled_at, tz) if about.scheduled_at else "",
        }
    fields |= {k: str(v) for k, v in context.items()}
    return fields


def render(kind: str, about: Any, context: dict, language: str) -> Rendered:
    subject, body = TEXTS[base_kind(kind)]
    with translation.override(language or "zh-hans"):
        fields = _fields(about, context)
        return Rendered(
            subject=f"【{_('Linli')}】{_(subject)}",
            body=_(body) % _Defaulting(fields),
            fields=fields,
        )


class _Defaulting(dict):
    """Missing placeholders print as empty rather than failing a whole message."""

    def __missing__(self, key: str) -> str:
        return ""
