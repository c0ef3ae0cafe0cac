"""API authentication that lets a family member act for a relative (亲友代办).

With ``X-On-Behalf-Of: <member id>`` and an active family link, the request is the
relative's: ``request.user`` is the relative (their eligibility, quotas, points and
no-shows), and ``core.acting.actor_of(request)`` is the family member, whom the audit rows
name. Without such a link the request is refused with 403 ``no_proxy_link`` before any view
runs, so nothing is created; a header that is no member id is a 400 ``invalid``.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from core.acting import ACTOR_ATTRIBUTE, acting_for_someone
from core.authentication import SessionTokenAuthentication, SessionTokenScheme
from members.models import ProxyAction
from members.selectors import active_proxy_link

HEADER = "X-On-Behalf-Of"
# The largest member id (a bigint). Not core.filters.MAX_ID: DRF imports this module while it
# is still loading its views, which core.filters needs.
MAX_ID = 2**63 - 1
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NoProxyLink(exceptions.APIException):
    status_code = 403
    default_code = "no_proxy_link"
    default_detail = _("You have no active family link with this member.")


class NotOnBehalf(exceptions.APIException):
    status_code = 403
    default_code = "not_on_behalf"
    default_detail = _("Family members cannot do this for a relative.")


def _relative_id(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise exceptions.ValidationError({HEADER: [_("Give the member id of the relative.")]})
    return int(value)


class OnBehalfOfMixin:
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)  # type: ignore[misc]
        value = request.headers.get(HEADER)
        if result is None or value is None:
            return result
        user, auth = result
        relative_id = _relative_id(value.strip())
        if relative_id == user.pk:
            return result
        link = active_proxy_link(user, relative_id)
        if link is None:
            raise NoProxyLink()
        if request.method not in SAFE_METHODS:
            # Written before the view runs: what was tried is on record even if it failed.
            ProxyAction.objects.create(link=link, method=request.method, path=request.path[:200])
        setattr(request._request, ACTOR_ATTRIBUTE, user)
        return link.member, auth


class ProxyTokenAuthentication(OnBehalfOfMixin, SessionTokenAuthentication):
    """``X-Session-Token``, with ``X-On-Behalf-Of``."""


class ProxySessionAuthentication(OnBehalfOfMixin, SessionAuthentication):
    """The browser's session cookie (with CSRF), with ``X-On-Behalf-Of``."""


class ProxyTokenScheme(SessionTokenScheme):
    target_class = ProxyTokenAuthentication


class ProxySessionScheme(SessionScheme):
    target_class = ProxySessionAuthentication


class NotForARelative(BasePermission):
    """Endpoints only the member may use for themselves: their identity, their data, their
    account and their family links."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if acting_for_someone(request):
            raise NotOnBehalf()
        return True
