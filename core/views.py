"""Error pages for requests that never reach a DRF view (unknown URLs, crashes in middleware).

Under /api/ and /_allauth/ they answer in the API's JSON error shape; elsewhere they render
friendly pages.
"""

import logging
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView

from core.api import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    error_body,
    service_unavailable_body,
)

logger = logging.getLogger(__name__)


# The REST API and allauth's app endpoints: clients there read JSON, never an HTML page.
JSON_PREFIXES = ("/api/", "/_allauth/")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(JSON_PREFIXES)


def error_response(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400, "invalid", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403, "permission_denied", _("You may not do this."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@csrf_exempt  # an unknown URL is a 404 whatever the method, never a CSRF page
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Anything under /api/ that no endpoint serves. The most common client mistake, a missing
    trailing slash, is named in the message."""
    with_slash = f"{request.path}/"
    if not request.path.endswith("/") and _routed(with_slash):
        message = _("Not found. Did you mean %(path)s (with a trailing slash)?") % {
            "path": with_slash
        }
        return error_response(request, 404, "not_found", message)
    return page_not_found(request)


def _routed(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func is not api_not_found


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the API's JSON shape under /api/, a friendly page elsewhere."""
    return error_response(
        request,
        403,
        "csrf_failed",
        _(
            "This form has expired or was sent from elsewhere. "
            "Please reload the page and try again."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so the exception is at hand.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return error_response(
        request,
        500,
        "server_error",
        _("Something went wrong on our side. Please try again later."),
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every site whatever the page says; a 404 there fills
    the logs. The icon is a static file, cached for a day."""
    icon = (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()
    response = HttpResponse(icon, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After. The page is drawn without the database: no session, no user,
    no messages (each of them would ask the database again)."""
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            service_unavailable_body(), status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        # Context processors read request.user too (the acting-for banner): make them see
        # a visitor rather than load a session and a user from the database that is down.
        request.user = AnonymousUser()
        try:
            response = render(
                request, "503.html", {"user": request.user, "messages": ()}, status=503
            )
        except Exception:  # the page itself must never be what fails
            logger.exception("The 503 page failed")
            response = HttpResponse(
                _("The service is briefly unavailable. Please try again in a moment."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, in English for every reader: names that a generator turns into classes
    must not change with the reader's language (see core.schema)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            response.render()  # while English is still active
        return response
