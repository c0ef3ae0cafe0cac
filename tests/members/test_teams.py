"""Teams and community talents (members.services.teams): a leader who is a member, and who alone
books on the team's behalf."""

import pytest

from core.errors import Conflict, Invalid
from members.models import Team, TeamMembership
from members.services.teams import (
    member_leads,
    team_add_member,
    team_change_leader,
    team_create,
    team_remove_member,
)
from tests.factories import CenterFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def members_of(team: Team) -> set:
    return set(team.members.all())


def test_create_makes_the_leader_a_member() -> None:
    center, leader = CenterFactory(), UserFactory()

    team = team_create(center=center, name="  友谊路合唱团 ", leader=leader)

    assert (team.name, team.center, team.leader, team.kind) == (
        "友谊路合唱团",
        center,
        leader,
        Team.Kind.TEAM,
    )
    assert members_of(team) == {leader}
    talent = team_create(center=center, name="剪纸达人", leader=leader, kind=Team.Kind.TALENT)
    assert talent.kind == Team.Kind.TALENT


def test_names_are_unique_within_a_center() -> None:
    team = TeamFactory(name="友谊路合唱团")

    with pytest.raises(Conflict):
        team_create(center=team.center, name="友谊路合唱团", leader=UserFactory())
    with pytest.raises(Invalid):
        team_create(center=team.center, name="  ", leader=UserFactory())

    # Another center may have a choir of the same name.
    team_create(center=CenterFactory(), name="友谊路合唱团", leader=UserFactory())
    assert Team.objects.filter(center=team.center).count() == 1


def test_add_and_remove_members() -> None:
    team = TeamFactory()
    singer = UserFactory()

    first = team_add_member(team=team, member=singer)
    again = team_add_member(team=team, member=singer)

    assert first == again
    assert members_of(team) == {team.leader, singer}
    team_remove_member(team=team, member=singer)
    team_remove_member(team=team, member=singer)  # already gone: nothing to do
    assert members_of(team) == {team.leader}


def test_the_leader_cannot_leave_without_a_successor() -> None:
    team = TeamFactory()
    successor = UserFactory()

    with pytest.raises(Conflict):
        team_remove_member(team=team, member=team.leader)
    assert TeamMembership.objects.filter(team=team, member=team.leader).exists()

    old_leader = team.leader
    team_change_leader(team=team, leader=successor)
    team.refresh_from_db()
    assert team.leader == successor
    assert members_of(team) == {old_leader, successor}
    team_remove_member(team=team, member=old_leader)
    assert members_of(team) == {successor}


def test_only_the_leader_of_an_active_team_books_for_it() -> None:
    team = TeamFactory()
    singer = UserFactory()
    team_add_member(team=team, member=singer)

    assert member_leads(team.leader, team)
    assert not member_leads(singer, team)
    assert not member_leads(UserFactory(), team)

    team.is_active = False
    assert not member_leads(team.leader, team)
