"""The one error shape ``{"code", "detail", "fields"?}``: core.errors, core.api's exception handler
and core.views' error pages, through real requests where possible.

The tests marked ``urls`` use this module as the URLconf: its ``urlpatterns`` hold tiny views that
raise on purpose, so the real handler answers them.
"""

import json
import logging

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import RequestFactory
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from centers.models import Center
from core import views as error_views
from core.api import NON_FIELD, error_body, exception_handler, flatten_errors
from core.errors import Conflict, Invalid, LinliError, NotFound
from tests.factories import CenterFactory, SpaceFactory

HUGE_ID = "99999999999999999999"  # 20 digits: more than any integer column holds
LONGEST_ID = "999999999999999999"  # 18 digits: the longest the routes accept, reaches the query
FAKE_CONTEXT = {"view": None, "args": (), "kwargs": {}, "request": None}


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"code", "detail", "fields"}
    return body


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def translated(message: str, language: str) -> str:
    with translation.override(language):
        return gettext(message)


# --- Test-only views (this module is their URLconf) ----------------------------------------------


class SlotTaken(Conflict):
    code = "slot_taken"
    message = "That time was just taken."


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "Gone."
    default_code = "gone"


def raising(exc: Exception) -> type[APIView]:
    class RaisingView(APIView):
        def get(self, request):
            raise exc

    return RaisingView


class LineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=5)
    qty = serializers.IntegerField(min_value=1)


class OrderSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=3)
    lines = LineSerializer(many=True)

    def validate(self, attrs):
        if attrs["note"] == "no":
            raise serializers.ValidationError("Orders saying no are refused.")
        return attrs


class OrderView(APIView):
    def post(self, request):
        serializer = OrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


urlpatterns = [
    path("api/boom/", raising(RuntimeError("boom")).as_view()),
    path("api/slot-taken/", raising(SlotTaken()).as_view()),
    path("api/django-invalid/", raising(DjangoValidationError({"start": ["Bad."]})).as_view()),
    path("api/django-denied/", raising(DjangoPermissionDenied()).as_view()),
    path("api/django-404/", raising(Http404()).as_view()),
    path("api/does-not-exist/", raising(Center.DoesNotExist()).as_view()),
    path("api/gone/", raising(Gone()).as_view()),
    path("api/order/", OrderView.as_view()),
]

with_test_views = pytest.mark.urls(__name__)


# --- core.errors ---------------------------------------------------------------------------------


class TestLinliErrors:
    def test_defaults(self):
        assert (Invalid.code, Invalid.status) == ("invalid", 400)
        assert (NotFound.code, NotFound.status) == ("not_found", 404)
        assert (Conflict.code, Conflict.status) == ("conflict", 409)
        assert (LinliError.code, LinliError.status) == ("error", 400)

    def test_message_and_fields(self):
        error = Invalid("时间不对", fields={"start": ["必须在开放时间内"]})

        assert error.detail == "时间不对"
        assert error.fields == {"start": ["必须在开放时间内"]}
        assert str(error) == "时间不对"

    def test_default_message_is_the_class_message(self):
        assert str(NotFound()) == str(NotFound.message)
        assert NotFound().fields is None


# --- core.api.error_body and flatten_errors ------------------------------------------------------


class TestErrorBody:
    def test_without_fields(self):
        assert error_body("not_found", "Not found.") == {
            "code": "not_found",
            "detail": "Not found.",
        }

    def test_empty_fields_are_left_out(self):
        assert "fields" not in error_body("invalid", "x", {})

    def test_with_fields_and_a_lazy_message(self):
        body = error_body("invalid", NotFound.message, {"page": ["Enter a whole number."]})

        assert body["fields"] == {"page": ["Enter a whole number."]}
        assert type(body["detail"]) is str


