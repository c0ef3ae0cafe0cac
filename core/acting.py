"""Who is acting in a request. Usually the logged-in member; when a family member acts for a
relative (``X-On-Behalf-Of``), ``request.user`` is the relative (their rules, quotas, points
and no-shows apply) and the actor, whom every audit row names, is the family member."""

from typing import Any

from rest_framework.request import Request

# Set on the underlying HttpRequest by the authentication that accepted the header.
ACTOR_ATTRIBUTE = "linli_actor"


def actor_of(request: Request) -> Any:
    """The person who pressed the button: the family member when acting for a relative."""
    return getattr(request, ACTOR_ATTRIBUTE, None) or request.user


def acting_for_someone(request: Request) -> bool:
    return getattr(request, ACTOR_ATTRIBUTE, None) is not None
