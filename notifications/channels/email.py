from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation

from notifications.channels import Refused
from notifications.models import Message
from notifications.registry import about_of, base_kind
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
    # What the message is about may come with a file (a booking's calendar event).
    about = message.about
    registered = about_of(about)
    if registered is not None and registered.attachment is not None:
        with translation.override(message.recipient.language or "zh-hans"):
            attachment = registered.attachment(about, base_kind(message.kind))
        if attachment is not None:
            email.attach(*attachment)
    email.send(fail_silently=False)