class TestFlattenErrors:
    def test_flat_fields(self):
        assert flatten_errors({"start": ["Required."], "end": ["Bad.", "Worse."]}) == {
            "start": ["Required."],
            "end": ["Bad.", "Worse."],
        }

    def test_nested_fields_get_dotted_names(self):
        assert flatten_errors({"team": {"leader": {"phone": ["Bad."]}}}) == {
            "team.leader.phone": ["Bad."]
        }

    def test_nested_non_field_errors_belong_to_the_parent_field(self):
        assert flatten_errors({"team": {NON_FIELD: ["Team is full."], "name": ["Too long."]}}) == {
            "team": ["Team is full."],
            "team.name": ["Too long."],
        }

    def test_top_level_non_field_errors_keep_their_key(self):
        assert flatten_errors({NON_FIELD: ["Overlaps."]}) == {NON_FIELD: ["Overlaps."]}

    def test_lists_of_objects_are_indexed(self):
        detail = {"lines": [{"qty": ["Bad."]}, {}, {"qty": ["Worse."], "sku": ["Missing."]}]}

        assert flatten_errors(detail) == {
            "lines.0.qty": ["Bad."],
            "lines.2.qty": ["Worse."],
            "lines.2.sku": ["Missing."],
        }

    def test_lists_of_lists_are_indexed(self):
        assert flatten_errors({"grid": [["a"], [], ["b", "c"]]}) == {
            "grid.0": ["a"],
            "grid.2": ["b", "c"],
        }

    def test_a_mixed_list_indexes_every_item(self):
        assert flatten_errors({"x": ["plain", {"y": ["deep"]}]}) == {
            "x.0": ["plain"],
            "x.1.y": ["deep"],
        }

    def test_a_top_level_list_of_objects(self):
        assert flatten_errors([{"a": ["1"]}, {"b": ["2"]}]) == {"0.a": ["1"], "1.b": ["2"]}

    def test_bare_messages_are_non_field_errors(self):
        assert flatten_errors(["One.", "Two."]) == {NON_FIELD: ["One.", "Two."]}
        assert flatten_errors("Oops.") == {NON_FIELD: ["Oops."]}

    def test_nothing_gives_nothing(self):
        assert flatten_errors(None) == {}
        assert flatten_errors({}) == {}
        assert flatten_errors({"a": [], "b": {}}) == {}

    def test_keys_and_messages_become_strings(self):
        flat = flatten_errors({0: [exceptions.ErrorDetail("Bad.", code="invalid")]})

        assert flat == {"0": ["Bad."]}
        assert type(flat["0"][0]) is str

    def test_a_real_serializers_errors(self):
        serializer = OrderSerializer(
            data={"note": "too long", "lines": [{"sku": "A1", "qty": 1}, {"sku": "X" * 9}]}
        )
        assert not serializer.is_valid()

        flat = flatten_errors(serializer.errors)

        assert set(flat) == {"note", "lines.1.sku", "lines.1.qty"}
        assert all(len(messages) == 1 for messages in flat.values())


# --- core.api.exception_handler, called directly -------------------------------------------------


