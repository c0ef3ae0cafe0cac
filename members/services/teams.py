from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from centers.models import Center
from core.errors import Conflict, Invalid
from members.models import Team, TeamMembership, User


def team_create(*, center: Center, name: str, leader: User, kind: str = Team.Kind.TEAM) -> Team:
    name = name.strip()
    if not name:
        raise Invalid(_("Give the team a name."), fields={"name": [_("Required.")]})
    try:
        with transaction.atomic():
            team = Team.objects.create(center=center, name=name, leader=leader, kind=kind)
            TeamMembership.objects.create(team=team, member=leader)
    except IntegrityError:
        raise Conflict(_("This center already has a team with that name.")) from None
    return team


def team_add_member(*, team: Team, member: User) -> TeamMembership:
    membership, _created = TeamMembership.objects.get_or_create(team=team, member=member)
    return membership


def team_remove_member(*, team: Team, member: User) -> None:
    if member.pk == team.leader_id:
        raise Conflict(_("Choose a new leader before the leader leaves the team."))
    TeamMembership.objects.filter(team=team, member=member).delete()


def team_change_leader(*, team: Team, leader: User) -> Team:
    with transaction.atomic():
        TeamMembership.objects.get_or_create(team=team, member=leader)
        team.leader = leader
        team.save(update_fields=["leader"])
    return team


def member_leads(member: User, team: Team) -> bool:
    """Only a team's leader books on the team's behalf."""
    return team.is_active and team.leader_id == member.pk
