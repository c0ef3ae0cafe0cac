"""Reads about one member, for their own pages and the API."""

from django.db.models import QuerySet

from members.models import PointsEntry, Team, User


def member_points_entries(member: User) -> QuerySet[PointsEntry]:
    """The member's points ledger, newest first."""
    return PointsEntry.objects.filter(member=member).order_by("-created", "-id")


def member_teams(member: User) -> QuerySet[Team]:
    """The active teams the member belongs to."""
    return Team.objects.filter(memberships__member=member, is_active=True).order_by("name", "id")


def may_act_for(actor: User, member: User) -> bool:
    """Whether ``actor`` may act as ``member`` does for themselves: it is the member."""
    return actor.pk == member.pk
