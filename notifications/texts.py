"""What each kind of message says, in the member's language.

Texts are gettext strings filled from the object the message is about, so the .po file holds
both languages. ``fields`` also feeds WeChat subscribe-message templates (short values).
"""

from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

# kind -> (subject, body); bodies use %(name)s placeholders filled by _fields().
TEXTS: dict[str, tuple[str, str]] = {
    "booking_confirmed": (
        N_("Booking confirmed"),
        N_("Your booking of %(place)s on %(when)s is confirmed. Check-in code: %(code)s."),
    ),
    "booking_pending": (
        N_("Booking received"),
        N_("We received your booking of %(place)s on %(when)s. Staff will confirm it soon."),
    ),
    "booking_approved": (
        N_("Booking approved"),
        N_("Your booking of %(place)s on %(when)s is approved. Check-in code: %(code)s."),
    ),
    "booking_rejected": (
        N_("Booking not approved"),
        N_("Sorry, your booking of %(place)s on %(when)s was not approved. %(reason)s"),
    ),
    "booking_cancelled_by_staff": (
        N_("Booking cancelled"),
        N_("Staff cancelled your booking of %(place)s on %(when)s. Reason: %(reason)s"),
    ),
    "reminder": (
        N_("Reminder"),
        N_("Reminder: %(place)s on %(when)s. Check-in code: %(code)s."),
    ),
    "registration_confirmed": (
        N_("Registration confirmed"),
        N_("You have a seat at %(title)s on %(when)s. Check-in code: %(code)s."),
    ),
    "registration_waitlisted": (
        N_("On the waitlist"),
        N_("%(title)s on %(when)s is full. You are number %(position)s on the waitlist."),
    ),
    "registration_entered": (
        N_("Entered in the draw"),
        N_("You are entered in the draw for %(title)s on %(when)s."),
    ),
    "waitlist_offer": (
        N_("A seat for you"),
        N_("A seat at %(title)s on %(when)s is yours if you accept by %(deadline)s."),
    ),
    "offer_expired": (
        N_("Offer expired"),
        N_("The seat offered to you at %(title)s on %(when)s has gone to the next person."),
    ),
    "lottery_confirmed": (
        N_("You won a seat"),
        N_("You won a seat at %(title)s on %(when)s. Check-in code: %(code)s."),
    ),
    "lottery_waitlisted": (
        N_("Not drawn this time"),
        N_(
            "You were not drawn for %(title)s on %(when)s; you are number %(position)s on the waitlist."
        ),
    ),
    "session_changed": (
        N_("Session changed"),
        N_("%(title)s has changed: it is now on %(when)s. %(note)s"),
    ),
    "session_cancelled": (
        N_("Session cancelled"),
        N_("%(title)s on %(when)s is cancelled. Any points you paid are back."),
    ),
    "no_show_warning": (
        N_("You missed a booking"),
        N_(
            "You did not come to %(place)s on %(when)s. Please cancel in time if you cannot come: repeated no-shows suspend booking."
        ),
    ),
    "suspended": (
        N_("Booking suspended"),
        N_("After several missed visits, booking and registering are suspended until %(until)s."),
    ),
    "home_visit_scheduled": (
        N_("Home visit scheduled"),
        N_("Your home visit (%(title)s) is scheduled for %(when)s."),
    ),
    "staff_digest": (
        N_("Bookings awaiting approval"),
        N_("%(count)s bookings at %(place)s are waiting for your approval."),
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
