from members.sms import get_sms_backend
from notifications.channels import Refused
from notifications.models import Message
from notifications.texts import Rendered


def send(message: Message, rendered: Rendered) -> None:
    phone = message.recipient.phone
    if not phone:
        raise Refused("no phone number")
    # SMSError propagates: a passing failure, retried by the outbox.
    get_sms_backend().send(phone, f"{rendered.subject} {rendered.body}")
