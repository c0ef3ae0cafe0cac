"""The member's API (API.md, "The member"), WeChat login against a stand-in WeChat server, and the
resident pages under /me/."""

import io
import json
import logging
import socket
from datetime import date

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from members.idcard import check_digit
from members.models import PointsEntry, User, WeChatAccount, age_on
from members.services.no_shows import no_show_record
from members.services.points import points_earn
from members.services.teams import team_add_member, team_create
from members.services.wechat import session_token_for
from tests.factories import CenterFactory, UserFactory
from tests.helpers import SHANGHAI
from tests.members.conftest import WECHAT_APPID, WECHAT_SECRET
from tests.members.wechat_stub import SESSION_KEY

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/wechat/"
ME = "/api/v1/me/"
VERIFY = "/api/v1/me/verification/"
POINTS = "/api/v1/me/points/"
EXPORT = "/api/v1/me/export/"

ME_KEYS = {
    "id",
    "display_name",
    "phone",
    "email",
    "birth_date",
    "age",
    "neighbourhood",
    "is_verified",
    "id_number_masked",
    "points_balance",
    "suspended_until",
    "teams",
    "language",
    "is_party_member",
    "notification_channels",
}


def id_number(region: str = "310104", born: str = "19600315", sequence: str = "123") -> str:
    """A valid resident ID number: the GB 11643 check character computed, not copied."""
    first17 = f"{region}{born}{sequence}"
    return first17 + check_digit(first17)


def with_wrong_check(number: str) -> str:
    wrong = next(c for c in "0123456789X" if c != number[17])
    return number[:17] + wrong


def client_for(member: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(member))
    return client


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def assert_invalid(response, field: str) -> dict:
    body = assert_error(response, 400, "invalid")
    assert field in body["fields"], body
    assert all(isinstance(m, str) and m for m in body["fields"][field])
    return body


def login(api: APIClient, code: str, **extra):
    return api.post(LOGIN, {"code": code}, format="json", **extra)


# --- WeChat login -------------------------------------------------------------------------------


