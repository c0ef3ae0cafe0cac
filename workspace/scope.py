"""Which centers a workspace page may show: the staff member's own (in the role the page
needs), every active one for superusers. A center outside them is "not found", as in the
model admins."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from centers.models import Center
from centers.permissions import Action, centers_where


def centers_for(request: HttpRequest, action: Action = Action.VIEW) -> QuerySet[Center]:
    centers = Center.objects.filter(is_active=True).order_by("parent_id", "id")
    allowed = centers_where(request.user, action)
    return centers if allowed is None else centers.filter(pk__in=allowed)


def chosen_center(request: HttpRequest, action: Action = Action.VIEW) -> Center:
    """``?center=<id>`` among the user's centers; without it, their first one."""
    centers = centers_for(request, action)
    value = request.GET.get("center") or request.POST.get("center") or ""
    if value:
        if not value.isdigit():
            raise Http404
        center = centers.filter(pk=int(value)).first()
    else:
        center = centers.first()
    if center is None:
        raise Http404
    return center
