"""PostgreSQL unreachable: every request answers a 503 with Retry-After at once (the API in the
error shape, pages with a friendly page drawn without the database), and the same process
recovers by itself when the database is back. "Unreachable" is the test's connection pointed at
a port nobody listens on; the shared PostgreSQL is never touched."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from members.services.wechat import session_token_for
from tests.factories import CenterFactory, UserFactory
from tests.notifications.celery_worker import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextmanager
def database_unreachable() -> Iterator[None]:
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def assert_unavailable_json(response) -> None:
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "service_unavailable",
        "detail": "服务暂时不可用，请稍后再试。",
    }
    assert int(response["Retry-After"]) > 0


def test_api_and_pages_answer_503_and_recover() -> None:
    member = UserFactory(password="Lin-li-secret-42", email="m@example.com")
    center = CenterFactory()
    api = APIClient()
    api.credentials(HTTP_X_SESSION_TOKEN=session_token_for(member))
    # Django's handler answers these, as in production; the test client would re-raise.
    web = Client(raise_request_exception=False)
    web.force_login(member)

    with database_unreachable():
        assert_unavailable_json(api.get("/api/v1/me/"))
        assert_unavailable_json(APIClient().get("/api/v1/centers/"))
        assert_unavailable_json(
            api.post("/api/v1/bookings/", {"space": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        )
        assert_unavailable_json(
            APIClient(raise_request_exception=False).post(
                "/_allauth/app/v1/auth/login",
                {"email": "m@example.com", "password": "x"},
                format="json",
            )
        )
        for page in (
            web.get("/"),
            Client(raise_request_exception=False).get(f"/centers/{center.pk}/"),
            web.get("/me/"),
        ):
            assert page.status_code == 503
            assert int(page["Retry-After"]) > 0
            assert "暂时无法使用" in page.content.decode()

    # Back: the same process answers again, without a restart.
    assert api.get("/api/v1/me/").status_code == 200
    assert web.get("/").status_code == 200