class TestWeChatLogin:
    def test_first_login_creates_the_member_and_the_token_works(self, api, wechat) -> None:
        response = login(api, "good-1")

        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"token", "member", "created"}
        assert body["created"] is True
        assert set(body["member"]) == ME_KEYS
        assert body["member"]["is_verified"] is False
        assert response["Cache-Control"] == "no-store"
        account = WeChatAccount.objects.get()
        assert (account.appid, account.openid, account.unionid) == (WECHAT_APPID, "o-1", "u-1")
        assert account.user_id == body["member"]["id"]
        # What WeChat was asked: our appid and secret, the code, the grant type.
        (call,) = wechat.calls("/sns/jscode2session")
        assert call.method == "GET"
        assert call.query == {
            "appid": WECHAT_APPID,
            "secret": WECHAT_SECRET,
            "js_code": "good-1",
            "grant_type": "authorization_code",
        }
        # The token works like the app token on every endpoint.
        me = APIClient().get(ME, HTTP_X_SESSION_TOKEN=body["token"])
        assert me.status_code == 200
        assert me.json()["id"] == account.user_id

    def test_the_next_login_finds_the_same_member(self, api, wechat) -> None:
        first = login(api, "good-1").json()

        again = login(api, "good-1")

        assert again.status_code == 200
        assert again.json()["created"] is False
        assert again.json()["member"]["id"] == first["member"]["id"]
        assert again.json()["token"] != first["token"]
        assert User.objects.count() == WeChatAccount.objects.count() == 1
        for token in (first["token"], again.json()["token"]):
            assert APIClient().get(ME, HTTP_X_SESSION_TOKEN=token).status_code == 200

    def test_unionid_is_stored_when_wechat_sends_it_later(self, api, wechat) -> None:
        login(api, "nounion-2")
        assert WeChatAccount.objects.get().unionid == ""

        login(api, "good-2")

        assert WeChatAccount.objects.get().unionid == "u-2"

    def test_session_key_is_never_returned_logged_or_stored(self, api, wechat, caplog) -> None:
        caplog.set_level(logging.DEBUG)
        for name in ("httpx", "httpcore", "members", "django"):
            caplog.set_level(logging.DEBUG, logger=name)

        responses = [login(api, "good-1"), login(api, "good-1"), login(api, "nounion-3")]

        assert wechat.requests
        for response in responses:
            assert response.status_code == 200
            assert SESSION_KEY not in response.content.decode()
        assert caplog.records  # the capture works: the login logged something
        assert SESSION_KEY not in caplog.text
        assert all(SESSION_KEY not in record.getMessage() for record in caplog.records)
        for session in Session.objects.all():
            assert SESSION_KEY not in json.dumps(session.get_decoded())

    def test_app_secret_and_code_stay_out_of_the_logs_with_the_project_logging(
        self, api, wechat, caplog
    ) -> None:
        """httpx logs the full URL (secret and code in its query) at INFO; the project's
        LOGGING keeps it at WARNING."""
        caplog.set_level(logging.DEBUG)

        login(api, "good-7")

        assert WECHAT_SECRET not in caplog.text
        assert "good-7" not in caplog.text

    @pytest.mark.parametrize(
        ("code", "status", "error"),
        [
            ("bad", 400, "wechat_code_invalid"),
            ("used", 400, "wechat_code_invalid"),
            ("limit", 429, "wechat_rate_limited"),
            ("busy", 503, "wechat_unavailable"),
            ("garbage", 503, "wechat_unavailable"),
            ("http500", 503, "wechat_unavailable"),
            ("list", 503, "wechat_unavailable"),
            ("slow", 503, "wechat_unavailable"),
        ],
    )
    def test_wechat_errors_are_clear_and_create_nobody(
        self, api, wechat, code, status, error
    ) -> None:
        response = login(api, code)

        assert_error(response, status, error)
        assert len(wechat.calls("/sns/jscode2session")) == 1
        assert not User.objects.exists()

    def test_errors_speak_the_request_language(self, api, wechat) -> None:
        english = login(api, "bad", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
        chinese = login(api, "bad").json()["detail"]

        assert english == "The WeChat login code is invalid or used. Please try again."
        assert chinese != english
        assert "微信" in chinese

    def test_wechat_unreachable_is_a_503(self, api, settings) -> None:
        with socket.socket() as sock:  # a port nobody listens on any more
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        settings.WECHAT_API_BASE = f"http://127.0.0.1:{port}"

        assert_error(login(api, "good-1"), 503, "wechat_unavailable")

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({}, "code"),
            ({"code": ""}, "code"),
            ({"code": "x" * 129}, "code"),
            ({"code": 12345}, "code"),
            ({"code": None}, "code"),
            ({"code": "good-1", "session_key": "x"}, "session_key"),
        ],
    )
    def test_bad_input_is_invalid_and_never_reaches_wechat(self, api, wechat, data, field) -> None:
        assert_invalid(api.post(LOGIN, data, format="json"), field)
        assert wechat.requests == []

    def test_unknown_field_says_so(self, api, wechat) -> None:
        body = assert_invalid(api.post(LOGIN, {"code": "good-1", "cod": 1}, format="json"), "cod")

        assert body["fields"] == {"cod": ["未知字段。"]}

    def test_disabled_account_gets_no_token(self, api, wechat) -> None:
        member_id = login(api, "good-4").json()["member"]["id"]
        User.objects.filter(pk=member_id).update(is_active=False)  # staff disabled it

        response = login(api, "good-4")

        assert_error(response, 403, "account_disabled")
        assert "token" not in response.json()

    def test_login_is_rate_limited_per_address(self, api, wechat) -> None:
        for _ in range(30):  # the configured rate: 30 a minute
            assert login(api, "bad").status_code == 400

        throttled = login(api, "good-1")
        forged = login(api, "good-1", HTTP_X_FORWARDED_FOR="203.0.113.9")
        elsewhere = login(api, "good-1", REMOTE_ADDR="198.51.100.7")

        body = assert_error(throttled, 429, "throttled")
        assert int(throttled["Retry-After"]) > 0
        assert body["detail"]
        assert_error(forged, 429, "throttled")  # X-Forwarded-For is not trusted by default
        assert elsewhere.status_code == 200
        assert len(wechat.requests) == 31


