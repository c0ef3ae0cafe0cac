"""The served OpenAPI schema says what the API does (core.schema): what a generated client and
schemathesis rely on. The tests read the schema as a client does, from /api/schema/."""

import json
import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]")


def served(language: str = "zh-hans") -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return served()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_the_schema_is_the_same_in_every_language(schema) -> None:
    assert served("en") == schema
    names = json.dumps(
        [
            [p["name"], p["schema"].get("title", "")]
            for _m, _p, op in operations(schema)
            for p in op.get("parameters", [])
        ]
    )
    assert not CJK.search(names)
    assert not CJK.search(" ".join(schema["components"]["schemas"]))


def test_every_operation_documents_its_errors_in_the_error_shape(schema) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        public = not operation.get("security")
        expected = {"503"}
        if operation.get("parameters") or "requestBody" in operation:
            expected.add("400")
        if not public:
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if method in ("post", "put", "patch", "delete"):
            expected.add("413")
        assert expected <= set(responses), (method, path, sorted(responses))
        for status, response in responses.items():
            if status[0] in "45":
                assert response["content"]["application/json"]["schema"] == error
                assert response["description"]
        assert "Retry-After" in responses["503"]["headers"]


def test_ids_pages_and_keys_have_their_types_and_limits(schema) -> None:
    for _method, _path, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            kind = parameter["schema"]
            if parameter["in"] == "path":
                assert kind["type"] == "integer" and kind["minimum"] == 1
            if parameter["name"] == "page_size":
                assert (kind["minimum"], kind["maximum"]) == (1, 100)
            if parameter["name"] == "Idempotency-Key":
                assert (kind["minLength"], kind["maxLength"]) == (1, 255)
                for status, response in operation["responses"].items():
                    if status.startswith("2"):
                        replayed = response["headers"]["Idempotent-Replayed"]
                        assert replayed["schema"]["enum"] == ["true"]


def test_public_operations_ask_for_no_credentials(schema) -> None:
    assert "security" not in schema["paths"]["/api/v1/centers/"]["get"]
    assert "security" not in schema["paths"]["/api/v1/spaces/{id}/availability/"]["get"]
    assert schema["paths"]["/api/v1/me/"]["get"]["security"]


def test_request_bodies_refuse_unknown_keys_and_carry_no_internal_docstrings(schema) -> None:
    components = schema["components"]["schemas"]
    for name, component in components.items():
        if name.endswith("Request"):
            assert component["additionalProperties"] is False, name
    assert "fixed_fields" not in json.dumps(schema)
    assert "for the schema" not in json.dumps(schema)


def test_the_issues_specific_operations(schema) -> None:
    delete = schema["paths"]["/api/v1/me/"]["delete"]
    assert delete["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DeleteAccountRequest"
    }
    ics = schema["paths"]["/api/v1/bookings/{id}/ics/"]["get"]["responses"]["200"]
    assert ics["content"]["text/calendar"]["schema"] == {"type": "string"}
    space = schema["components"]["schemas"]["Space"]["properties"]
    assert {"buffer_before_minutes", "buffer_after_minutes"} <= set(space)
    assert schema["openapi"].startswith("3.0")
