"""Accounts (allauth): web and app signup and login by phone or email, SMS codes, password
reset, logout, app tokens on /api/v1/, failed-login limits (web, app, admin) and enumeration."""

import logging
import re
from typing import ClassVar

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from members.models import User
from members.phones import mask_phone, normalize_mainland_mobile
from members.sms import BaseSMSBackend, LogSMSBackend, SMSError, send_sms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Lin-li-secret-42"
PHONE = "+8613812345678"
EMAIL = "zhang.xiuying@example.com"

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
LOGIN_CODE = "/accounts/login/code/"
LOGIN_CODE_CONFIRM = "/accounts/login/code/confirm/"
VERIFY_PHONE = "/accounts/phone/verify/"
LOGOUT = "/accounts/logout/"
RESET = "/accounts/password/reset/"

APP = "/_allauth/app/v1"
ME = "/api/v1/me/"

LOGIN_FAILED = "手机号码、电子邮箱或密码不正确。"


class OutboxSMSBackend(BaseSMSBackend):
    """Keeps texts in memory, like Django's locmem email backend."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


class BrokenGatewaySMSBackend(BaseSMSBackend):
    def send(self, phone: str, message: str) -> None:
        raise SMSError("gateway timeout")


@pytest.fixture
def sms(settings) -> list[tuple[str, str]]:
    settings.SMS_BACKEND = f"{__name__}.OutboxSMSBackend"
    OutboxSMSBackend.outbox.clear()
    return OutboxSMSBackend.outbox


def code_in(text: str) -> str:
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


def logged_in_pk(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


@pytest.fixture
def member() -> User:
    """A member with a verified phone and an email address."""
    return UserFactory(phone=PHONE, phone_verified=True, email=EMAIL, password=PASSWORD)


# --- Phone numbers and the SMS backend --------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "+86 138-1234-5678",
        "8613812345678",
        "0086 138 1234 5678",
        "(+86) 138.1234.5678",
        "１３８１２３４５６７８",  # full-width digits from a Chinese keyboard
    ],
)
def test_mainland_mobile_numbers_as_typed_become_e164(typed):
    assert normalize_mainland_mobile(typed) == PHONE


@pytest.mark.parametrize(
    "typed",
    ["12345678901", "1381234567", "138123456789", "+852 9123 4567", "021 6234 5678", "abc", ""],
)
def test_other_numbers_are_refused_with_a_clear_message(typed):
    with pytest.raises(ValidationError) as error:
        normalize_mainland_mobile(typed)
    assert error.value.code == "invalid_phone"
    assert "中国大陆手机号码" in str(error.value.messages[0])


def test_log_backend_logs_the_message_with_the_number_masked(caplog):
    with caplog.at_level(logging.INFO, logger="members.sms"):
        LogSMSBackend().send(PHONE, "验证码 123456")

    assert caplog.records[0].levelno == logging.INFO
    assert caplog.messages == ["SMS to 138****5678: 验证码 123456"]
    assert mask_phone(PHONE) == "138****5678"


def test_a_gateway_failure_is_logged_not_raised(settings, caplog):
    settings.SMS_BACKEND = f"{__name__}.BrokenGatewaySMSBackend"

    send_sms(PHONE, "验证码 123456")

    assert "138****5678" in caplog.text
    assert "could not be sent" in caplog.text
    assert PHONE not in caplog.text


# --- Web: signup -------------------------------------------------------------------------------


def test_web_signup_by_phone_sends_an_sms_code_that_verifies_the_number(client, sms):
    response = client.post(
        SIGNUP, {"phone": "138 1234 5678", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == VERIFY_PHONE
    user = User.objects.get()
    assert (user.phone, user.phone_verified, user.language) == (PHONE, False, "zh-hans")
    assert logged_in_pk(client) is None  # not before the number is proven
    [(to, text)] = sms
    assert to == PHONE
    assert text.startswith("【邻里】验证码")

    wrong = client.post(VERIFY_PHONE, {"code": "000000"})
    assert wrong.status_code == 200
    assert logged_in_pk(client) is None

    response = client.post(VERIFY_PHONE, {"code": code_in(text)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_pk(client) == user.pk
    user.refresh_from_db()
    assert user.phone_verified


def test_web_signup_in_english_texts_in_english(client, sms):
    client.post(
        SIGNUP,
        {"phone": "13812345678", "password1": PASSWORD, "password2": PASSWORD},
        headers={"accept-language": "en"},
    )

    assert User.objects.get().language == "en"
    [(_, text)] = sms
    assert text.startswith("Linli code: ")


def test_web_signup_by_email_logs_in_and_sends_a_confirmation_email(client, sms):
    response = client.post(SIGNUP, {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert (user.email, user.phone) == (EMAIL, None)
    assert logged_in_pk(client) == user.pk  # email confirmation is optional
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    assert sms == []


def test_web_signup_needs_a_phone_or_an_email(client):
    response = client.post(SIGNUP, {"password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 200
    assert "请填写手机号码或电子邮箱" in response.content.decode()
    assert not User.objects.exists()


def test_web_signup_refuses_a_number_outside_the_mainland(client, sms):
    response = client.post(
        SIGNUP, {"phone": "+852 9123 4567", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "请输入中国大陆手机号码，例如 138 1234 5678。"
    ]
    assert not User.objects.exists()
    assert sms == []


def test_web_signup_with_a_registered_number_looks_the_same_and_texts_its_owner(
    client, sms, member
):
    response = client.post(
        SIGNUP, {"phone": "138-1234-5678", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == VERIFY_PHONE  # as for a new number
    assert User.objects.count() == 1
    [(to, text)] = sms
    assert to == PHONE
    assert "已注册" in text


# --- Web: login, code, reset, logout -----------------------------------------------------------


@pytest.mark.parametrize("login", ["13812345678", "+86 138 1234 5678", EMAIL, EMAIL.upper()])
def test_web_login_with_phone_or_email_and_password(client, member, login):
    response = client.post(LOGIN, {"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_pk(client) == member.pk


def test_web_login_by_sms_code(client, sms, member):
    response = client.post(LOGIN_CODE, {"phone": "138 1234 5678"})

    assert response.status_code == 302
    assert response["Location"] == LOGIN_CODE_CONFIRM
    [(to, text)] = sms
    assert to == PHONE
    assert logged_in_pk(client) is None
    page = client.get(LOGIN_CODE_CONFIRM).content.decode()
    assert 'inputmode="numeric"' in page  # the number pad on a phone

    response = client.post(LOGIN_CODE_CONFIRM, {"code": code_in(text)})

    assert response.status_code == 302
    assert logged_in_pk(client) == member.pk


def test_web_login_code_for_an_unknown_number_looks_the_same_and_sends_nothing(client, sms):
    response = client.post(LOGIN_CODE, {"phone": "13912345678"})

    assert response.status_code == 302
    assert response["Location"] == LOGIN_CODE_CONFIRM
    assert sms == []  # texting strangers costs money and is how SMS pumping works


def test_web_password_reset_by_an_emailed_code(client, member):
    response = client.post(RESET, {"email": EMAIL})

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [EMAIL]
    confirm = client.post(response["Location"], {"code": code_in(message.body)})
    assert confirm.status_code == 302
    new_password = "Another-secret-77"
    done = client.post(confirm["Location"], {"password1": new_password, "password2": new_password})
    assert done.status_code == 302

    member.refresh_from_db()
    assert member.check_password(new_password)


def test_web_password_reset_for_an_unknown_email_looks_the_same(client, member):
    known = client.post(RESET, {"email": EMAIL})
    unknown = Client().post(RESET, {"email": "nobody@example.com"})

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])


def test_web_logout(client, member):
    client.force_login(member)
    assert client.get(LOGOUT).status_code == 200  # a confirmation page: no logout by a link

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert logged_in_pk(client) is None


def test_header_shows_login_or_the_member_and_logout(client, member):
    page = client.get(SIGNUP).content.decode()
    assert 'href="/accounts/login/"' in page
    assert "退出" not in page

    client.force_login(member)
    page = client.get(RESET).content.decode()

    # The header stays short enough to fit at 200% text: "我的" leads to the account page,
    # which shows who is logged in and has the way out.
    assert 'href="/me/">我的</a>' in page
    assert PHONE not in page
    account = client.get("/me/").content.decode()
    assert "138****5678" in account
    assert f'href="{LOGOUT}"' in account


# --- App (allauth headless) and /api/v1/ -------------------------------------------------------


def app_post(api: APIClient, path: str, data: dict, token: str | None = None):
    headers = {"X-Session-Token": token} if token else {}
    return api.post(f"{APP}{path}", data, format="json", headers=headers)


def test_app_signup_by_phone_then_verify_gives_a_token_for_the_api(api, sms):
    response = app_post(api, "/auth/signup", {"phone": PHONE, "password": PASSWORD})

    assert response.status_code == 401  # logged in only once the number is verified
    body = response.json()
    assert {f["id"] for f in body["data"]["flows"] if f.get("is_pending")} == {"verify_phone"}
    token = body["meta"]["session_token"]
    [(_, text)] = sms

    response = app_post(api, "/auth/phone/verify", {"code": code_in(text)}, token)

    assert response.status_code == 200
    token = response.json()["meta"].get("session_token", token)
    user = User.objects.get()
    assert user.phone_verified
    me = APIClient().get(ME, headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


def test_app_signup_by_email_gives_a_token_at_once(api):
    response = app_post(api, "/auth/signup", {"email": EMAIL, "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    me = APIClient().get(ME, headers={"X-Session-Token": token})
    assert me.json()["id"] == User.objects.get().pk


def test_app_signup_needs_a_phone_or_an_email(api):
    response = app_post(api, "/auth/signup", {"password": PASSWORD})

    assert response.status_code == 400
    assert "请填写手机号码或电子邮箱" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("credentials", [{"phone": PHONE}, {"email": EMAIL}])
def test_app_login_token_works_on_the_api_until_logout(api, member, credentials):
    response = app_post(api, "/auth/login", {**credentials, "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    me = APIClient().get(ME, headers={"X-Session-Token": token})
    assert (me.status_code, me.json()["id"]) == (200, member.pk)

    logout = api.delete(f"{APP}/auth/session", headers={"X-Session-Token": token})
    assert logout.status_code == 401  # allauth: "no longer authenticated"

    after = APIClient().get(ME, headers={"X-Session-Token": token})
    assert after.status_code == 401


def test_app_login_by_sms_code(api, sms, member):
    response = app_post(api, "/auth/code/request", {"phone": PHONE})

    assert response.status_code == 401
    body = response.json()
    assert {f["id"] for f in body["data"]["flows"] if f.get("is_pending")} == {"login_by_code"}
    token = body["meta"]["session_token"]
    [(to, text)] = sms
    assert to == PHONE
    wrong = app_post(api, "/auth/code/confirm", {"code": "000000"}, token)
    assert wrong.status_code == 400

    response = app_post(api, "/auth/code/confirm", {"code": code_in(text)}, token)

    assert response.status_code == 200
    token = response.json()["meta"].get("session_token", token)
    me = APIClient().get(ME, headers={"X-Session-Token": token})
    assert me.json()["id"] == member.pk


@pytest.mark.parametrize(
    ("headers", "code"),
    [({"X-Session-Token": "not-a-real-token"}, "session_expired"), ({}, "not_authenticated")],
)
def test_api_without_a_valid_token_is_a_401_in_our_error_shape(api, headers, code):
    response = api.get(ME, headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("X-Session-Token")


def test_a_token_of_a_logged_out_session_is_session_expired(api, member):
    token = (
        APIClient()
        .post(f"{APP}/auth/login", {"email": EMAIL, "password": PASSWORD}, format="json")
        .json()["meta"]["session_token"]
    )
    assert api.get(ME, headers={"X-Session-Token": token}).status_code == 200

    APIClient().delete(f"{APP}/auth/session", headers={"X-Session-Token": token})
    response = api.get(ME, headers={"X-Session-Token": token})

    assert (response.status_code, response.json()["code"]) == (401, "session_expired")
    assert response.json()["detail"] == "登录已过期，请重新登录。"
    # A public endpoint ignores a stale token rather than refusing the list of centers.
    assert api.get("/api/v1/centers/", headers={"X-Session-Token": token}).status_code == 200


# --- Failed logins: limits per account and per IP address ----------------------------------------


def web_login(client: Client, login: str, password: str, ip: str, path: str = LOGIN):
    response = client.post(path, {"login": login, "password": password}, REMOTE_ADDR=ip)
    errors = response.context["form"].non_field_errors() if response.status_code == 200 else []
    return response.status_code, list(errors)


def app_login(login: dict, password: str, ip: str):
    response = APIClient(REMOTE_ADDR=ip).post(
        f"{APP}/auth/login", {**login, "password": password}, format="json"
    )
    messages = [e["message"] for e in response.json().get("errors", [])]
    return response.status_code, messages


def admin_login_url(client: Client) -> str:
    """Where the admin sends someone who is not logged in: allauth's login page."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    return response["Location"]