# --- GET/PATCH /me/ ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", ME),
        ("patch", ME),
        ("delete", ME),
        ("post", VERIFY),
        ("get", POINTS),
        ("get", EXPORT),
    ],
)
@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["no-token", "bad-token"])
def test_member_endpoints_need_a_login(api, method, url, token) -> None:
    if token:
        api.credentials(HTTP_X_SESSION_TOKEN=token)

    response = getattr(api, method)(url, {}, format="json")

    # A token that does not (or no longer) work says so: the client must log in again.
    assert_error(response, 401, "session_expired" if token else "not_authenticated")
    assert response["WWW-Authenticate"]


def suspended_member(member: User) -> None:
    center = CenterFactory(no_show_limit=1, suspension_days=7)
    no_show_record(
        member=member,
        center=center,
        cause=CenterFactory(),  # any row stands for the missed booking here
        occurred_at=timezone.now(),
    )


def busy_member(teams: int, entries: int, phone: str = "+8613812345678") -> User:
    member = UserFactory(
        display_name="王阿姨",
        phone=phone,
        email="wang@example.cn",
        neighbourhood="静安寺居民区",
        birth_date=date(1956, 4, 2),
        notification_channels=["wechat", "sms"],
    )
    for n in range(teams):
        team = team_create(center=CenterFactory(), name=f"合唱队{n}", leader=UserFactory())
        team_add_member(team=team, member=member)
    for n in range(entries):
        points_earn(member=member, amount=5, kind=PointsEntry.Kind.VOLUNTEER, reason=f"志愿{n}")
    suspended_member(member)
    return member


class TestMe:
    def test_shows_the_profile(self) -> None:
        member = busy_member(teams=1, entries=2)

        response = client_for(member).get(ME)

        assert response.status_code == 200
        body = response.json()
        assert set(body) == ME_KEYS
        suspension = member.suspensions.get()
        assert body == {
            "id": member.pk,
            "display_name": "王阿姨",
            "phone": "138****5678",
            "email": "wang@example.cn",
            "birth_date": "1956-04-02",
            "age": age_on(date(1956, 4, 2), timezone.localdate()),
            "neighbourhood": "静安寺居民区",
            "is_verified": False,
            "id_number_masked": None,
            "points_balance": 10,
            "suspended_until": suspension.ends_at.astimezone(SHANGHAI).isoformat(),
            "teams": [{"id": member.teams.get().pk, "name": "合唱队0"}],
            "language": "zh-hans",
            "is_party_member": False,
            "notification_channels": ["wechat", "sms"],
        }
        assert body["suspended_until"].endswith("+08:00")
        assert "13812345678" not in response.content.decode()

    def test_a_new_member_has_nulls_not_blanks(self) -> None:
        body = client_for(UserFactory()).get(ME).json()

        assert body["phone"] is body["email"] is body["birth_date"] is body["age"] is None
        assert body["id_number_masked"] is body["suspended_until"] is None
        assert body["teams"] == []
        assert body["points_balance"] == 0

    def test_query_count_does_not_grow_with_teams_and_points(self) -> None:
        counts = []
        for size in (1, 20):
            client = client_for(busy_member(size, size, phone=f"+86138000000{size:02d}"))
            with CaptureQueriesContext(connection) as queries:
                assert client.get(ME).status_code == 200
            counts.append(len(queries))

        assert counts[0] == counts[1]
        assert counts[0] <= 6

    def test_the_browser_session_works_too(self, api) -> None:
        member = UserFactory()
        api.force_login(member)

        assert api.get(ME).json()["id"] == member.pk