class TestExceptionHandler:
    def handle(self, exc: Exception) -> Response:
        with translation.override("en"):
            response = exception_handler(exc, FAKE_CONTEXT)
        assert response is not None
        return response

    def test_linli_error_with_fields(self):
        response = self.handle(Invalid("Check the times.", fields={"end": ["Before start."]}))

        assert response.status_code == 400
        assert response.data == {
            "code": "invalid",
            "detail": "Check the times.",
            "fields": {"end": ["Before start."]},
        }

    @pytest.mark.parametrize(
        ("exc", "status_code", "code"),
        [
            (NotFound(), 404, "not_found"),
            (Conflict(), 409, "conflict"),
            (SlotTaken(), 409, "slot_taken"),
            (LinliError(), 400, "error"),
        ],
    )
    def test_linli_errors_keep_their_code_and_status(self, exc, status_code, code):
        response = self.handle(exc)

        assert response.status_code == status_code
        with translation.override("en"):
            assert response.data == {"code": code, "detail": str(exc.detail)}

    def test_django_validation_error_with_fields(self):
        response = self.handle(DjangoValidationError({"start": ["Bad start."], "end": ["Bad."]}))

        assert response.status_code == 400
        assert response.data == {
            "code": "invalid",
            "detail": "Bad start.",
            "fields": {"start": ["Bad start."], "end": ["Bad."]},
        }

    def test_django_validation_error_without_fields(self):
        response = self.handle(DjangoValidationError(["First.", "Second."]))

        assert response.status_code == 400
        assert response.data["fields"] == {NON_FIELD: ["First.", "Second."]}
        assert response.data["detail"] == "First."

    @pytest.mark.parametrize("exc", [Http404(), ObjectDoesNotExist(), Center.DoesNotExist()])
    def test_django_not_found(self, exc):
        response = self.handle(exc)

        assert response.status_code == 404
        assert response.data == {"code": "not_found", "detail": "Not found."}

    def test_django_permission_denied(self):
        response = self.handle(DjangoPermissionDenied())

        assert response.status_code == 403
        assert response.data["code"] == "permission_denied"

    @pytest.mark.parametrize(
        ("exc", "status_code", "code"),
        [
            (exceptions.ParseError(), 400, "invalid"),
            (exceptions.NotAuthenticated(), 401, "not_authenticated"),
            (exceptions.AuthenticationFailed(), 401, "authentication_failed"),
            (exceptions.PermissionDenied(), 403, "permission_denied"),
            (exceptions.NotFound(), 404, "not_found"),
            (exceptions.MethodNotAllowed("POST"), 405, "method_not_allowed"),
            (exceptions.NotAcceptable(), 406, "not_acceptable"),
            (exceptions.UnsupportedMediaType("text/xml"), 415, "unsupported_media_type"),
            (exceptions.Throttled(), 429, "throttled"),
            (Gone(), 410, "gone"),
        ],
    )
    def test_drf_exceptions_get_stable_codes(self, exc, status_code, code):
        response = self.handle(exc)

        assert response.status_code == status_code
        assert response.data == {"code": code, "detail": str(exc.detail)}

    def test_drf_validation_error_lists_its_fields(self):
        response = self.handle(
            exceptions.ValidationError({"lines": [{"qty": ["Too many."]}], "note": ["Empty."]})
        )

        assert response.status_code == 400
        assert response.data == {
            "code": "invalid",
            "detail": "Too many.",
            "fields": {"lines.0.qty": ["Too many."], "note": ["Empty."]},
        }

    def test_drf_validation_error_with_a_bare_message(self):
        response = self.handle(exceptions.ValidationError("Nope."))

        assert response.data == {
            "code": "invalid",
            "detail": "Nope.",
            "fields": {NON_FIELD: ["Nope."]},
        }

    def test_authentication_header_is_kept(self):
        exc = exceptions.NotAuthenticated()
        exc.auth_header = 'Session realm="api"'

        response = self.handle(exc)

        assert response["WWW-Authenticate"] == 'Session realm="api"'

    def test_throttling_says_when_to_retry(self):
        response = self.handle(exceptions.Throttled(wait=42))

        assert response.status_code == 429
        assert response["Retry-After"] == "42"

    def test_an_unexpected_exception_is_a_logged_500_in_the_shape(self, caplog):
        error = RuntimeError("database on fire")

        # As DRF calls it: while the exception is being handled.
        with caplog.at_level(logging.ERROR, logger="core.api"):
            try:
                raise error
            except RuntimeError as exc:
                response = self.handle(exc)

        assert response.status_code == 500
        assert response.data == {
            "code": "server_error",
            "detail": "Something went wrong on our side. Please try again later.",
        }
        assert "database on fire" not in response.data["detail"]
        (record,) = [r for r in caplog.records if r.name == "core.api"]
        assert record.levelno == logging.ERROR
        assert record.exc_info and record.exc_info[1] is error


# --- Through test-only views ---------------------------------------------------------------------


