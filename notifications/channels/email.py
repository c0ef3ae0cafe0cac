from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation

from bookings.ics import MEDIA_TYPE, booking_ics
from bookings.models import Booking
from notifications.channels import Refused
from notifications.models import Message
from notifications.texts import Rendered

# The booking holds time from these on: the member's calendar gets the event.
ICS_KINDS = ("booking_confirmed", "booking_approved")


def send(message: Message, rendered: Rendered) -> None:
    address = message.recipient.email
    if not address:
        raise Refused("no email address")
    email = EmailMessage(
        subject=rendered.subject,
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    if message.kind in ICS_KINDS and isinstance(message.about, Booking):
        with translation.override(message.recipient.language or "zh-hans"):
            email.attach("linli-booking.ics", booking_ics(message.about), MEDIA_TYPE)
    email.send(fail_silently=False)
