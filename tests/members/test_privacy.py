"""The resident ID number goes in once and never comes out: not in any API body, log record,
admin page or database column in clear. The member can take all their data and leave."""

import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from members import crypto
from members.idcard import check_digit
from members.models import PointsEntry, User
from members.services import privacy
from members.services.points import points_earn
from members.services.wechat import session_token_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST17 = "31010419600315123"
NUMBER = FIRST17 + check_digit(FIRST17)
MASKED = f"3****************{NUMBER[-1]}"
REAL_NAME = "欧阳秀英"

ME = "/api/v1/me/"


def leaks(text: str) -> list[str]:
    """The secrets found in ``text``: the number (also in lower case) and the real name."""
    return [s for s in (NUMBER, NUMBER.lower(), NUMBER[:17], REAL_NAME) if s in text]


def debug_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Every logger at DEBUG, SQL included: what would a verbose production log show?"""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


@pytest.fixture
def member() -> User:
    member = UserFactory(display_name="欧阳阿姨", phone="+8613812345678", email="oy@example.cn")
    points_earn(member=member, amount=8, kind=PointsEntry.Kind.VOLUNTEER, reason="整理图书")
    return member


@pytest.fixture
def client(member: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(member))
    return client


@pytest.fixture
def verified(client: APIClient, caplog: pytest.LogCaptureFixture):
    """Verify through the API with every logger at DEBUG and SQL logged; return the response
    and the log text of that request."""
    debug_everything(caplog)
    connection.force_debug_cursor = True
    try:
        response = client.post(
            "/api/v1/me/verification/",
            {"real_name": REAL_NAME, "id_number": NUMBER},
            format="json",
        )
    finally:
        connection.force_debug_cursor = False
    assert response.status_code == 200, response.content
    return response, caplog.records[:], caplog.text


def test_the_number_is_in_no_response_body(client, verified) -> None:
    response, _records, _text = verified
    assert response.json()["id_number_masked"] == MASKED

    bodies = {
        "verification": response,
        "GET /me/": client.get(ME),
        "PATCH /me/": client.patch(ME, {"display_name": "欧阳"}, format="json"),
        "points": client.get("/api/v1/me/points/"),
        "export": client.get("/api/v1/me/export/"),
        "verify again": client.post(
            "/api/v1/me/verification/",
            {"real_name": REAL_NAME, "id_number": NUMBER},
            format="json",
        ),
    }

    for name, body in bodies.items():
        assert body.status_code in (200, 409), name
        assert leaks(body.content.decode()) == [], name
    assert MASKED in bodies["GET /me/"].content.decode()
    assert MASKED in bodies["export"].content.decode()


def test_the_number_is_in_no_log_record(verified) -> None:
    _response, records, text = verified

    assert any("SELECT" in r.getMessage() for r in records)  # SQL was logged
    assert any("verified their identity" in r.getMessage() for r in records)  # and the service's
    assert leaks(text) == []
    for record in records:
        assert leaks(record.getMessage()) == [], record.name
        assert leaks(repr(record.args)) == [], record.name


def test_the_number_is_in_no_log_record_when_verification_fails(client, caplog) -> None:
    other = UserFactory()
    other_client = APIClient()
    other_client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(other))
    wrong = NUMBER[:17] + next(c for c in "0123456789X" if c != NUMBER[17])
    client.post(
        "/api/v1/me/verification/", {"real_name": REAL_NAME, "id_number": NUMBER}, format="json"
    )
    debug_everything(caplog)

    responses = [
        other_client.post(
            "/api/v1/me/verification/", {"real_name": REAL_NAME, "id_number": number}, format="json"
        )
        for number in (NUMBER, wrong)
    ]

    assert [r.json()["code"] for r in responses] == ["id_number_in_use", "invalid_id_number"]
    for response in responses:
        assert leaks(response.content.decode()) == []
    assert leaks(caplog.text) == []
    assert wrong not in caplog.text


def test_the_admin_shows_the_number_masked_at_most(member, verified) -> None:
    admin = APIClient()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))

    change = admin.get(reverse("admin:members_user_change", args=[member.pk]))
    changelist = admin.get(reverse("admin:members_user_changelist"))

    for name, page in {"change": change, "changelist": changelist}.items():
        assert page.status_code == 200, name
        assert leaks(page.content.decode()) == [], name


def test_the_database_holds_no_plaintext(member, verified) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_encrypted, real_name_encrypted, id_number_digest"
            f" FROM {User._meta.db_table} WHERE id = %s",
            [member.pk],
        )
        encrypted, name_encrypted, digest = cursor.fetchone()

    assert encrypted and encrypted != NUMBER
    assert crypto.decrypt(encrypted) == NUMBER
    assert crypto.decrypt(name_encrypted) == REAL_NAME
    assert digest == crypto.digest(NUMBER) != NUMBER
    # Nor anywhere else: every text column of every table, sessions and admin log included.
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.values_list(*names):
            assert leaks(" ".join(map(str, row))) == [], model._meta.label


def test_keys_rotate_and_the_number_still_decrypts(member, verified) -> None:
    new_key = Fernet.generate_key().decode()
    with override_settings(
        ID_NUMBER_KEYS=[new_key, *settings.ID_NUMBER_KEYS], ID_NUMBER_HMAC_KEY="rotated-hmac"
    ):
        out = io.StringIO()
        call_command("rotate_identity_keys", stdout=out)
        assert "1" in out.getvalue()
    with override_settings(ID_NUMBER_KEYS=[new_key], ID_NUMBER_HMAC_KEY="rotated-hmac"):
        member.refresh_from_db()
        assert crypto.decrypt(member.id_number_encrypted) == NUMBER
        assert member.id_number_digest == crypto.digest(NUMBER)
        # Still one number, one account, under the new keys.
        other = APIClient()
        other.credentials(HTTP_X_SESSION_TOKEN=session_token_for(UserFactory()))
        response = other.post(
            "/api/v1/me/verification/",
            {"real_name": REAL_NAME, "id_number": NUMBER},
            format="json",
        )
        assert response.json()["code"] == "id_number_in_use"


def test_export_holds_the_account_data(member, client, verified) -> None:
    data = client.get("/api/v1/me/export/").json()

    account = data["account"]
    assert account["id"] == member.pk
    assert account["display_name"] == "欧阳阿姨"
    assert account["phone"] == "+8613812345678"
    assert account["email"] == "oy@example.cn"
    assert account["birth_date"] == "1960-03-15"
    assert account["is_verified"] is True
    assert account["id_number_masked"] == MASKED
    assert account["date_joined"].endswith("+08:00")
    assert data["points"]["entries"][0]["created"].endswith("+08:00")
    assert data["points"]["balance"] == 8
    assert [e["reason"] for e in data["points"]["entries"]] == ["整理图书"]


def test_delete_keeps_the_row_but_clears_what_identifies(member, client, verified) -> None:
    response = client.delete(ME, {"confirm": True}, format="json")

    assert response.status_code == 204
    row = User.objects.get(pk=member.pk)  # the row stays: history points at it
    assert row.anonymized_at is not None
    assert not row.is_active
    assert row.username == f"deleted-{member.pk}"
    assert (row.display_name, row.email, row.phone, row.neighbourhood) == ("", "", None, "")
    assert row.birth_date is None
    assert row.id_number_encrypted == row.real_name_encrypted == row.id_number_masked == ""
    assert row.id_number_digest is None and not row.is_verified
    assert not row.has_usable_password()
    assert PointsEntry.objects.filter(member=row).count() == 1
    assert client.get(ME).status_code == 401
    # The number is free again: its owner may verify a new account.
    newcomer = APIClient()
    newcomer.credentials(HTTP_X_SESSION_TOKEN=session_token_for(UserFactory()))
    again = newcomer.post(
        "/api/v1/me/verification/", {"real_name": REAL_NAME, "id_number": NUMBER}, format="json"
    )
    assert again.status_code == 200


def test_delete_runs_the_other_apps_anonymizers_in_its_transaction(member, client, monkeypatch):
    seen = []

    def forget_purposes(user: User) -> None:
        # Inside member_delete's transaction: the row is already anonymized.
        seen.append((user.pk, User.objects.get(pk=user.pk).anonymized_at is not None))

    monkeypatch.setattr(privacy, "ANONYMIZERS", [*privacy.ANONYMIZERS, forget_purposes])

    assert client.delete(ME, {"confirm": True}, format="json").status_code == 204
    assert seen == [(member.pk, True)]
