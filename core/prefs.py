"""The 长辈模式 (large text) switch: a form that works without JavaScript, remembered in a
cookie for a year, offered in every page's header."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

COOKIE = "linli_elder"
ONE_YEAR = 365 * 24 * 3600


def elder_mode(request: HttpRequest) -> bool:
    return request.COOKIES.get(COOKIE) == "1"


def context(request: HttpRequest) -> dict:
    """Template context processor: ``elder_mode`` for the page's <html> class and the switch."""
    return {"elder_mode": elder_mode(request)}


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else "/"


@require_POST
def set_elder_mode(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(_next(request))
    if request.POST.get("on") == "1":
        response.set_cookie(COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
