from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from members import errors
from members.models import EligibilityRule, TeamMembership, User


def member_is_free(member: User, on: date) -> bool:
    """Members aged 80 and over use priced services free (points cost nothing)."""
    age = member.age_on(on)
    return age is not None and age >= settings.FREE_SERVICES_AGE


def eligibility_check(*, member: User, rule: EligibilityRule | None, on: date) -> None:
    """Raise NotEligible (or VerificationRequired) with the reason in words, for the first
    condition of ``rule`` that ``member`` does not meet on the day ``on``."""
    if rule is None:
        return
    if rule.verified_only and not member.is_verified:
        raise errors.VerificationRequired()
    if rule.min_age is not None or rule.max_age is not None:
        age = member.age_on(on)
        if age is None:
            raise errors.NotEligible(
                _("This is limited by age: please verify your real name so we know your age.")
            )
        if rule.min_age is not None and age < rule.min_age:
            raise errors.NotEligible(
                _("Only for members aged %(age)d and over.") % {"age": rule.min_age}
            )
        if rule.max_age is not None and age > rule.max_age:
            raise errors.NotEligible(
                _("Only for members aged %(age)d and under.") % {"age": rule.max_age}
            )
    places = rule.neighbourhood_list
    if places and member.neighbourhood not in places:
        raise errors.NotEligible(
            _("Only for residents of: %(places)s.") % {"places": "、".join(places)}
        )
    if (
        rule.team_id
        and not TeamMembership.objects.filter(team_id=rule.team_id, member=member).exists()
    ):
        raise errors.NotEligible(
            _("Only for members of the team “%(team)s”.") % {"team": rule.team.name}
        )


def eligibility_describe(rule: EligibilityRule | None) -> str:
    """The rule in words, for residents; empty when there is no rule."""
    return rule.describe() if rule is not None else ""
