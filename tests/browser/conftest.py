"""Browser tests: Playwright for Python drives Debian's Chromium against a live test server.

Never ``playwright install``: that downloads a browser build, which this project's machines
cannot fetch. ``scripts/test`` installs Debian's ``chromium`` and ``fonts-noto-cjk`` instead.
Every test under ``tests/browser/`` is marked ``browser``: it runs on the PostgreSQL pass of
``scripts/test`` (deselected on the SQLite pass), skips without Chromium outside CI and fails
without it in CI (``tests/conftest.py``).

Fixtures: ``chromium`` (one browser for a module, launched with ``chromium_args``),
``open_page`` (a fresh context and page at any size, in Chinese unless told), ``page`` (390×844,
a phone), ``site`` (the live server's URL), ``log_in`` (puts a member's session cookie into a
page's context). Helpers for pages live in ``tests/browser/helpers.py`` (axe, horizontal
scroll, QR decoding, a fake camera's video).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

CHROMIUM = os.environ.get("LINLI_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flag Chromium keeps trying to reach Google's hosts, which
# this machine's closed network refuses; the sandbox needs privileges a CI runner lacks.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Before -m deselects: every test in this folder is a browser test, marked or not.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def chromium_args() -> list[str]:
    """Chromium's command line for a module's browser; a module overrides this fixture to add
    flags (tests/browser/test_front_desk.py gives Chromium a fake camera)."""
    return CHROMIUM_ARGS


@pytest.fixture(scope="module")
def chromium(django_db_setup, django_db_blocker, chromium_args):
    """One Chromium for a module's tests, stopped at the module's end.

    Playwright's sync API keeps its asyncio loop registered as running on this thread while it
    is started, and Django refuses ORM calls from a thread with a running loop. The tests here
    are synchronous code (the loop only carries Playwright's messages), so the check is off for
    exactly as long as Playwright runs, and Playwright stops before the next module, whose tests
    get Django's check back. The test database exists before the loop starts."""
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args)
            yield browser
            browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The live server's base URL; the test database is committed so its thread sees the data."""
    return live_server.url


@pytest.fixture
def open_page(chromium, site) -> Iterator[Callable]:
    """``open_page(width=390, height=844, locale="zh-CN")``: a new page in a fresh context
    (its own cookies), closed after the test. Chinese by default, as residents' phones are."""
    contexts = []

    def open_(width: int = PHONE["width"], height: int = PHONE["height"], **options):
        options.setdefault("locale", "zh-CN")
        context = chromium.new_context(
            viewport={"width": width, "height": height}, base_url=site, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """A phone: 390×844."""
    return open_page()


@pytest.fixture
def log_in(site) -> Callable:
    """``log_in(page, member)``: the page's context gets a logged-in session cookie, as if the
    member had logged in a moment ago (the login form itself has its own test)."""

    def log_in_(page, member) -> None:
        client = Client()
        client.force_login(member)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": site}]
        )

    return log_in_


@pytest.fixture
def member(transactional_db):
    return get_user_model().objects.create_user(
        username="browser-member", password="pw-for-tests-123", display_name="王阿姨"
    )
