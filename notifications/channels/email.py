from django.conf import settings
from django.core.mail import EmailMessage

from notifications.channels import Refused
from notifications.models import Message
from notifications.texts import Rendered


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
    if message.kind in ("booking_confirmed", "booking_approved"):
        from bookings.ics import booking_ics

        email.attach("linli-booking.ics", booking_ics(message.about), "text/calendar")
    email.send(fail_silently=False)
