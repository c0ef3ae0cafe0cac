"""Eligibility rules (members.services.eligibility): age on the day of use, verified members,
neighbourhoods and teams; a failed rule says why, in the member's language."""

from datetime import date

import pytest
from django.utils import translation

from members import errors
from members.services.eligibility import eligibility_check, eligibility_describe, member_is_free
from members.services.teams import team_add_member
from tests.factories import (
    EligibilityRuleFactory,
    TeamFactory,
    UserFactory,
    VerifiedMemberFactory,
)

pytestmark = pytest.mark.django_db

BORN = date(1966, 5, 18)  # 60 on 2026-05-18
DAY_BEFORE_60, BIRTHDAY_60 = date(2026, 5, 17), date(2026, 5, 18)
ANY_DAY = date(2026, 6, 1)


def test_minimum_age_is_met_on_the_birthday_not_the_day_before() -> None:
    rule = EligibilityRuleFactory(name="60岁及以上", min_age=60)
    member = UserFactory(birth_date=BORN)

    with pytest.raises(errors.NotEligible) as caught:
        eligibility_check(member=member, rule=rule, on=DAY_BEFORE_60)

    assert (caught.value.code, caught.value.status) == ("not_eligible", 400)
    assert str(caught.value.detail) == "仅限60岁及以上的居民。"
    eligibility_check(member=member, rule=rule, on=BIRTHDAY_60)


def test_a_leap_day_birthday_counts_from_the_first_of_march() -> None:
    rule = EligibilityRuleFactory(min_age=61)
    member = UserFactory(birth_date=date(1964, 2, 29))  # 61 in 2025, which has no 29 February

    with pytest.raises(errors.NotEligible):
        eligibility_check(member=member, rule=rule, on=date(2025, 2, 28))
    eligibility_check(member=member, rule=rule, on=date(2025, 3, 1))


def test_maximum_age_holds_until_the_next_birthday() -> None:
    rule = EligibilityRuleFactory(name="青少年", max_age=35)
    member = UserFactory(birth_date=date(1990, 7, 1))  # 36 on 2026-07-01

    eligibility_check(member=member, rule=rule, on=date(2026, 6, 30))
    with pytest.raises(errors.NotEligible) as caught:
        eligibility_check(member=member, rule=rule, on=date(2026, 7, 1))
    assert str(caught.value.detail) == "仅限35岁及以下的居民。"


def test_an_age_rule_needs_a_known_birth_date() -> None:
    rule = EligibilityRuleFactory(min_age=60)

    with pytest.raises(errors.NotEligible) as caught:
        eligibility_check(member=UserFactory(), rule=rule, on=ANY_DAY)
    assert "实名认证" in str(caught.value.detail)


def test_members_aged_80_and_over_use_priced_services_free() -> None:
    member = UserFactory(birth_date=date(1946, 5, 18))

    assert not member_is_free(member, date(2026, 5, 17))
    assert member_is_free(member, date(2026, 5, 18))
    assert member_is_free(member, date(2040, 1, 1))
    assert not member_is_free(UserFactory(), ANY_DAY)  # age unknown: pays


def test_verified_only_asks_for_verification_first() -> None:
    rule = EligibilityRuleFactory(name="仅限实名认证居民", verified_only=True)

    with pytest.raises(errors.VerificationRequired) as caught:
        eligibility_check(member=UserFactory(birth_date=BORN), rule=rule, on=ANY_DAY)

    assert (caught.value.code, caught.value.status) == ("verification_required", 400)
    eligibility_check(member=VerifiedMemberFactory(), rule=rule, on=ANY_DAY)


def test_verified_members_are_aged_by_the_birth_date_of_their_id() -> None:
    rule = EligibilityRuleFactory(min_age=60, verified_only=True)
    member = VerifiedMemberFactory(verified__born=BORN)

    with pytest.raises(errors.NotEligible):
        eligibility_check(member=member, rule=rule, on=DAY_BEFORE_60)
    eligibility_check(member=member, rule=rule, on=BIRTHDAY_60)


def test_neighbourhoods_limit_to_their_residents() -> None:
    rule = EligibilityRuleFactory(neighbourhoods="丽湖居民区\n\n  馨越河湾居民区 \n")

    eligibility_check(member=UserFactory(neighbourhood="丽湖居民区"), rule=rule, on=ANY_DAY)
    eligibility_check(member=UserFactory(neighbourhood="馨越河湾居民区"), rule=rule, on=ANY_DAY)
    for place in ["象源丽都居民区", ""]:
        with pytest.raises(errors.NotEligible) as caught:
            eligibility_check(member=UserFactory(neighbourhood=place), rule=rule, on=ANY_DAY)
        assert "丽湖居民区、馨越河湾居民区" in str(caught.value.detail)


def test_a_team_rule_admits_its_members_only() -> None:
    team = TeamFactory(name="友谊路合唱团")
    rule = EligibilityRuleFactory(center=team.center, team=team)
    singer, outsider = UserFactory(), UserFactory()
    team_add_member(team=team, member=singer)

    eligibility_check(member=singer, rule=rule, on=ANY_DAY)
    eligibility_check(member=team.leader, rule=rule, on=ANY_DAY)
    with pytest.raises(errors.NotEligible) as caught:
        eligibility_check(member=outsider, rule=rule, on=ANY_DAY)
    assert "友谊路合唱团" in str(caught.value.detail)


def test_every_condition_must_hold() -> None:
    team = TeamFactory()
    rule = EligibilityRuleFactory(min_age=60, neighbourhoods="丽湖居民区", team=team)
    member = UserFactory(birth_date=BORN, neighbourhood="丽湖居民区")
    team_add_member(team=team, member=member)
    eligibility_check(member=member, rule=rule, on=BIRTHDAY_60)

    member.neighbourhood = "象源丽都居民区"
    with pytest.raises(errors.NotEligible):
        eligibility_check(member=member, rule=rule, on=BIRTHDAY_60)


def test_no_rule_lets_everyone_in() -> None:
    eligibility_check(member=UserFactory(), rule=None, on=ANY_DAY)
    assert eligibility_describe(None) == ""


def test_the_reason_is_in_the_members_language() -> None:
    rule = EligibilityRuleFactory(min_age=60)

    with translation.override("en"), pytest.raises(errors.NotEligible) as caught:
        eligibility_check(member=UserFactory(birth_date=BORN), rule=rule, on=DAY_BEFORE_60)
    assert str(caught.value.detail) == "Only for members aged 60 and over."


def test_describe_in_chinese_and_english() -> None:
    team = TeamFactory(name="友谊路合唱团")
    meal_card = EligibilityRuleFactory(min_age=60, verified_only=True)
    youth = EligibilityRuleFactory(
        min_age=14, max_age=35, neighbourhoods="丽湖居民区\n象源丽都居民区"
    )
    choir = EligibilityRuleFactory(max_age=80, team=team)

    with translation.override("zh-hans"):
        assert eligibility_describe(meal_card) == "60岁及以上；仅限实名认证居民"
        assert eligibility_describe(youth) == "14–35岁；丽湖居民区、象源丽都居民区居民"
        assert eligibility_describe(choir) == "80岁及以下；“友谊路合唱团”成员"
    with translation.override("en"):
        assert eligibility_describe(meal_card) == "aged 60 and over; verified members only"
        assert eligibility_describe(youth) == "aged 14–35; residents of 丽湖居民区、象源丽都居民区"
        assert eligibility_describe(choir) == "aged 80 and under; members of “友谊路合唱团”"
    assert eligibility_describe(EligibilityRuleFactory()) == ""
