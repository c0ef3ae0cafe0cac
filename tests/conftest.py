"""Fixtures every test module may use: the frozen ``clock`` (at the module's ``NOW``), a plain
``member``, a ``superuser`` and a ``volunteer_session``; the API client; a clean cache and the
default language. Shanghai times and the zone are in tests/helpers.py, staff in
tests/factories.py (``staff_of``)."""

import functools
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from tests.helpers import MONDAY, at

IN_CI = os.environ.get("CI", "").lower() == "true"

# Property tests (hypothesis): in CI the same examples on every run (derandomized, no example
# database), a bounded number of them, and the blob that replays a failure printed; a red CI
# run is then a bug that the next run shows again, never a draw of the dice. Locally they draw
# new examples each run, which is how a rare case gets found.
hypothesis_settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=300, print_blob=True
)
hypothesis_settings.register_profile("dev", max_examples=300, print_blob=True)
hypothesis_settings.load_profile("ci" if IN_CI else "dev")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``postgres`` need PostgreSQL, tests marked ``redis`` a Redis (real Celery
    workers), tests marked ``browser`` Debian's Chromium: outside CI they skip without them; in
    CI a missing service is a failure, never a skip (the test command deselects all three on
    its SQLite pass)."""
    missing = []
    if "postgres" in item.keywords and connection.vendor != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    if "redis" in item.keywords and not _redis_answers():
        missing.append(f"Redis at {_redis_url()}")
    if "browser" in item.keywords and not Path(_chromium()).exists():
        missing.append(f"Chromium at {_chromium()} (apt-get install chromium fonts-noto-cjk)")
    if missing:
        message = "needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _redis_url() -> str:
    from tests.notifications.celery_worker import TEST_REDIS_URL

    return TEST_REDIS_URL


def _chromium() -> str:
    from tests.browser.conftest import CHROMIUM

    return CHROMIUM


@functools.cache
def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(_redis_url(), socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Rate limits (allauth's failed-login counts, DRF throttles) live in the cache: every test
    starts from zero, whatever the tests before it did."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request that switched to English (the
    language switch, an Accept-Language header) leaves that language active in the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


DEFAULT_NOW = at(MONDAY, 8)


@pytest.fixture
def clock_at(request: pytest.FixtureRequest) -> datetime:
    """The moment the clock stands at: the test module's ``NOW``, else Monday 8:00 in Shanghai.
    A module (or a test) with its own moment sets ``NOW`` or overrides this fixture."""
    return getattr(request.module, "NOW", DEFAULT_NOW)


@pytest.fixture
def clock(clock_at: datetime) -> Iterator[time_machine.Traveller]:
    """Time stands still at ``clock_at`` (``clock.move_to(...)`` moves it). Modules whose every
    test needs it say ``pytestmark = pytest.mark.usefixtures("clock")``."""
    with time_machine.travel(clock_at, tick=False) as traveller:
        yield traveller


@pytest.fixture
def member(db):
    """A resident with nothing more than an account."""
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def volunteer_session(db):
    """A volunteer program's session, like the weekly convenience service: 理发 2 places,
    扦脚 1 (services and community tests alike sign volunteers up for it)."""
    from services.models import Program
    from services.services.volunteering import volunteer_role_add
    from tests.factories import ProgramFactory, SessionFactory, staff_at

    program = ProgramFactory(title="便民服务志愿者", kind=Program.Kind.VOLUNTEER)
    manager = staff_at(program.center)
    session = SessionFactory(program=program, by=manager)
    volunteer_role_add(session=session, name="理发", seats=2, by=manager)
    volunteer_role_add(session=session, name="扦脚", seats=1, by=manager)
    return session
