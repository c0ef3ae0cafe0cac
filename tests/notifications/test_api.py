"""The member's notification endpoints: WeChat consents the mini-program reports
(POST /api/v1/me/wechat-consents/), lists (GET) and withdraws (POST .../withdraw/), and the
member's messages (GET /api/v1/me/messages/)."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from members.models import User
from members.services.wechat import session_token_for
from notifications.models import Message, WeChatConsent
from notifications.services import message_enqueue
from tests.factories import SessionFactory, UserFactory
from tests.notifications.conftest import WECHAT_TEMPLATES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

CONSENTS = "/api/v1/me/wechat-consents/"
WITHDRAW = "/api/v1/me/wechat-consents/withdraw/"
MESSAGES = "/api/v1/me/messages/"
BOOKING = WECHAT_TEMPLATES["booking_confirmed"]["id"]
REMINDER = WECHAT_TEMPLATES["reminder"]["id"]


@pytest.fixture(autouse=True)
def templates():
    with override_settings(WECHAT_TEMPLATES=WECHAT_TEMPLATES):
        yield


@pytest.fixture
def member() -> User:
    return UserFactory(email="sun@example.cn")


def client_for(member: User, api):
    api.credentials(HTTP_X_SESSION_TOKEN=session_token_for(member))
    return api


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# --- Consents ------------------------------------------------------------------------------------


def test_accepted_templates_add_one_message_each(member, api) -> None:
    client = client_for(member, api)

    first = client.post(CONSENTS, {"template_ids": [BOOKING, REMINDER]}, format="json")
    second = client.post(CONSENTS, {"template_ids": [BOOKING, BOOKING]}, format="json")

    assert first.status_code == 200, first.content
    assert first.json() == {
        "consents": [
            {"template_id": BOOKING, "remaining": 1},
            {"template_id": REMINDER, "remaining": 1},
        ]
    }
    assert second.json() == {"consents": [{"template_id": BOOKING, "remaining": 2}]}
    assert dict(
        WeChatConsent.objects.filter(member=member).values_list("template_id", "remaining")
    ) == {BOOKING: 2, REMINDER: 1}
    other = UserFactory()
    assert not WeChatConsent.objects.filter(member=other).exists()


def test_consents_are_listed_and_withdrawn(member, api) -> None:
    client = client_for(member, api)
    client.post(CONSENTS, {"template_ids": [BOOKING, REMINDER]}, format="json")
    client.post(CONSENTS, {"template_ids": [BOOKING]}, format="json")
    other = UserFactory()
    client_for(other, APIClient()).post(CONSENTS, {"template_ids": [REMINDER]}, format="json")

    listed = client.get(CONSENTS)
    assert listed.status_code == 200
    assert listed.json() == {
        "consents": [
            {"template_id": BOOKING, "remaining": 2},
            {"template_id": REMINDER, "remaining": 1},
        ]
    }

    withdrawn = client.post(WITHDRAW, {"template_id": REMINDER}, format="json")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json() == {"consents": [{"template_id": BOOKING, "remaining": 2}]}
    assert client.get(CONSENTS).json() == withdrawn.json()
    # Only the member's own: the other member's consent for the same template stays.
    assert WeChatConsent.objects.get(member=other).remaining == 1
    again = client.post(WITHDRAW, {"template_id": REMINDER}, format="json")
    assert_error(again, 404, "not_found")
    assert_error(
        client.post(WITHDRAW, {"template_id": "tpl-unknown"}, format="json"), 404, "not_found"
    )
    assert_error(client.post(WITHDRAW, {"template_id": "x" * 65}, format="json"), 400, "invalid")
    assert_error(client.post(WITHDRAW, {}, format="json"), 400, "invalid")


def test_consents_need_a_login(api) -> None:
    assert_error(api.get(CONSENTS), 401, "not_authenticated")
    assert_error(
        api.post(WITHDRAW, {"template_id": BOOKING}, format="json"), 401, "not_authenticated"
    )


def test_a_report_sent_again_counts_once(member, api) -> None:
    client = client_for(member, api)
    body = {"template_ids": [BOOKING]}

    first = client.post(CONSENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(CONSENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert again.status_code == 200
    assert again.json() == first.json() == {"consents": [{"template_id": BOOKING, "remaining": 1}]}
    assert again["Idempotent-Replayed"] == "true"
    assert WeChatConsent.objects.get(member=member).remaining == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template_ids": []}, "template_ids"),
        ({"template_ids": [BOOKING] * 21}, "template_ids"),
        ({"template_ids": ["x" * 65]}, "template_ids.0"),
        ({"template_ids": [5]}, "template_ids.0"),
        ({"template_ids": BOOKING}, "template_ids"),
        ({}, "template_ids"),
        ({"template_ids": [BOOKING], "openid": "o-1"}, "openid"),
        ({"template_ids": ["tpl-we-never-send"]}, "template_ids"),
    ],
    ids=["empty", "too-many", "too-long", "not-text", "not-a-list", "missing", "unknown", "alien"],
)
def test_bad_reports_are_refused(member, api, body, field) -> None:
    response = client_for(member, api).post(CONSENTS, body, format="json")

    error = assert_error(response, 400, "invalid")
    assert field in error["fields"]
    assert not WeChatConsent.objects.exists()


@pytest.mark.parametrize(("method", "url"), [("post", CONSENTS), ("get", MESSAGES)])
def test_a_login_is_needed(api, method, url) -> None:
    response = getattr(api, method)(url, {"template_ids": [BOOKING]}, format="json")

    assert_error(response, 401, "not_authenticated")


# --- Messages ------------------------------------------------------------------------------------


def messages_for(member: User, count: int) -> None:
    for _ in range(count):
        message_enqueue(kind="session_changed", recipient=member, about=SessionFactory())


def test_the_member_sees_their_messages_newest_first(member, api, clock) -> None:
    session = SessionFactory()
    old = message_enqueue(kind="registration_confirmed", recipient=member, about=session)
    clock.shift(60)
    new = message_enqueue(kind="session_changed", recipient=member, about=session)
    Message.objects.filter(pk=old.pk).update(status="sent", sent_at=old.created)
    message_enqueue(kind="session_cancelled", recipient=UserFactory(email="x@example.cn"))

    response = client_for(member, api).get(MESSAGES)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [
        {
            "id": new.pk,
            "kind": "session_changed",
            "channel": "email",
            "status": "pending",
            "created": "2026-11-23T08:01:00+08:00",
            "sent_at": None,
        },
        {
            "id": old.pk,
            "kind": "registration_confirmed",
            "channel": "email",
            "status": "sent",
            "created": "2026-11-23T08:00:00+08:00",
            "sent_at": "2026-11-23T08:00:00+08:00",
        },
    ]


def test_messages_are_paginated_in_constant_queries(
    member, api, django_assert_max_num_queries
) -> None:
    client = client_for(member, api)
    messages_for(member, 1)
    with django_assert_max_num_queries(5) as one:  # auth 3, count, page
        assert client.get(MESSAGES).status_code == 200
    messages_for(member, 24)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(MESSAGES, {"page_size": 20}).json()

    assert page["count"] == 25
    assert len(page["results"]) == 20
    assert page["next"]
    assert_error(client.get(MESSAGES, {"page_size": 101}), 400, "invalid")


def test_the_schema_documents_both(api) -> None:
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/me/wechat-consents/"])
    withdraw = paths["/api/v1/me/wechat-consents/withdraw/"]["post"]
    assert {"200", "400", "404"} <= set(withdraw["responses"])
    assert "get" in paths["/api/v1/me/messages/"]
    components = schema["components"]["schemas"]
    assert set(components["Message"]["properties"]) == {
        "id",
        "kind",
        "channel",
        "status",
        "created",
        "sent_at",
    }
    assert set(components["WeChatConsentsRequest"]["properties"]) == {"template_ids"}
