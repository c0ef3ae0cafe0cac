from collections.abc import Iterator

import pytest
from django.test import override_settings

from tests.helpers import MONDAY, hour_on
from tests.members.wechat_stub import SubscribeAPI, WeChatStub
from tests.notifications.stand_ins import GatewaySMSBackend, SMTPServer

WECHAT_APPID = "wx-notify-appid"
WECHAT_SECRET = "wechat-notify-secret"
# A template for confirmations and one for reminders, as configured in production (JSON).
WECHAT_TEMPLATES = {
    "booking_confirmed": {
        "id": "tpl-booking-confirmed",
        "page": "pages/bookings/index",
        "fields": {"thing1": "place", "time2": "when", "character_string3": "code"},
    },
    "reminder": {"id": "tpl-reminder", "fields": {"thing1": "place", "time2": "when"}},
}


at = hour_on(MONDAY)


NOW = at(8)


@pytest.fixture
def sms() -> Iterator[type[GatewaySMSBackend]]:
    """Texts go to the stand-in gateway; ``sms.sent`` lists them, ``sms.down`` breaks it."""
    GatewaySMSBackend.sent = []
    GatewaySMSBackend.down = False
    with override_settings(SMS_BACKEND="tests.notifications.stand_ins.GatewaySMSBackend"):
        yield GatewaySMSBackend
    GatewaySMSBackend.down = False


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    """A real SMTP server, and Django's SMTP backend pointed at it."""
    server = SMTPServer().start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
    ):
        yield server
    server.stop()


@pytest.fixture
def wechat() -> Iterator[SubscribeAPI]:
    """A real HTTP server standing in for WeChat's token and subscribe-message endpoints, with
    the settings pointing at it."""
    stub = WeChatStub().start()
    api = SubscribeAPI(appid=WECHAT_APPID, secret=WECHAT_SECRET).install(stub)
    with override_settings(
        WECHAT_API_BASE=stub.base_url,
        WECHAT_APPID=WECHAT_APPID,
        WECHAT_SECRET=WECHAT_SECRET,
        WECHAT_TIMEOUT_SECONDS=0.5,
        WECHAT_TEMPLATES=WECHAT_TEMPLATES,
    ):
        yield api
    stub.stop()
