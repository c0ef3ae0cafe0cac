"""Reads about wishes and proposals, for the API and the pages."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from centers.permissions import Action, staff_can
from community.models import Proposal, ProposalEvent, ProposalSupport, Wish
from members.models import User
from members.selectors import active_relatives


def _wishes() -> QuerySet[Wish]:
    return Wish.objects.filter(center__is_active=True).select_related("center", "wisher")


def public_wishes() -> QuerySet[Wish]:
    """Wishes staff have published, in whatever state they went on to, newest first."""
    return _wishes().filter(status__in=Wish.PUBLIC).order_by("-created", "-id")


def member_wishes(member: User) -> QuerySet[Wish]:
    """The member's own wishes in every state, newest first."""
    return _wishes().filter(wisher=member).order_by("-created", "-id")


def member_claims(member: User) -> QuerySet[Wish]:
    """Wishes the member holds or fulfilled, newest claim first."""
    return _wishes().filter(claimed_by=member).order_by("-claimed_at", "-id")


def visible_wishes(member: User | None) -> QuerySet[Wish]:
    """What one member may open: the wall, and their own wishes in any state."""
    wishes = _wishes().order_by("-created", "-id")
    if member is None or not member.is_authenticated:
        return wishes.filter(status__in=Wish.PUBLIC)
    return wishes.filter(Q(status__in=Wish.PUBLIC) | Q(wisher=member))


def wish_acquainted(wish: Wish, member: User | None) -> bool:
    """Whether ``member`` may see the wish's private part: its wisher, or the volunteer who
    holds (or held, up to its close) the claim."""
    if member is None or not member.is_authenticated:
        return False
    return wish.wisher_id == member.pk or (
        wish.claimed_by_id == member.pk and wish.status in (*Wish.HELD, Wish.Status.CLOSED)
    )


def photographed_wishes() -> QuerySet[Wish]:
    """Wishes with a photo, in any state and at any center (who may see each one is
    ``wish_photo_visible``'s question)."""
    return Wish.objects.exclude(photo="").select_related("center", "wisher")


def _relative_ids(user: User) -> frozenset[int]:
    """Whom ``user`` acts for now (亲友代办), asked once: cached on the user object, which
    lives for one request, as ``centers.selectors.staff_roles`` is."""
    cached = getattr(user, "_linli_relative_ids", None)
    if cached is None:
        cached = frozenset(active_relatives(user).values_list("pk", flat=True))
        user._linli_relative_ids = cached
    return cached


def wish_photo_visible(wish: Wish, user: User | None) -> bool:
    """Whether ``user`` may see the wish's photo, which may show a face, a home or a door
    number: the wisher and family acting for them (亲友代办), the volunteer the private part
    is for (``wish_acquainted``), and staff of the wish's center. Never the wall, nobody else.
    At most two queries a request, however many wishes a list shows."""
    if not wish.photo or user is None or not user.is_authenticated:
        return False
    if wish_acquainted(wish, user) or wish.wisher_id in _relative_ids(user):
        return True
    return staff_can(user, Action.VIEW, wish.center_id)


def _proposals(member: User | None) -> QuerySet[Proposal]:
    proposals = Proposal.objects.filter(center__is_active=True).select_related("center")
    if member is None or not member.is_authenticated:
        return proposals.annotate(supported_by_me=Value(False))
    mine = ProposalSupport.objects.filter(proposal=OuterRef("pk"), member=member)
    return proposals.annotate(supported_by_me=Exists(mine))


def public_proposals(member: User | None = None) -> QuerySet[Proposal]:
    """The wall, newest first, each with ``supported_by_me`` for ``member``."""
    return _proposals(member).filter(status__in=Proposal.PUBLIC).order_by("-created", "-id")


def member_proposals(member: User) -> QuerySet[Proposal]:
    """The member's own proposals in every state (drafts and hidden ones too)."""
    return _proposals(member).filter(author=member).order_by("-created", "-id")


def visible_proposals(member: User | None) -> QuerySet[Proposal]:
    """What one member may open: the wall, and their own proposals."""
    proposals = _proposals(member).order_by("-created", "-id")
    if member is None or not member.is_authenticated:
        return proposals.filter(status__in=Proposal.PUBLIC)
    return proposals.filter(Q(status__in=Proposal.PUBLIC) | Q(author=member))


def proposal_history(proposal: Proposal) -> list[ProposalEvent]:
    """Each status the proposal went through, with its public reply, oldest first (drafting
    is the author's own business and not part of it)."""
    return list(proposal.events.exclude(to_status=Proposal.Status.DRAFT).order_by("at", "id"))
