"""Logins survive a Redis outage: the failed-login limits live in the cache, and a cache that
cannot reach Redis answers from process memory (core.cache) instead of a 500 on every login,
web, app and admin alike. The Redis here is the test's own, on a free port, stopped mid-test."""

import logging

import pytest
import redis
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.notifications.celery_worker import free_port, redis_server

pytestmark = pytest.mark.django_db

PASSWORD = "Lin-li-secret-42"
EMAIL = "staff.li@example.com"
APP = "/_allauth/app/v1"


def cache_on(port: int) -> dict:
    location = f"redis://127.0.0.1:{port}/0"
    return {"default": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": location}}


def app_login(password: str, ip: str = "10.0.0.1") -> int:
    response = APIClient(REMOTE_ADDR=ip).post(
        f"{APP}/auth/login", {"email": EMAIL, "password": password}, format="json"
    )
    return response.status_code


def test_logins_keep_working_when_redis_stops(caplog) -> None:
    UserFactory(email=EMAIL, password=PASSWORD, is_staff=True, is_superuser=True)
    port = free_port()
    with override_settings(CACHES=cache_on(port)):
        with redis_server(port) as url:
            assert app_login("wrong") == 400
            # The failed login was counted in this Redis: the cache really used it.
            assert redis.Redis.from_url(url).keys("*allauth*rl*")
        # redis-server is stopped now.
        caplog.set_level(logging.WARNING, logger="core.cache")

        assert app_login(PASSWORD) == 200
        signup = APIClient().post(
            f"{APP}/auth/signup",
            {"email": "new@example.com", "password": "Another-secret-77"},
            format="json",
        )
        assert signup.status_code == 200, signup.content
        web = Client()
        response = web.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
        assert response.status_code == 302
        admin = Client()
        login_page = admin.get("/admin/login/?next=/admin/")["Location"]
        response = admin.post(login_page, {"login": EMAIL, "password": PASSWORD})
        assert response["Location"] == "/admin/"
        assert admin.get("/admin/").status_code == 200

        assert "Redis cache unreachable" in caplog.text


def test_failed_login_limits_still_hold_with_redis_unreachable() -> None:
    UserFactory(email=EMAIL, password=PASSWORD)
    with override_settings(CACHES=cache_on(free_port())):  # nobody listens there
        for _attempt in range(5):
            assert app_login("wrong") == 400

        assert app_login(PASSWORD) == 429  # counted in process memory meanwhile
        assert app_login(PASSWORD, ip="10.0.0.2") == 200