def retry_after(response) -> int:
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 5 * 60
    return seconds


@pytest.mark.parametrize("surface", ["web", "admin"])
def test_web_and_admin_block_an_account_after_5_failures_from_one_address(client, sms, surface):
    UserFactory(phone=PHONE, phone_verified=True, email=EMAIL, password=PASSWORD, is_staff=True)
    path = admin_login_url(client) if surface == "admin" else LOGIN
    for _attempt in range(5):
        status, errors = web_login(client, "138 1234 5678", "wrong", "10.0.0.1", path)
        assert (status, errors) == (200, [LOGIN_FAILED])

    # Another spelling of the number, the same address, the right password: blocked, with a
    # friendly page that says when and offers a login by code.
    response = Client().post(
        path, {"login": "+86 138-1234-5678", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    retry_after(response)
    page = response.content.decode()
    assert "尝试次数太多" in page and LOGIN_CODE in page
    # The owner elsewhere is not locked out: wrong passwords are no weapon.
    status, errors = web_login(Client(), "13812345678", PASSWORD, "10.9.9.9", path)
    assert (status, errors) == (302, [])
    # Nor from the same address by a code sent to the phone.
    coded = Client(REMOTE_ADDR="10.0.0.1")
    assert coded.post(LOGIN_CODE, {"phone": "138 1234 5678"}).status_code == 302
    [(_to, text)] = sms
    assert coded.post(LOGIN_CODE_CONFIRM, {"code": code_in(text)}).status_code == 302
    assert logged_in_pk(coded) is not None
    # Other accounts from that address, by phone or by email, are not affected.
    UserFactory(phone="+8613900000001", phone_verified=True, password=PASSWORD, is_staff=True)
    UserFactory(email="other@example.com", password=PASSWORD, is_staff=True)
    for login in ("13900000001", "other@example.com"):
        status, errors = web_login(Client(), login, PASSWORD, "10.0.0.1", path)
        assert (status, errors) == (302, []), login


@pytest.mark.parametrize("surface", ["web", "admin"])
def test_web_and_admin_block_an_address_after_10_failures_on_any_accounts(client, surface):
    UserFactory(email=EMAIL, password=PASSWORD)
    path = admin_login_url(client) if surface == "admin" else LOGIN
    for n in range(10):
        status, errors = web_login(client, f"1391234{n:04d}", "wrong", "10.0.0.1", path)
        assert errors == [LOGIN_FAILED]

    response = client.post(path, {"login": EMAIL, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert retry_after(response) <= 60
    status, _ = web_login(Client(), EMAIL, PASSWORD, "10.0.0.2", path)
    assert status == 302


def test_admin_login_form_never_checks_a_password_itself(client):
    staff = UserFactory(email=EMAIL, password=PASSWORD, is_staff=True)

    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert logged_in_pk(client) is None
    # Through allauth's page the staff member gets into the admin.
    response = client.post(response["Location"], {"login": EMAIL, "password": PASSWORD})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_app_blocks_an_account_after_5_failures_from_one_address(sms):
    UserFactory(phone=PHONE, phone_verified=True, password=PASSWORD)
    for _attempt in range(5):
        status, messages = app_login({"phone": PHONE}, "wrong", "10.0.0.1")
        assert (status, messages) == (400, [LOGIN_FAILED])

    response = APIClient(REMOTE_ADDR="10.0.0.1").post(
        f"{APP}/auth/login", {"phone": PHONE, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    retry_after(response)
    # Elsewhere the owner logs in; so does another account from the same address.
    status, _ = app_login({"phone": PHONE}, PASSWORD, "10.9.9.9")
    assert status == 200
    UserFactory(phone="+8613900000001", phone_verified=True, password=PASSWORD)
    status, _ = app_login({"phone": "+8613900000001"}, PASSWORD, "10.0.0.1")
    assert status == 200
    # And from the same address with a code sent to the phone.
    app = APIClient(REMOTE_ADDR="10.0.0.1")
    requested = app.post(f"{APP}/auth/code/request", {"phone": PHONE}, format="json")
    assert requested.status_code == 401  # allauth: a pending login stage
    token = requested.json()["meta"]["session_token"]
    [(_to, text)] = sms
    confirmed = app.post(
        f"{APP}/auth/code/confirm",
        {"code": code_in(text)},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["meta"]["is_authenticated"] is True


def test_app_blocks_an_address_after_10_failures_on_any_accounts():
    UserFactory(email=EMAIL, password=PASSWORD)
    for n in range(10):
        status, messages = app_login({"phone": f"+86139123{n:05d}"}, "wrong", "10.0.0.1")
        assert messages == [LOGIN_FAILED]

    status, _messages = app_login({"email": EMAIL}, PASSWORD, "10.0.0.1")
    assert status == 429
    status, _ = app_login({"email": EMAIL}, PASSWORD, "10.0.0.2")
    assert status == 200


# --- No enumeration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("known", "unknown"), [("13812345678", "13912345678"), (EMAIL, "nobody@example.com")]
)
def test_web_wrong_password_and_unknown_account_get_the_same_answer(client, member, known, unknown):
    wrong_password = web_login(client, known, "wrong", "10.0.0.1")
    no_account = web_login(client, unknown, "wrong", "10.0.0.1")

    assert wrong_password == no_account == (200, [LOGIN_FAILED])


@pytest.mark.parametrize(
    ("known", "unknown"),
    [({"phone": PHONE}, {"phone": "+8613912345678"}), ({"email": EMAIL}, {"email": "no@x.cn"})],
)
def test_app_wrong_password_and_unknown_account_get_the_same_answer(member, known, unknown):
    wrong_password = APIClient().post(
        f"{APP}/auth/login", {**known, "password": "wrong"}, format="json"
    )
    no_account = APIClient().post(
        f"{APP}/auth/login", {**unknown, "password": "wrong"}, format="json"
    )

    assert wrong_password.status_code == no_account.status_code == 400
    assert wrong_password.json() == no_account.json()


def test_too_many_login_requests_get_a_friendly_page(client):
    for _ in range(30):
        client.post(LOGIN, {"login": "13812345678", "password": "wrong"})

    response = client.post(LOGIN, {"login": "13812345678", "password": "wrong"})

    assert response.status_code == 429
    assert "尝试次数太多" in response.content.decode()


def test_password_rules_speak_chinese_at_signup(client):
    response = client.post(
        SIGNUP, {"phone": "13812345678", "password1": "a1b2", "password2": "a1b2"}
    )

    assert response.context["form"].errors["password1"] == ["密码太短，至少需要 8 个字符。"]
