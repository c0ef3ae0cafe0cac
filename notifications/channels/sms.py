from django.conf import settings
from django.utils.module_loading import import_string

from notifications.channels import Refused
from notifications.models import Message
from notifications.texts import Rendered


def send(message: Message, rendered: Rendered) -> None:
    phone = message.recipient.phone
    if not phone:
        raise Refused("no phone number")
    # The gateway named by settings.SMS_BACKEND (members.sms); its SMSError propagates: a
    # passing failure, retried by the outbox.
    import_string(settings.SMS_BACKEND)().send(phone, f"{rendered.subject} {rendered.body}")
