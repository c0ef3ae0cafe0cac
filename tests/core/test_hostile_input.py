"""Hostile input never gets a 500 (core.middleware, core.parsers, core.views): oversized bodies
are a 413, deeply nested JSON a 400, a NUL character the ordinary 400 (also with an
Idempotency-Key, and again on retry), an unrouted /api/ URL a JSON 404 whatever the method, and
the JSON parse error speaks the request's language."""

import json

import pytest
from django.conf import settings
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core.middleware import MAX_JSON_DEPTH, json_depth
from core.models import IdempotencyKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

APP = "/_allauth/app/v1"
TOO_BIG = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
DEEP = "[" * 1000 + "]" * 1000


def member_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


def body_changing_operations() -> list[tuple[str, str]]:
    """Every POST, PUT, PATCH and DELETE the API schema lists, path parameters filled in."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in schema["paths"].items():
        concrete = path
        for name in ("id", "pk", "space_id", "session_id", "center_id"):
            concrete = concrete.replace("{" + name + "}", "1")
        assert "{" not in concrete, path
        operations += [
            (m.upper(), concrete) for m in item if m in ("post", "put", "patch", "delete")
        ]
    # allauth's app endpoints are not in our schema.
    operations += [("POST", f"{APP}/auth/login"), ("POST", f"{APP}/auth/signup")]
    return operations


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    return body


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth(b'{"a": [1, {"b": []}]}') == 0  # few brackets: not even scanned
    deep = ("[" * 40 + "]" * 40).encode()
    assert json_depth(deep) == 40
    quoted = json.dumps({"text": "[" * 100 + '\\"{' * 50}).encode()
    assert json_depth(quoted) == 1


@pytest.mark.parametrize(("method", "path"), body_changing_operations())
def test_every_endpoint_refuses_oversized_and_deep_bodies(method: str, path: str) -> None:
    client = member_client()

    big = client.generic(method, path, "x" * TOO_BIG, content_type="application/json")
    deep = client.generic(method, path, DEEP, content_type="application/json")

    body = assert_error(big, 413, "request_too_large")
    assert "2.5 MB" in body["detail"]
    assert_error(deep, 400, "invalid")


def test_oversized_form_posts_get_a_friendly_413_page() -> None:
    response = Client().post(
        "/accounts/login/", "login=" + "1" * TOO_BIG, "application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]


def test_moderate_nesting_reaches_the_view() -> None:
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH

    response = member_client().post("/api/v1/bookings/", nested, content_type="application/json")

    body = assert_error(response, 400, "invalid")
    assert "nested" not in body["detail"]


@pytest.mark.parametrize(
    "data",
    [{"space": 1, "purpose": "读书\u0000会"}, {"space": 1, "pur\u0000pose": "x"}, ["\u0000"]],
    ids=["in-a-value", "in-a-key", "in-a-list"],
)
def test_a_nul_is_the_same_400_on_every_try_and_the_key_is_not_stuck(data) -> None:
    client = member_client()
    key = {"HTTP_IDEMPOTENCY_KEY": "nul-1"}

    first = client.post("/api/v1/bookings/", data, format="json", **key)
    again = client.post("/api/v1/bookings/", data, format="json", **key)

    body = assert_error(first, 400, "invalid")
    assert again.status_code == 400 and again.json() == body
    assert body["detail"] == "文字中不能含有空字符（NUL）。"
    assert not IdempotencyKey.objects.exists()  # nothing "in progress" left behind
    # The key is free: the next request with it runs (here into ordinary validation).
    other = client.post("/api/v1/bookings/", {"space": "x"}, format="json", **key)
    assert assert_error(other, 400, "invalid")["fields"]["space"]


def test_allauth_endpoints_refuse_deep_json_and_nul() -> None:
    for endpoint in ("auth/login", "auth/signup"):
        deep = APIClient().post(f"{APP}/{endpoint}", DEEP, content_type="application/json")
        assert_error(deep, 400, "invalid")
        nul = APIClient().post(
            f"{APP}/{endpoint}", {"email": "a@b.cn", "password": "x\u0000"}, format="json"
        )
        assert nul.status_code == 400


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_a_missing_trailing_slash_is_a_json_404_that_says_so(method: str) -> None:
    # A browser session with CSRF checks on: still no CSRF page for a URL that does not exist.
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = getattr(client, method)("/api/v1/bookings", {}, content_type="application/json")

    body = assert_error(response, 404, "not_found")
    assert "/api/v1/bookings/" in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v2/bookings/", "/api/"])
def test_unknown_api_urls_are_json_404s_for_any_method(path: str) -> None:
    client = Client(enforce_csrf_checks=True)

    for method in ("get", "post", "delete"):
        response = getattr(client, method)(path)
        body = assert_error(response, 404, "not_found")
        assert "trailing slash" not in body["detail"] and "/" not in body["detail"]


def test_a_csrf_failure_on_a_page_is_friendly_and_translated() -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"login": "x", "password": "y"}
    )

    assert response.status_code == 403
    assert "text/html" in response["Content-Type"]
    assert "请刷新页面" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "detail"),
    [("zh-hans", "请求内容不是有效的 JSON。"), ("en", "The body is not valid JSON.")],
)
def test_the_parse_error_speaks_the_request_language(language: str, detail: str) -> None:
    response = member_client().post(
        "/api/v1/bookings/",
        '{"space": 1,',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert assert_error(response, 400, "invalid")["detail"] == detail


def test_an_empty_filter_value_is_a_400_unless_it_is_text() -> None:
    client = APIClient()

    for query in ("to=", "program=", "has_seats="):
        response = client.get(f"/api/v1/sessions/?{query}")
        name = query.rstrip("=")
        assert assert_error(response, 400, "invalid")["fields"] == {name: ["该字段不能为空。"]}, (
            query
        )
    assert client.get("/api/v1/centers/?q=&district=").status_code == 200
