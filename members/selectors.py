"""Reads about one member, for their own pages and the API."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from members.models import PointsEntry, ProxyLink, Team, User
from members.phones import mask_phone, normalize_mainland_mobile

FOUND_AT_MOST = 10


def member_points_entries(member: User) -> QuerySet[PointsEntry]:
    """The member's points ledger, newest first."""
    return PointsEntry.objects.filter(member=member).order_by("-created", "-id")


def member_teams(member: User) -> QuerySet[Team]:
    """The active teams the member belongs to."""
    return Team.objects.filter(memberships__member=member, is_active=True).order_by("name", "id")


def _active_links(proxy: User, member_id: int) -> QuerySet[ProxyLink]:
    return ProxyLink.objects.filter(
        proxy=proxy, member_id=member_id, status=ProxyLink.Status.ACTIVE, member__is_active=True
    )


def may_act_for(actor: User, member: User | int) -> bool:
    """Whether ``actor`` may act as ``member`` (a member or their id) does for themselves: it
    is the member, or a family member with an active link (亲友代办)."""
    member_id = getattr(member, "pk", member)
    if actor.pk == member_id:
        return True
    return _active_links(actor, member_id).exists()


def active_proxy_link(proxy: User, member_id: int) -> ProxyLink | None:
    """The active link through which ``proxy`` acts for the member ``member_id`` (loaded with
    the member), or None: what the API's ``X-On-Behalf-Of`` and the web's switch both ask."""
    return _active_links(proxy, member_id).select_related("member").first()


def member_proxy_links(member: User) -> QuerySet[ProxyLink]:
    """The member's family links both ways (acting for others, and others acting for them),
    newest first, with both people loaded."""
    return (
        ProxyLink.objects.filter(Q(proxy=member) | Q(member=member))
        .select_related("proxy", "member")
        .order_by("-created", "-id")
    )


def active_proxies(member: User) -> QuerySet[User]:
    """Who acts for the member now."""
    return User.objects.filter(
        is_active=True,
        proxy_links__member=member,
        proxy_links__status=ProxyLink.Status.ACTIVE,
    )


def active_relatives(member: User) -> QuerySet[User]:
    """Whom the member acts for now."""
    return User.objects.filter(
        is_active=True,
        proxied_by__proxy=member,
        proxied_by__status=ProxyLink.Status.ACTIVE,
    ).order_by("id")


def member_name(member: User) -> str:
    """How a family link names a member: their chosen name, else a masked phone."""
    return member.display_name or member.first_name or mask_phone(member.phone or "")


def members_find(text: str) -> QuerySet[User]:
    """Members by phone (any usual way of writing it, or its last four digits) or by name
    (display name, first or last name, username). Never by ID number."""
    text = text.strip()
    members = User.objects.filter(is_active=True, anonymized_at__isnull=True)
    if not text:
        return members.none()
    try:
        return members.filter(phone=normalize_mainland_mobile(text))[:FOUND_AT_MOST]
    except ValidationError:
        pass
    if text.isdigit():
        if len(text) < 4:
            return members.none()
        return members.filter(phone__endswith=text).order_by("display_name", "pk")[:FOUND_AT_MOST]
    named = (
        Q(display_name__icontains=text)
        | Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(username__iexact=text)
    )
    return members.filter(named).order_by("display_name", "pk")[:FOUND_AT_MOST]