@with_test_views
class TestHandlerThroughViews:
    def test_a_crash_in_a_view_is_a_json_500(self, api, caplog):
        with caplog.at_level(logging.ERROR, logger="core.api"):
            response = api.get("/api/boom/")

        body = assert_error(response, 500, "server_error")
        assert "boom" not in body["detail"]
        assert "fields" not in body
        assert any(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in caplog.records)

    def test_a_crash_is_a_json_500_with_debug_on_too(self, api, settings):
        settings.DEBUG = True

        assert_error(api.get("/api/boom/"), 500, "server_error")

    def test_a_crash_in_english_and_in_chinese(self, api):
        english = api.get("/api/boom/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
        chinese = api.get("/api/boom/").json()["detail"]

        assert english == "Something went wrong on our side. Please try again later."
        assert chinese == translated(english, "zh-hans")

    def test_a_service_error_keeps_its_code(self, api):
        body = assert_error(api.get("/api/slot-taken/"), 409, "slot_taken")

        assert body["detail"] == "That time was just taken."

    def test_a_django_validation_error(self, api):
        body = assert_error(api.get("/api/django-invalid/"), 400, "invalid")

        assert body["fields"] == {"start": ["Bad."]}

    @pytest.mark.parametrize(
        ("url", "status_code", "code"),
        [
            ("/api/django-denied/", 403, "permission_denied"),
            ("/api/django-404/", 404, "not_found"),
            ("/api/does-not-exist/", 404, "not_found"),
            ("/api/gone/", 410, "gone"),
        ],
    )
    def test_django_and_custom_errors(self, api, url, status_code, code):
        assert_error(api.get(url), status_code, code)

    def test_nested_validation_errors_are_flattened(self, api):
        response = api.post(
            "/api/order/", {"note": "long", "lines": [{"sku": "A", "qty": 0}]}, format="json"
        )

        body = assert_error(response, 400, "invalid")
        assert set(body["fields"]) == {"note", "lines.0.qty"}
        assert body["detail"] == body["fields"]["note"][0]

    def test_object_level_validation_is_a_non_field_error(self, api):
        response = api.post(
            "/api/order/", {"note": "no", "lines": [{"sku": "A", "qty": 1}]}, format="json"
        )

        body = assert_error(response, 400, "invalid")
        assert body["fields"] == {NON_FIELD: ["Orders saying no are refused."]}

    def test_malformed_json_is_400_invalid(self, api):
        response = api.post("/api/order/", "{not json", content_type="application/json")

        body = assert_error(response, 400, "invalid")
        assert "fields" not in body

    def test_a_wrong_content_type_is_415(self, api):
        response = api.post(
            "/api/order/", "note=x", content_type="application/x-www-form-urlencoded"
        )

        assert_error(response, 415, "unsupported_media_type")


# --- Real endpoints: not found -------------------------------------------------------------------


@pytest.mark.django_db
class TestNotFound:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/centers/999999/",
            f"/api/v1/centers/{LONGEST_ID}/",
            f"/api/v1/centers/{HUGE_ID}/",
            "/api/v1/centers/9223372036854775808/",
            "/api/v1/centers/-1/",
            "/api/v1/centers/abc/",
            "/api/v1/centers/1.5/",
            "/api/v1/spaces/999999/",
            f"/api/v1/spaces/{LONGEST_ID}/",
            f"/api/v1/spaces/{HUGE_ID}/",
            "/api/v1/spaces/abc/",
            "/api/v1/does-not-exist/",
            "/api/v1/",
            "/api/nothing-here",
        ],
    )
    def test_unknown_things_are_json_404s(self, api, url):
        CenterFactory()
        SpaceFactory()

        body = assert_error(api.get(url), 404, "not_found")
        assert "fields" not in body

    @pytest.mark.parametrize(
        "url", ["/api/v1/centers/abc/", "/api/v1/does-not-exist/", f"/api/v1/centers/{HUGE_ID}/"]
    )
    def test_json_404s_with_debug_on(self, api, settings, url):
        settings.DEBUG = True

        assert_error(api.get(url), 404, "not_found")

    def test_a_huge_page_number_is_a_404(self, api):
        CenterFactory()

        assert_error(api.get("/api/v1/centers/", {"page": HUGE_ID}), 404, "not_found")

    def test_a_huge_filter_id_is_a_400(self, api):
        body = assert_error(api.get("/api/v1/spaces/", {"center": HUGE_ID}), 400, "invalid")

        assert "center" in body["fields"]

    def test_the_longest_filter_id_is_fine(self, api):
        response = api.get("/api/v1/spaces/", {"center": str(2**63 - 1)})

        assert response.status_code == 200
        assert response.json()["count"] == 0

    def test_outside_the_api_a_404_is_a_page(self, client):
        response = client.get("/no-such-page/")

        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")


# --- Real endpoints: methods, media types, languages ---------------------------------------------