class TestMePatch:
    def test_changes_what_the_member_may_change(self) -> None:
        member = UserFactory()
        client = client_for(member)

        response = client.patch(
            ME,
            {
                "display_name": "  老 李  ",
                "neighbourhood": "华山居民区",
                "language": "en",
                "notification_channels": ["sms", "wechat"],
                "is_party_member": True,
                "birth_date": "1950-01-31",
            },
            format="json",
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == ME_KEYS
        member.refresh_from_db()
        assert body["display_name"] == member.display_name == "老 李"
        assert body["neighbourhood"] == member.neighbourhood == "华山居民区"
        assert body["language"] == member.language == "en"
        assert body["notification_channels"] == member.notification_channels == ["sms", "wechat"]
        assert body["is_party_member"] is member.is_party_member is True
        assert body["birth_date"] == "1950-01-31"
        assert member.birth_date == date(1950, 1, 31)

    def test_an_empty_patch_changes_nothing(self) -> None:
        member = UserFactory(display_name="小王")

        response = client_for(member).patch(ME, {}, format="json")

        assert response.status_code == 200
        assert response.json()["display_name"] == "小王"

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"phone": "13900000000"}, "phone", "This field cannot be changed."),
            ({"points_balance": 1000}, "points_balance", "This field cannot be changed."),
            ({"id_number_masked": "310"}, "id_number_masked", "This field cannot be changed."),
            ({"is_verified": True}, "is_verified", "This field cannot be changed."),
            ({"id": 1}, "id", "This field cannot be changed."),
            ({"email": "x@example.cn"}, "email", "This field cannot be changed."),
            ({"nickname": "x"}, "nickname", "Unknown field."),
            ({"id_number": "310"}, "id_number", "Unknown field."),
            ({"language": "fr"}, "language", None),
            ({"notification_channels": ["fax"]}, "notification_channels.0", None),
            ({"notification_channels": "sms"}, "notification_channels", None),
            ({"notification_channels": ["sms", "sms"]}, "notification_channels", None),
            ({"is_party_member": "yes"}, "is_party_member", "Must be true or false."),
            ({"is_party_member": 1}, "is_party_member", "Must be true or false."),
            ({"display_name": 5}, "display_name", "Enter text."),
            ({"display_name": "长" * 51}, "display_name", None),
            ({"display_name": None}, "display_name", None),
            ({"birth_date": "1960-13-01"}, "birth_date", None),
            ({"birth_date": "15/03/1960"}, "birth_date", None),
            ({"birth_date": "2999-01-01"}, "birth_date", None),
            ({"birth_date": "1899-12-31"}, "birth_date", None),
        ],
    )
    def test_anything_else_is_invalid_and_changes_nothing(self, data, field, message) -> None:
        member = UserFactory(display_name="小王", language="zh-hans")
        before = client_for(member).get(ME).json()

        response = client_for(member).patch(
            ME, {"display_name": "新名字", **data}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )

        body = assert_invalid(response, field)
        if message:
            assert body["fields"][field] == [message]
        assert client_for(member).get(ME).json() == before

    def test_a_body_that_is_not_an_object_is_invalid(self) -> None:
        client = client_for(UserFactory())

        assert_error(client.patch(ME, ["display_name"], format="json"), 400, "invalid")
        bad_json = client.generic("PATCH", ME, "{not json", content_type="application/json")
        assert_error(bad_json, 400, "invalid")

    def test_birth_date_is_fixed_once_verified(self) -> None:
        member = UserFactory()
        client = client_for(member)
        assert client.patch(ME, {"birth_date": "1970-01-01"}, format="json").status_code == 200
        client.post(VERIFY, {"real_name": "李四", "id_number": id_number()}, format="json")

        response = client.patch(ME, {"birth_date": "1970-01-01"}, format="json")

        body = assert_invalid(response, "birth_date")
        assert body["detail"] == body["fields"]["birth_date"][0]
        member.refresh_from_db()
        assert member.birth_date == date(1960, 3, 15)


# --- Verification -------------------------------------------------------------------------------


