"""Hostile bodies get a clear 4xx before any view or parser sees them, on every URL (the API,
allauth's app endpoints, the web forms and the admin).

- Over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB), or for a form with a file (multipart) over
  ``UPLOAD_MAX_REQUEST_BYTES`` (16 MB): 413. Django raises ``RequestDataTooBig`` when a
  view reads such a body, which DRF turned into a 500.
- JSON nested deeper than ``MAX_JSON_DEPTH``: 400. Python's parser gives up with a
  ``RecursionError`` around a thousand levels (a 500), and nothing we accept nests more than a
  few.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.views import error_response

MAX_JSON_DEPTH = 32
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A JSON string (escapes included), to be cut out before brackets are counted.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body``, without parsing it (so without recursion).
    Brackets inside strings do not count."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # cannot be too deep: skip the scan for every ordinary body
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", body)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    limit_mb = (limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE) / (1024 * 1024)
    message = _("The request is too large (at most %(size).1f MB).") % {"size": limit_mb}
    return error_response(request, 413, "request_too_large", message)


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _WITH_BODY:
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # Uploaded files are not held in memory and Django sets them no limit (their form
        # fields it checks itself while it parses): the whole body has one of its own, or a
        # client could fill the disk Django spools files to.
        if request.content_type == "multipart/form-data":
            upload_limit = settings.UPLOAD_MAX_REQUEST_BYTES
            if _content_length(request) > upload_limit:
                return _too_large(request, upload_limit)
        elif limit is not None and _content_length(request) > limit:
            return _too_large(request)
        if not request.content_type.endswith("json"):
            return None
        try:
            body = request.body
        except RequestDataTooBig:
            return _too_large(request)
        if json_depth(body) > MAX_JSON_DEPTH:
            message = _("The JSON is nested too deeply (at most %(depth)d levels).") % {
                "depth": MAX_JSON_DEPTH
            }
            return error_response(request, 400, "invalid", message)
        return None