@pytest.mark.django_db
class TestMethodNotAllowed:
    @pytest.mark.parametrize(
        ("method", "url"),
        [
            ("post", "/api/v1/centers/"),
            ("post", "/api/v1/spaces/"),
            ("put", "/api/v1/centers/{center}/"),
            ("patch", "/api/v1/centers/{center}/"),
            ("delete", "/api/v1/centers/{center}/"),
            ("delete", "/api/v1/spaces/{space}/"),
        ],
    )
    def test_writes_to_read_only_endpoints(self, api, method, url):
        space = SpaceFactory()
        url = url.format(center=space.center_id, space=space.id)

        response = getattr(api, method)(url, {"name": "x"}, format="json")

        body = assert_error(response, 405, "method_not_allowed")
        assert "fields" not in body
        assert "GET" in response["Allow"]
        assert Center.objects.count() == 1

    def test_in_english_and_in_chinese(self, api):
        english = api.post("/api/v1/centers/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
        chinese = api.post("/api/v1/centers/").json()["detail"]

        assert english == 'Method "POST" not allowed.'
        assert chinese != english
        assert has_chinese(chinese)


@pytest.mark.django_db
class TestLanguage:
    def test_not_found_in_english(self, api):
        body = assert_error(
            api.get("/api/v1/centers/999999/", HTTP_ACCEPT_LANGUAGE="en"), 404, "not_found"
        )

        assert body["detail"] == "Not found."

    @pytest.mark.parametrize("headers", [{}, {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}])
    def test_not_found_in_chinese_by_default(self, api, headers):
        body = assert_error(api.get("/api/v1/centers/999999/", **headers), 404, "not_found")

        assert body["detail"] == translated("Not found.", "zh-hans")
        assert body["detail"] != "Not found."
        assert has_chinese(body["detail"])

    def test_the_catch_all_404_speaks_the_language_too(self, api):
        english = api.get("/api/v1/nope/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
        chinese = api.get("/api/v1/nope/").json()["detail"]

        assert english == "Not found."
        assert chinese == translated("Not found.", "zh-hans")
        assert has_chinese(chinese)

    def test_validation_messages_are_translated(self, api):
        english = api.get("/api/v1/centers/", {"page": "abc"}, HTTP_ACCEPT_LANGUAGE="en").json()
        chinese = api.get("/api/v1/centers/", {"page": "abc"}).json()

        assert english["fields"]["page"] == ["Enter a whole number."]
        assert chinese["fields"]["page"] != english["fields"]["page"]
        assert has_chinese(chinese["fields"]["page"][0])
        assert chinese["code"] == english["code"] == "invalid"

    def test_filter_messages_are_translated(self, api):
        english = api.get("/api/v1/spaces/", {"bookable": "maybe"}, HTTP_ACCEPT_LANGUAGE="en")
        chinese = api.get("/api/v1/spaces/", {"bookable": "maybe"})

        assert english.json()["detail"] != chinese.json()["detail"]
        assert has_chinese(chinese.json()["detail"])

    def test_chinese_is_not_escaped(self, api):
        response = api.get("/api/v1/nope/")

        assert translated("Not found.", "zh-hans").encode() in response.content


# --- core.views: errors that never reach a DRF view ----------------------------------------------


class TestErrorViews:
    @pytest.mark.parametrize(
        ("handler", "status_code", "code"),
        [
            (error_views.bad_request, 400, "invalid"),
            (error_views.permission_denied, 403, "permission_denied"),
            (error_views.page_not_found, 404, "not_found"),
        ],
    )
    def test_under_api_they_answer_json(self, rf: RequestFactory, handler, status_code, code):
        response = handler(rf.get("/api/v1/anything/"), Exception())

        assert response.status_code == status_code
        assert response["Content-Type"] == "application/json"
        body = json.loads(response.content)
        assert set(body) == {"code", "detail"}
        assert body["code"] == code

    def test_server_error_under_api(self, rf: RequestFactory):
        response = error_views.server_error(rf.get("/api/v1/centers/"))

        assert response.status_code == 500
        assert json.loads(response.content)["code"] == "server_error"

    @pytest.mark.django_db
    @pytest.mark.parametrize(
        ("handler", "status_code"),
        [
            (error_views.bad_request, 400),
            (error_views.permission_denied, 403),
            (error_views.page_not_found, 404),
        ],
    )
    def test_elsewhere_they_render_a_page(self, rf: RequestFactory, handler, status_code):
        response = handler(rf.get("/centers/1/"), Exception())

        assert response.status_code == status_code
        assert response["Content-Type"].startswith("text/html")

    @pytest.mark.django_db
    def test_server_error_page(self, rf: RequestFactory):
        response = error_views.server_error(rf.get("/"))

        assert response.status_code == 500
        assert response["Content-Type"].startswith("text/html")