class TestVerification:
    def test_verifies_and_derives_the_birth_date(self) -> None:
        member = UserFactory()
        number = id_number("310104", "19600315", "123")

        response = client_for(member).post(
            VERIFY, {"real_name": "张 三", "id_number": number}, format="json"
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == ME_KEYS
        assert body["is_verified"] is True
        assert body["id_number_masked"] == f"3****************{number[-1]}"
        assert body["birth_date"] == "1960-03-15"
        assert body["age"] == age_on(date(1960, 3, 15), timezone.localdate())
        assert number not in response.content.decode()
        member.refresh_from_db()
        assert member.is_verified and member.birth_date == date(1960, 3, 15)

    def test_lower_case_x_and_spaces_are_accepted(self) -> None:
        sequence = next(
            f"{n:03d}" for n in range(1000) if id_number(sequence=f"{n:03d}").endswith("X")
        )
        number = id_number(sequence=sequence)
        spaced = f" {number[:6]} {number[6:14]} {number[14:].lower()} "

        response = client_for(UserFactory()).post(
            VERIFY, {"real_name": "张三", "id_number": spaced}, format="json"
        )

        assert response.status_code == 200, response.content
        assert response.json()["id_number_masked"] == f"3****************{number[-1]}"

    @pytest.mark.parametrize(
        "number",
        [
            with_wrong_check(id_number()),
            id_number()[:17],  # 17 digits
            id_number() + "1",  # 19
            "31010419600315abcd",
            "ABCDEFGHIJKLMNOPQR",
            id_number(born="19601332"),  # no such day, right check character
            id_number(born="20990101"),  # born in the future
            id_number(born="18991231"),
            "",
        ],
        ids=[
            "check-digit",
            "17-digits",
            "19-digits",
            "letters",
            "all-letters",
            "no-such-day",
            "future",
            "before-1900",
            "empty",
        ],
    )
    def test_invalid_numbers_are_refused(self, number) -> None:
        member = UserFactory()

        response = client_for(member).post(
            VERIFY, {"real_name": "张三", "id_number": number}, format="json"
        )

        if number:
            body = assert_error(response, 400, "invalid_id_number")
            assert "id_number" in body["fields"]
            assert number not in response.content.decode()
        else:
            assert_invalid(response, "id_number")
        member.refresh_from_db()
        assert not member.is_verified
        assert member.id_number_encrypted == ""

    def test_one_number_one_account(self) -> None:
        number = id_number()
        first = client_for(UserFactory()).post(
            VERIFY, {"real_name": "张三", "id_number": number}, format="json"
        )
        assert first.status_code == 200
        other = UserFactory()

        response = client_for(other).post(
            VERIFY, {"real_name": "张三", "id_number": number.lower()}, format="json"
        )

        assert_error(response, 409, "id_number_in_use")
        assert number not in response.content.decode()
        other.refresh_from_db()
        assert not other.is_verified

    def test_verifying_twice_is_a_conflict(self) -> None:
        client = client_for(UserFactory())
        client.post(VERIFY, {"real_name": "张三", "id_number": id_number()}, format="json")

        again = client.post(
            VERIFY, {"real_name": "张三", "id_number": id_number(sequence="456")}, format="json"
        )

        assert_error(again, 409, "already_verified")

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"real_name": "张", "id_number": id_number()}, "real_name"),
            ({"real_name": "   ", "id_number": id_number()}, "real_name"),
            ({"real_name": "", "id_number": id_number()}, "real_name"),
            ({"real_name": "张" * 51, "id_number": id_number()}, "real_name"),
            ({"real_name": 12, "id_number": id_number()}, "real_name"),
            ({"id_number": id_number()}, "real_name"),
            ({"real_name": "张三"}, "id_number"),
            ({"real_name": "张三", "id_number": int(id_number()[:17])}, "id_number"),
            ({"real_name": "张三", "id_number": id_number(), "birth_date": "x"}, "birth_date"),
        ],
    )
    def test_bad_input_is_invalid(self, data, field) -> None:
        member = UserFactory()

        assert_invalid(client_for(member).post(VERIFY, data, format="json"), field)
        member.refresh_from_db()
        assert not member.is_verified


