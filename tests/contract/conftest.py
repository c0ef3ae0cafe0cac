"""Contract tests: schemathesis and a generated client against a live test server.

Every test here is marked ``contract`` and ``postgres``: it runs once, on the PostgreSQL pass of
``scripts/test`` (the SQLite pass deselects it), skips without PostgreSQL outside CI and fails
without it in CI (``tests/conftest.py``).
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from members.models import User
from members.services.identity import member_verify_identity
from members.services.wechat import session_token_for
from tests.factories import make_id_number
from tests.members.wechat_stub import WeChatStub

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.contract)
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def demo(transactional_db) -> None:
    """The demo centers, spaces, programs, sessions, bookings and accounts: real objects for
    every operation to find."""
    call_command("loaddemo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def member_token(demo) -> str:
    """An X-Session-Token of the demo resident, real-name verified."""
    member = User.objects.get(username="resident")
    member_verify_identity(
        member=member, real_name="张秀英", id_number=make_id_number(date(1956, 4, 2))
    )
    return session_token_for(member)


@pytest.fixture
def wechat(settings) -> Iterator[WeChatStub]:
    """WeChat's API on this machine, so that the login endpoint has a far end to talk to."""
    stub = WeChatStub().start()
    settings.WECHAT_API_BASE = stub.base_url
    settings.WECHAT_APPID, settings.WECHAT_SECRET = "wx-test-app", "wx-test-secret"
    yield stub
    stub.stop()
