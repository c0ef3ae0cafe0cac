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
