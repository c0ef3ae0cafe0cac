"""亲友代办 on the web: a family member switches to acting for a relative, and the pages that
book, register and post wishes then work with the relative's account (their rules, quotas,
points and no-shows) while the services' audit rows name the family member.

The switch is kept in the session as the relative's id only; every request checks it against
an active link again, so ending the link (from either side) ends the switch at once. This is
the web's counterpart of ``X-On-Behalf-Of`` (``members.authentication``), with the same rule:
no active link, no acting; and the same record: each change tried for the relative is a
``ProxyAction`` row written before the view calls its service.
"""

from django.http import HttpRequest

from members.models import ProxyAction, ProxyLink, User
from members.selectors import active_proxy_link, member_name

SESSION_KEY = "linli_acting_for"
_CACHE = "_linli_acting_link"
_RECORDED = "_linli_acting_recorded"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _link(request: HttpRequest) -> ProxyLink | None:
    if hasattr(request, _CACHE):
        return getattr(request, _CACHE)
    link = None
    user = getattr(request, "user", None)
    # Only a logged-in member's session is read: a visitor's page stays free of the session.
    authenticated = user is not None and user.is_authenticated
    relative_id = request.session.get(SESSION_KEY) if authenticated else None
    if relative_id is not None:
        link = active_proxy_link(user, relative_id)
        if link is None:  # the link ended, or another member logged in on this browser
            request.session.pop(SESSION_KEY, None)
    setattr(request, _CACHE, link)
    return link


def acting_for(request: HttpRequest) -> User | None:
    """The relative the logged-in member is acting for now, or None."""
    link = _link(request)
    return link.member if link is not None else None


def member_of(request: HttpRequest) -> User:
    """Whose account a booking, a registration or a wish is for: the relative while acting
    for one, else the logged-in member. The logged-in member (``request.user``) is always who
    acted, and goes to the services as ``by``. A change asked for the relative is recorded
    here, once a request, before the view calls its service: what was tried is on record even
    if it fails (a page merely showing the banner records nothing)."""
    link = _link(request)
    if link is None:
        return request.user
    if request.method not in SAFE_METHODS and not getattr(request, _RECORDED, False):
        ProxyAction.objects.create(link=link, method=request.method, path=request.path[:200])
        setattr(request, _RECORDED, True)
    return link.member


def acting_start(request: HttpRequest, *, relative: User) -> None:
    """Remember the switch (the caller checked the link)."""
    request.session[SESSION_KEY] = relative.pk
    if hasattr(request, _CACHE):
        delattr(request, _CACHE)


def acting_stop(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    if hasattr(request, _CACHE):
        delattr(request, _CACHE)


def context(request: HttpRequest) -> dict:
    """Template context processor: ``acting_for`` (with ``acting_for_name``), for the banner
    on every page."""
    relative = acting_for(request)
    return {"acting_for": relative, "acting_for_name": member_name(relative) if relative else ""}
