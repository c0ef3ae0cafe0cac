"""Text messages (SMS) to members' phones, through a pluggable backend.

``settings.SMS_BACKEND`` names the backend class. The default, ``LogSMSBackend``, only writes the
message to the log; a real gateway (Aliyun, Tencent Cloud, ...) is a subclass of
``BaseSMSBackend`` that implements ``send``.
"""

import logging
from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string

from members.phones import mask_phone

logger = logging.getLogger(__name__)


class SMSError(Exception):
    """The gateway did not accept the message (network error, quota, rejected number...)."""


class BaseSMSBackend(ABC):
    """Sends one text message. Implementations raise ``SMSError`` when the message could not be
    handed over, and keep their own timeouts short: they run inside the member's request."""

    @abstractmethod
    def send(self, phone: str, message: str) -> None:
        """Send ``message`` to ``phone`` (E.164, e.g. ``+8613812345678``)."""


class LogSMSBackend(BaseSMSBackend):
    """Writes the message to the log at INFO instead of sending it.

    In development this is how you read login and verification codes: they appear in the
    ``runserver`` console. Never use it in production: nobody would receive their codes, and the
    codes would sit in the logs.
    """

    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), message)


def get_sms_backend() -> BaseSMSBackend:
    # Looked up on every call, so a changed setting (tests, a reload) takes effect at once.
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, message: str) -> None:
    """Send a text message; a gateway failure is logged, never shown.

    The page a member sees after asking for a code must not depend on whether the text went out
    (or whether the number has an account); they can ask for a new code.
    """
    try:
        get_sms_backend().send(phone, message)
    except SMSError:
        logger.exception("SMS to %s could not be sent", mask_phone(phone))
