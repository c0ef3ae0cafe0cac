import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``postgres`` need PostgreSQL: outside CI they skip on SQLite; in CI a missing
    service is a failure, never a skip (the test command deselects them on its SQLite pass)."""
    if "postgres" in item.keywords and connection.vendor != "postgresql":
        message = "needs PostgreSQL (set DATABASE_URL=postgres://...)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Rate limits (allauth's failed-login counts, DRF throttles) live in the cache: every test
    starts from zero, whatever the tests before it did."""
    from django.core.cache import cache

    cache.clear()
