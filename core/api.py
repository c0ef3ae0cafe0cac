"""API plumbing shared by every app: the one exception handler and the one error shape.

Every error leaves the API as ``{"code", "detail", "fields"?}`` (see API.md), whether it came from
a service (``core.errors.LinliError``), from DRF (validation, authentication, throttling), from
Django (``Http404``, ``PermissionDenied``) or from a bug (500).
"""

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import LinliError

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"

# DRF's own exception classes, renamed where the contract wants a different word.
_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "invalid",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(code: str, detail: Any, fields: dict[str, list[str]] | None = None) -> dict:
    body: dict[str, Any] = {"code": code, "detail": str(detail)}
    if fields:
        body["fields"] = fields
    return body


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error structure into ``{"field.sub": ["message", ...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if key == NON_FIELD and prefix:
                name = prefix
            for k, v in flatten_errors(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for k, v in flatten_errors(item, name).items():
                    out.setdefault(k, []).extend(v)
    elif detail is not None:
        out.setdefault(prefix or NON_FIELD, []).append(str(detail))
    return {k: v for k, v in out.items() if v}


def _first_message(fields: dict[str, list[str]]) -> str:
    for messages in fields.values():
        if messages:
            return messages[0]
    return _("Some of the data sent is not valid.")


# The database could not be reached or gave up (connection refused, lost, timed out): the
# client should try again shortly, and the process recovers by itself (CONN_HEALTH_CHECKS).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def service_unavailable_body() -> dict:
    return error_body(
        "service_unavailable",
        _("The service is briefly unavailable. Please try again in a moment."),
    )


def exception_handler(exc: Exception, context: dict) -> Response:
    headers: dict[str, str] = {}

    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.warning("Database unavailable: %s: %s", type(exc).__name__, exc)
        set_rollback()
        return Response(
            service_unavailable_body(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        )
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    request = context.get("request")
    if (
        isinstance(exc, exceptions.NotAuthenticated)
        and request is not None
        and request.headers.get("X-Session-Token")
    ):
        # A token was sent but is not (or no longer) valid: the client must log in again, and
        # needs a code that tells this apart from having sent none.
        set_rollback()
        return Response(
            error_body("session_expired", _("Your session has expired. Please log in again.")),
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'X-Session-Token realm="api"'},
        )

    if isinstance(exc, LinliError):
        set_rollback()
        return Response(error_body(exc.code, exc.detail, exc.fields), status=exc.status)

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        code = next(
            (c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)),
            exc.default_code if isinstance(exc.default_code, str) else "error",
        )
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.ValidationError | exceptions.ParseError) and isinstance(
            exc.detail, dict | list
        ):
            fields = flatten_errors(exc.detail)
            body = error_body(code, _first_message(fields), fields)
        else:
            body = error_body(code, exc.detail)
        return Response(body, status=exc.status_code, headers=headers)

    # A bug. Log it with its traceback and answer in the same shape, never with an HTML page.
    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
    set_rollback()
    return Response(
        error_body("server_error", _("Something went wrong on our side. Please try again later.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