# --- Points -------------------------------------------------------------------------------------


class TestPoints:
    def test_balance_and_ledger_newest_first(self) -> None:
        member = UserFactory()
        for n in (1, 2, 3):
            points_earn(member=member, amount=n, kind=PointsEntry.Kind.VOLUNTEER, reason=f"第{n}次")
        points_earn(member=UserFactory(), amount=9, kind=PointsEntry.Kind.VOLUNTEER, reason="别人")

        response = client_for(member).get(POINTS)

        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["balance", "count", "next", "previous", "results"]
        assert body["balance"] == 6
        assert body["count"] == 3
        assert [e["reason"] for e in body["results"]] == ["第3次", "第2次", "第1次"]
        first = body["results"][0]
        assert set(first) == {"id", "delta", "kind", "reason", "created"}
        assert first["delta"] == 3
        assert first["created"].endswith("+08:00")

    def test_pages(self) -> None:
        member = UserFactory()
        for n in range(5):
            points_earn(member=member, amount=1, kind=PointsEntry.Kind.VOLUNTEER, reason=f"{n}")
        client = client_for(member)

        page = client.get(POINTS, {"page_size": 2, "page": 2}).json()

        assert page["balance"] == 5
        assert page["count"] == 5
        assert [e["reason"] for e in page["results"]] == ["2", "1"]
        assert page["next"] and page["previous"]
        assert_invalid(client.get(POINTS, {"page_size": 101}), "page_size")
        assert_invalid(client.get(POINTS, {"page": 0}), "page")
        assert_error(client.get(POINTS, {"page": 9}), 404, "not_found")

    def test_query_count_does_not_grow_with_entries(self) -> None:
        counts = []
        for size in (1, 20):
            member = UserFactory()
            for n in range(size):
                points_earn(member=member, amount=1, kind=PointsEntry.Kind.VOLUNTEER, reason=f"{n}")
            client = client_for(member)
            with CaptureQueriesContext(connection) as queries:
                assert len(client.get(POINTS).json()["results"]) == size
            counts.append(len(queries))

        assert counts[0] == counts[1]


# --- Export and deletion ------------------------------------------------------------------------


class TestExportAndDelete:
    def test_export_is_a_json_download_of_the_members_data(self) -> None:
        member = busy_member(teams=1, entries=2)

        response = client_for(member).get(EXPORT)

        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="linli-export.json"'
        assert response["Cache-Control"] == "no-store"
        data = response.json()
        assert data["account"]["display_name"] == "王阿姨"
        assert data["account"]["phone"] == "+8613812345678"  # their own data, in full
        assert data["points"]["balance"] == 10
        assert len(data["points"]["entries"]) == 2
        assert data["teams"] == [{"id": member.teams.get().pk, "name": "合唱队0"}]
        assert len(data["suspensions"]) == 1

    @pytest.mark.parametrize(
        "data", [{}, {"confirm": False}, {"confirm": "true"}, {"confirm": 1}, {"sure": True}]
    )
    def test_delete_needs_confirm_true(self, data) -> None:
        member = UserFactory()

        response = client_for(member).delete(ME, data, format="json")

        assert_error(response, 400, "invalid")
        member.refresh_from_db()
        assert member.is_active and member.anonymized_at is None

    def test_delete_anonymizes_and_logs_out_everywhere(self, api, wechat) -> None:
        logged_in = login(api, "good-5").json()
        member = User.objects.get(pk=logged_in["member"]["id"])
        points_earn(member=member, amount=5, kind=PointsEntry.Kind.VOLUNTEER, reason="志愿")
        browser = APIClient()
        browser.force_login(member)
        token = logged_in["token"]

        response = APIClient().delete(
            ME, {"confirm": True}, format="json", HTTP_X_SESSION_TOKEN=token
        )

        assert response.status_code == 204
        assert response.content == b""
        assert_error(APIClient().get(ME, HTTP_X_SESSION_TOKEN=token), 401, "session_expired")
        assert_error(browser.get(ME), 401, "not_authenticated")
        member.refresh_from_db()
        assert member.anonymized_at is not None
        assert member.username == f"deleted-{member.pk}"
        assert PointsEntry.objects.filter(member=member).count() == 1  # history stays
        assert not WeChatAccount.objects.exists()
        # The same WeChat user starts afresh.
        again = login(api, "good-5").json()
        assert again["created"] is True
        assert again["member"]["id"] != member.pk


