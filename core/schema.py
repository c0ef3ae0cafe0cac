"""The OpenAPI schema says what the API really does, so that a generated client works unchanged
and schemathesis finds nothing undocumented (API.md, "General").

drf-spectacular describes the views; this postprocessing hook adds what it cannot know from
them, for every operation alike:

- every error status an operation can answer, each with the one error shape: 400 where there is
  input, 401 and 403 where a member must be logged in, 404 where the path names an object or a
  list has pages, 413 and 415 where a body is sent, 503 everywhere (the database unreachable),
  with ``Retry-After`` on 429 and 503;
- path ids as integers (the routes take 1 to 18 digits), pages and page sizes with their bounds,
  the ``Idempotency-Key`` length and the ``Idempotent-Replayed`` header of a replayed answer;
- request bodies refuse unknown keys (``additionalProperties: false``: every write serializer
  is strict), and public operations ask for no credentials;
- no text that depends on the request's language (titles) and no internal docstrings.

The schema is generated in English whatever ``Accept-Language`` says (core.views.SchemaView):
names that a generator turns into classes must not change with the reader's language.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from core.idempotency import MAX_KEY_LENGTH, REPLAYED_HEADER
from core.pagination import MAX_PAGE_SIZE

ERROR_REF = {"$ref": "#/components/schemas/Error"}
MAX_PATH_ID = 10**18 - 1  # the routes take 1 to 18 digits
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before trying again",
    }
}
ERRORS = {
    "400": "Invalid input: `invalid` with `fields`, or a rule's own code",
    "401": "`not_authenticated` (no credentials) or `session_expired` (log in again)",
    "403": "Not allowed, e.g. `no_proxy_link` when acting for a relative without a link",
    "404": "`not_found`: no such object (or another member's), or a page past the last",
    "409": "A conflict with the current state",
    "413": "`request_too_large`: the body is over 2.5 MB (a form with a file: 6 MB)",
    "415": "`unsupported_media_type`: send `application/json` (or the form the operation names)",
    "422": "`idempotency_key_reused`: the key was used with another body",
    "429": "`throttled`: too many requests; see Retry-After",
    "503": "`service_unavailable`: briefly unavailable; see Retry-After",
}
_WITH_BODY = ("post", "put", "patch", "delete")


def _error_response(status: str, described: dict | None) -> dict:
    response = {
        "description": (described or {}).get("description") or ERRORS[status],
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if status in ("429", "503"):
        response["headers"] = RETRY_AFTER
    return response


def _public(operation: dict) -> bool:
    return {} in operation.get("security", [{}]) or not operation.get("security")


def _fix_parameters(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        schema = parameter.setdefault("schema", {})
        schema.pop("title", None)
        name, where = parameter["name"], parameter["in"]
        if where == "path" and schema.get("pattern", "").startswith("^[0-9]"):
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PATH_ID}
        elif where == "query" and name == "page":
            schema.update(type="integer", minimum=1)
        elif where == "query" and name == "page_size":
            schema.update(type="integer", minimum=1, maximum=MAX_PAGE_SIZE)
        elif where == "header" and name == "Idempotency-Key":
            schema.update(minLength=1, maxLength=MAX_KEY_LENGTH)


def _statuses(method: str, path: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    paginated = any(p["in"] == "query" and p["name"] == "page" for p in parameters)
    wanted = ["503"]
    if parameters or "requestBody" in operation:
        wanted.append("400")
    if not _public(operation):
        wanted += ["401", "403"]
    if "{" in path or paginated:
        wanted.append("404")
    if method in _WITH_BODY:
        wanted.append("413")
    if "requestBody" in operation:
        wanted.append("415")
    return wanted


def _declare_replayed_header(operation: dict) -> None:
    if not any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
        return
    for status, response in operation["responses"].items():
        if status.startswith("2") or status.startswith("4"):
            response.setdefault("headers", {})[REPLAYED_HEADER] = {
                "schema": {"type": "string", "enum": ["true"]},
                "description": "Present when this is the stored answer to an earlier request "
                "with the same Idempotency-Key",
            }


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if _public(operation):
                operation.pop("security", None)
            _fix_parameters(operation)
            responses = operation.setdefault("responses", {})
            for status in _statuses(method, path, operation):
                responses[status] = _error_response(status, responses.get(status))
            for status, response in responses.items():
                if status in ERRORS and status[0] in "45":
                    responses[status] = _error_response(status, response)
            _declare_replayed_header(operation)
    for name, component in result.get("components", {}).get("schemas", {}).items():
        component.pop("title", None)
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular documents request bodies of PUT, PATCH and POST only; a view that reads
    a DELETE body says so with ``documents_delete_body = True``."""

    def _get_request_body(self, direction: str = "request") -> Any:
        if self.method != "DELETE" or not getattr(self.view, "documents_delete_body", False):
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
