from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.members.wechat_stub import WeChatStub

WECHAT_APPID = "wx-test-appid"
WECHAT_SECRET = "wechat-test-app-secret"


@pytest.fixture
def wechat() -> Iterator[WeChatStub]:
    """A real HTTP server standing in for WeChat, with the settings pointing at it."""
    stub = WeChatStub().start()
    with override_settings(
        WECHAT_API_BASE=stub.base_url,
        WECHAT_APPID=WECHAT_APPID,
        WECHAT_SECRET=WECHAT_SECRET,
        WECHAT_TIMEOUT_SECONDS=0.5,
    ):
        yield stub
    stub.stop()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


# 亲友代办: a son who acts for his mother (tests of the services and of the pages).
MOTHER_PHONE = "+8613912345678"


@pytest.fixture
def sms(settings) -> list[tuple[str, str]]:
    """Texts sent, as (number, text)."""
    from tests.members.test_accounts import OutboxSMSBackend

    settings.SMS_BACKEND = "tests.members.test_accounts.OutboxSMSBackend"
    OutboxSMSBackend.outbox.clear()
    return OutboxSMSBackend.outbox


@pytest.fixture
def son():
    from tests.factories import VerifiedMemberFactory

    return VerifiedMemberFactory(
        display_name="王小明", phone="+8613800000001", notification_channels=["sms"]
    )


@pytest.fixture
def mother():
    from tests.factories import UserFactory

    return UserFactory(display_name="王阿姨", phone=MOTHER_PHONE, notification_channels=["sms"])