# --- Web pages ----------------------------------------------------------------------------------


class TestPages:
    @pytest.mark.parametrize("url", ["/me/", "/me/export/", "/me/delete/"])
    def test_need_a_login(self, client, url) -> None:
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"

    def test_profile_shows_masked_id_points_and_links(self, client) -> None:
        member = busy_member(teams=1, entries=2)
        number = id_number()
        client_for(member).post(VERIFY, {"real_name": "王芳", "id_number": number}, format="json")
        client.force_login(member)

        response = client.get("/me/")

        assert response.status_code == 200
        html = response.content.decode()
        assert f"3****************{number[-1]}" in html
        assert number not in html
        assert "王芳" not in html
        assert "10" in html and "合唱队0" in html
        assert reverse("members:export") in html
        assert reverse("members:delete") in html
        assert '<html lang="zh-hans">' in html
        assert "我的账号" in html

    def test_export_download(self, client) -> None:
        member = busy_member(teams=0, entries=1)
        client.force_login(member)

        response = client.get("/me/export/")

        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="linli-export.json"'
        data = json.loads(response.content)
        assert data["account"]["display_name"] == "王阿姨"
        assert "王阿姨" in response.content.decode()  # UTF-8, not \\u escapes

    def test_delete_asks_first_then_deletes_and_logs_out(self, client) -> None:
        member = UserFactory(display_name="要走的人", phone="+8613900001111")
        client.force_login(member)

        page = client.get("/me/delete/")
        unconfirmed = client.post("/me/delete/")
        member.refresh_from_db()
        assert page.status_code == unconfirmed.status_code == 200
        assert member.anonymized_at is None

        done = client.post("/me/delete/", {"confirm": "yes"})

        assert done.status_code == 302
        assert done["Location"] == reverse("centers:list")
        member.refresh_from_db()
        assert member.anonymized_at is not None
        assert member.display_name == "" and member.phone is None
        assert client.get("/me/").status_code == 302  # logged out


# --- OpenAPI ------------------------------------------------------------------------------------


class TestSchema:
    def test_documents_the_member_endpoints(self, api) -> None:
        schema = api.get("/api/schema/", {"format": "json"}).json()
        paths = schema["paths"]

        assert {"get", "patch", "delete"} <= set(paths["/api/v1/me/"])
        assert "post" in paths["/api/v1/me/verification/"]
        assert "get" in paths["/api/v1/me/points/"]
        assert "get" in paths["/api/v1/me/export/"]
        assert "post" in paths["/api/v1/auth/wechat/"]
        components = schema["components"]["schemas"]
        assert set(components["Me"]["properties"]) == ME_KEYS
        assert set(components["WeChatLoginResponse"]["properties"]) == {
            "token",
            "member",
            "created",
        }
        points = components["PaginatedPointsEntryList"]["properties"]
        assert {"balance", "count", "next", "previous", "results"} <= set(points)
        assert "204" in paths["/api/v1/me/"]["delete"]["responses"]
        assert paths["/api/v1/auth/wechat/"]["post"].get("security", []) in ([], [{}])
        assert "401" in paths["/api/v1/me/"]["get"]["responses"]

    def test_generates_without_warnings_and_validates(self) -> None:
        # Raises on any warning or error, and checks the result against the OpenAPI spec.
        call_command("spectacular", "--fail-on-warn", "--validate", stdout=io.StringIO())
