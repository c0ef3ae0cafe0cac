"""Staff screens for members (members.admin): each staff member sees the points, suspensions,
volunteer hours, teams and rules of their own centers only; writes go through the services and
follow the role table; the ID number shows only masked.

Two centers, A and B, each with one of everything. Most tests log in as staff of A.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from centers.models import Center, Space, StaffAssignment
from members import crypto
from members.models import EligibilityRule, PointsEntry, Suspension, Team, User, VolunteerRecord
from members.services.no_shows import no_show_record
from members.services.points import points_earn
from tests.centers.test_admin import denied_or_missing, form_data, html
from tests.clients import web_client
from tests.factories import (
    CenterFactory,
    EligibilityRuleFactory,
    SpaceFactory,
    TeamFactory,
    UserFactory,
    VerifiedMemberFactory,
    VolunteerRecordFactory,
    make_id_number,
    staff_at,
)

pytestmark = pytest.mark.django_db

Role = StaffAssignment.Role
Kind = PointsEntry.Kind


@dataclass
class Side:
    """One center and its member matters, every name starting with the center's label."""

    center: Center
    member: User
    entry: PointsEntry
    suspension: Suspension
    record: VolunteerRecord
    team: Team
    rule: EligibilityRule
    space: Space

    @property
    def names(self) -> list[str]:
        return [
            self.member.display_name,
            self.entry.reason,
            self.record.description,
            self.team.name,
            self.rule.name,
        ]


def suspend(member: User, center: Center) -> Suspension:
    """Three no-shows: the default policy suspends the member at ``center``."""
    for days in (3, 2, 1):
        no_show_record(
            member=member,
            center=center,
            cause=SpaceFactory(),
            occurred_at=timezone.now() - timedelta(days=days),
        )
    return Suspension.objects.get(member=member, center=center)


def build_side(label: str) -> Side:
    center = CenterFactory(name=f"{label}街道社区党群服务中心")
    member = UserFactory(display_name=f"{label}会员", username=f"member-{label}")
    entry = points_earn(
        member=member, amount=50, kind=Kind.ATTENDANCE, reason=f"{label}讲堂签到", center=center
    )
    return Side(
        center=center,
        member=member,
        entry=entry,
        suspension=suspend(member, center),
        record=VolunteerRecordFactory(member=member, center=center, description=f"{label}图书整理"),
        team=TeamFactory(center=center, name=f"{label}合唱团", leader=member),
        rule=EligibilityRuleFactory(center=center, name=f"{label}居民专用", min_age=18),
        space=SpaceFactory(center=center, name=f"{label}活动室"),
    )


@pytest.fixture
def a() -> Side:
    return build_side("甲")


@pytest.fixture
def b() -> Side:
    return build_side("乙")


@pytest.fixture
def shared_rule() -> EligibilityRule:
    return EligibilityRuleFactory(name="仅限实名认证居民", verified_only=True)


def staff_of(center: Center, role: str) -> Client:
    return web_client(staff_at(center, role))


def url(obj, page: str = "change") -> str:
    return f"/admin/members/{obj._meta.model_name}/{obj.pk}/{page}/"


def changelist(model) -> str:
    return f"/admin/members/{model._meta.model_name}/"


def balance(member: User) -> int:
    return User.objects.values_list("points_balance", flat=True).get(pk=member.pk)


# --- Scoping -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FRONT_DESK, Role.VIEWER])
def test_staff_see_only_their_centers_member_matters(a: Side, b: Side, role: str) -> None:
    client = staff_of(a.center, role)

    pages = "".join(
        html(client.get(changelist(model)))
        for model in (PointsEntry, Suspension, VolunteerRecord, Team, EligibilityRule)
    )

    for name in a.names:
        assert name in pages
    for name in b.names:
        assert name not in pages


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FRONT_DESK, Role.VIEWER])
@pytest.mark.parametrize("target", ["entry", "suspension", "record", "team", "rule"])
def test_another_centers_rows_cannot_be_reached_by_url(
    a: Side, b: Side, role: str, target: str
) -> None:
    client = staff_of(a.center, role)
    obj = getattr(b, target)

    for page in ("change", "delete", "history"):
        response = client.get(url(obj, page))
        assert denied_or_missing(response), (page, response.status_code)
        assert getattr(b, target).__str__() not in html(client.get(url(obj, page), follow=True))
    # Their own center's row opens.
    assert client.get(url(getattr(a, target))).status_code == 200


def test_staff_without_a_center_see_no_member_screens(a: Side) -> None:
    client = web_client(UserFactory(is_staff=True))

    assert "/admin/members/" not in html(client.get("/admin/"))
    for model in (PointsEntry, Suspension, VolunteerRecord, Team, EligibilityRule):
        assert client.get(changelist(model)).status_code == 403


def test_superuser_sees_every_center(a: Side, b: Side) -> None:
    client = web_client(UserFactory(is_staff=True, is_superuser=True))

    pages = "".join(
        html(client.get(changelist(model)))
        for model in (PointsEntry, Suspension, VolunteerRecord, Team, EligibilityRule)
    )
    for name in a.names + b.names:
        assert name in pages


# --- Points --------------------------------------------------------------------------------------


def adjust(client: Client, **data) -> object:
    return client.post("/admin/members/pointsentry/add/", data)


def test_a_manager_adjusts_points_with_a_reason(a: Side) -> None:
    manager = staff_at(a.center, Role.MANAGER)
    client = web_client(manager)

    assert client.get("/admin/members/pointsentry/add/").status_code == 200
    response = adjust(
        client, member=a.member.username, delta="20", reason="补录烘焙课积分", center=a.center.pk
    )

    assert response.status_code == 302
    assert response["Location"] == changelist(PointsEntry)
    entry = PointsEntry.objects.get(member=a.member, kind=Kind.ADJUSTMENT)
    assert (entry.delta, entry.balance_after, entry.reason) == (20, 70, "补录烘焙课积分")
    assert (entry.created_by, entry.center) == (manager, a.center)
    assert balance(a.member) == 70
    assert "补录烘焙课积分" in html(client.get(changelist(PointsEntry)))


def test_a_member_is_found_by_phone_as_typed(a: Side) -> None:
    User.objects.filter(pk=a.member.pk).update(phone="+8613812345678")
    client = staff_of(a.center, Role.MANAGER)

    response = adjust(
        client, member="138 1234 5678", delta="-15", reason="重复签到更正", center=a.center.pk
    )

    assert response.status_code == 302
    assert balance(a.member) == 35


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"delta": "-51", "reason": "更正"}, None),  # more than the balance
        ({"delta": "0", "reason": "更正"}, "delta"),
        ({"delta": "10", "reason": "   "}, "reason"),
        ({"delta": "10", "reason": "更正", "member": "nobody"}, "member"),
    ],
    ids=["overdraw", "zero", "no-reason", "unknown-member"],
)
def test_a_refused_adjustment_shows_why_and_writes_nothing(
    a: Side, data: dict, field: str | None
) -> None:
    client = staff_of(a.center, Role.MANAGER)

    response = adjust(client, **({"member": a.member.username, "center": a.center.pk} | data))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (field or "__all__") in errors, errors
    assert balance(a.member) == 50
    assert not PointsEntry.objects.filter(kind=Kind.ADJUSTMENT).exists()


def test_a_manager_cannot_adjust_at_another_center(a: Side, b: Side) -> None:
    client = staff_of(a.center, Role.MANAGER)

    page = client.get("/admin/members/pointsentry/add/")
    response = adjust(
        client, member=b.member.username, delta="5", reason="更正", center=b.center.pk
    )

    assert set(page.context["adminform"].form.fields["center"].queryset) == {a.center}
    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors
    assert not PointsEntry.objects.filter(kind=Kind.ADJUSTMENT).exists()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.VIEWER])
def test_front_desk_and_viewers_cannot_adjust_points(a: Side, role: str) -> None:
    client = staff_of(a.center, role)

    assert client.get("/admin/members/pointsentry/add/").status_code == 403
    response = adjust(
        client, member=a.member.username, delta="5", reason="更正", center=a.center.pk
    )

    assert response.status_code == 403
    assert balance(a.member) == 50
    assert "/admin/members/pointsentry/add/" not in html(client.get(changelist(PointsEntry)))


@pytest.mark.parametrize("role", ["manager", "superuser"])
def test_the_ledger_cannot_be_changed_or_deleted(a: Side, role: str) -> None:
    if role == "superuser":
        client = web_client(UserFactory(is_staff=True, is_superuser=True))
    else:
        client = staff_of(a.center, Role.MANAGER)

    page = client.get(url(a.entry))
    assert page.status_code == 200
    assert 'name="_save"' not in html(page)
    assert client.post(url(a.entry), {"delta": "999", "reason": "改"}).status_code == 403
    assert client.post(url(a.entry, "delete"), {"post": "yes"}).status_code == 403
    client.post(
        changelist(PointsEntry),
        {"action": "delete_selected", "_selected_action": [a.entry.pk], "post": "yes"},
    )
    a.entry.refresh_from_db()
    assert (a.entry.delta, a.entry.reason) == (50, "甲讲堂签到")


# --- Suspensions ---------------------------------------------------------------------------------


def lift(client: Client, *suspensions: Suspension, reason: str | None = None):
    data = {"action": "lift", "_selected_action": [s.pk for s in suspensions]}
    if reason is not None:
        data |= {"confirm": "yes", "reason": reason}
    return client.post(changelist(Suspension), data)


def test_a_manager_lifts_a_suspension_with_a_reason(a: Side) -> None:
    manager = staff_at(a.center, Role.MANAGER)
    client = web_client(manager)

    asked = lift(client, a.suspension)
    assert asked.status_code == 200
    assert "reason" in asked.context["form"].fields
    assert a.member.display_name in html(asked)

    no_reason = lift(client, a.suspension, reason="  ")
    assert no_reason.status_code == 200
    assert "reason" in no_reason.context["form"].errors

    done = lift(client, a.suspension, reason="住院期间爽约，情况属实")
    assert done.status_code == 302
    a.suspension.refresh_from_db()
    assert a.suspension.lifted_at is not None
    assert (a.suspension.lifted_by, a.suspension.lift_reason) == (manager, "住院期间爽约，情况属实")


def test_lifting_skips_another_centers_suspensions(a: Side, b: Side) -> None:
    client = staff_of(a.center, Role.MANAGER)

    lift(client, a.suspension, b.suspension, reason="情况属实")

    a.suspension.refresh_from_db()
    b.suspension.refresh_from_db()
    assert a.suspension.lifted_at is not None
    assert b.suspension.lifted_at is None


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.VIEWER])
def test_front_desk_and_viewers_cannot_lift_suspensions(a: Side, role: str) -> None:
    client = staff_of(a.center, role)

    lift(client, a.suspension, reason="情况属实")

    a.suspension.refresh_from_db()
    assert a.suspension.lifted_at is None
    assert 'value="lift"' not in html(client.get(changelist(Suspension)))
    assert client.post(url(a.suspension), {"lift_reason": "情况属实"}).status_code == 403


# --- Volunteer hours -----------------------------------------------------------------------------


def review(client: Client, action: str, *records: VolunteerRecord):
    return client.post(
        changelist(VolunteerRecord),
        {"action": action, "_selected_action": [r.pk for r in records]},
    )


def test_a_manager_approves_and_rejects_volunteer_hours(a: Side, b: Side) -> None:
    manager = staff_at(a.center, Role.MANAGER)
    client = web_client(manager)
    other = VolunteerRecordFactory(member=a.member, center=a.center, description="甲义诊引导")

    assert review(client, "approve", a.record, b.record).status_code == 302
    assert review(client, "reject", other).status_code == 302
    assert review(client, "reject", a.record).status_code == 302  # already approved: skipped

    a.record.refresh_from_db()
    b.record.refresh_from_db()
    other.refresh_from_db()
    assert (a.record.status, a.record.reviewed_by) == (VolunteerRecord.Status.APPROVED, manager)
    assert other.status == VolunteerRecord.Status.REJECTED
    assert b.record.status == VolunteerRecord.Status.PENDING
    # 2 hours × 10 points, once.
    assert balance(a.member) == 70
    assert PointsEntry.objects.filter(member=a.member, kind=Kind.VOLUNTEER).count() == 1


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.VIEWER])
def test_front_desk_and_viewers_cannot_review_hours(a: Side, role: str) -> None:
    client = staff_of(a.center, role)

    review(client, "approve", a.record)

    a.record.refresh_from_db()
    assert a.record.status == VolunteerRecord.Status.PENDING
    assert balance(a.member) == 50


# --- Teams ---------------------------------------------------------------------------------------


def test_a_manager_adds_a_team_with_members_by_phone_or_username(a: Side) -> None:
    singer = UserFactory(username="singer", phone="+8613900001111")
    client = staff_of(a.center, Role.MANAGER)
    page = client.get("/admin/members/team/add/")
    assert page.status_code == 200
    data = form_data(page) | {
        "center": a.center.pk,
        "name": "甲剪纸达人",
        "kind": Team.Kind.TALENT,
        "leader": a.member.username,
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-member": "139 0000 1111",
    }

    response = client.post("/admin/members/team/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    team = Team.objects.get(name="甲剪纸达人")
    assert (team.center, team.kind, team.leader) == (a.center, Team.Kind.TALENT, a.member)
    assert set(team.members.all()) == {a.member, singer}  # the leader joins by themselves


def test_a_team_cannot_be_moved_to_another_center(a: Side, b: Side) -> None:
    client = staff_of(a.center, Role.MANAGER)
    data = form_data(client.get(url(a.team))) | {"center": b.center.pk}

    response = client.post(url(a.team), data)

    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors
    a.team.refresh_from_db()
    assert a.team.center == a.center


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.VIEWER])
def test_front_desk_and_viewers_see_teams_but_cannot_change_them(a: Side, role: str) -> None:
    client = staff_of(a.center, role)

    page = client.get(url(a.team))
    assert page.status_code == 200
    assert 'name="_save"' not in html(page)
    assert client.post(url(a.team), {"name": "改名"}).status_code == 403
    assert client.get("/admin/members/team/add/").status_code == 403
    a.team.refresh_from_db()
    assert a.team.name == "甲合唱团"


# --- Eligibility rules ---------------------------------------------------------------------------


def test_shared_rules_are_seen_by_all_staff_and_changed_by_superusers_only(
    a: Side, shared_rule: EligibilityRule
) -> None:
    manager = staff_of(a.center, Role.MANAGER)
    superuser = web_client(UserFactory(is_staff=True, is_superuser=True))

    assert shared_rule.name in html(manager.get(changelist(EligibilityRule)))
    page = manager.get(url(shared_rule))
    assert page.status_code == 200 and 'name="_save"' not in html(page)
    assert manager.post(url(shared_rule), {"name": "改名", "min_age": "1"}).status_code == 403
    assert manager.post(url(shared_rule, "delete"), {"post": "yes"}).status_code == 403

    data = form_data(superuser.get(url(shared_rule))) | {"name": "仅限实名认证的居民"}
    assert superuser.post(url(shared_rule), data).status_code == 302
    shared_rule.refresh_from_db()
    assert shared_rule.name == "仅限实名认证的居民"


def test_a_manager_makes_rules_for_their_center_only(a: Side, b: Side) -> None:
    client = staff_of(a.center, Role.MANAGER)
    rule = {"name": "甲长者专用", "min_age": "60", "neighbourhoods": "", "team": ""}

    shared = client.post("/admin/members/eligibilityrule/add/", rule | {"center": ""})
    elsewhere = client.post("/admin/members/eligibilityrule/add/", rule | {"center": b.center.pk})
    other_team = client.post(
        "/admin/members/eligibilityrule/add/", rule | {"center": a.center.pk, "team": b.team.pk}
    )
    assert "center" in shared.context["adminform"].form.errors
    assert "center" in elsewhere.context["adminform"].form.errors
    assert "team" in other_team.context["adminform"].form.errors
    assert not EligibilityRule.objects.filter(name="甲长者专用").exists()

    created = client.post("/admin/members/eligibilityrule/add/", rule | {"center": a.center.pk})
    assert created.status_code == 302
    assert EligibilityRule.objects.get(name="甲长者专用").center == a.center


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.VIEWER])
def test_front_desk_and_viewers_cannot_change_rules(a: Side, role: str) -> None:
    client = staff_of(a.center, role)

    assert client.get("/admin/members/eligibilityrule/add/").status_code == 403
    assert client.post(url(a.rule), {"name": "改名"}).status_code == 403
    a.rule.refresh_from_db()
    assert a.rule.name == "甲居民专用"


def test_a_space_offers_shared_rules_and_its_centers_own(
    a: Side, b: Side, shared_rule: EligibilityRule
) -> None:
    client = staff_of(a.center, Role.MANAGER)
    page = client.get(f"/admin/centers/space/{a.space.pk}/change/")

    choices = set(page.context["adminform"].form.fields["eligibility"].queryset)
    assert choices == {shared_rule, a.rule}

    data = form_data(page) | {"eligibility": shared_rule.pk}
    assert client.post(f"/admin/centers/space/{a.space.pk}/change/", data).status_code == 302
    a.space.refresh_from_db()
    assert a.space.eligibility == shared_rule


# --- Accounts ------------------------------------------------------------------------------------


def test_the_member_page_shows_the_id_number_masked_only() -> None:
    number = make_id_number(region="310104", serial=527)
    member = VerifiedMemberFactory(verified=number, phone="+8613812345678", display_name="张阿姨")
    superuser = web_client(UserFactory(is_staff=True, is_superuser=True))

    page = html(superuser.get(url(member)))
    listing = html(superuser.get(changelist(User), {"q": "张阿姨"}))

    assert member.id_number_masked == f"3****************{number[-1]}"
    assert member.id_number_masked in page
    for secret in (number, number[6:14], member.id_number_encrypted, member.id_number_digest):
        assert secret not in page
        assert secret not in listing
    assert crypto.decrypt(member.real_name_encrypted) not in page
    assert "138****5678" in listing and "13812345678" not in listing
    assert "id_number_encrypted" not in page and "id_number_digest" not in page


def test_the_member_page_still_saves(a: Side) -> None:
    superuser = web_client(UserFactory(is_staff=True, is_superuser=True))
    member = VerifiedMemberFactory()
    encrypted = member.id_number_encrypted
    data = form_data(superuser.get(url(member))) | {"neighbourhood": "丽湖居民区"}
    del data["date_joined"]  # a split widget: the browser sends date and time apart
    data |= {"date_joined_0": "2026-05-18", "date_joined_1": "09:00:00"}

    assert superuser.post(url(member), data).status_code == 302

    member.refresh_from_db()
    assert member.neighbourhood == "丽湖居民区"
    assert member.id_number_encrypted == encrypted and member.is_verified


def test_a_superuser_still_adds_accounts() -> None:
    superuser = web_client(UserFactory(is_staff=True, is_superuser=True))
    assert superuser.get("/admin/members/user/add/").status_code == 200

    response = superuser.post(
        "/admin/members/user/add/",
        {
            "username": "front-desk-2",
            "usable_password": "true",
            "password1": "x-Linli-2026!",
            "password2": "x-Linli-2026!",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(username="front-desk-2").exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FRONT_DESK, Role.VIEWER])
def test_staff_cannot_open_member_accounts(a: Side, role: str) -> None:
    client = staff_of(a.center, role)

    assert client.get(changelist(User)).status_code == 403
    assert client.get(url(a.member)).status_code == 403


def test_a_superuser_adjusts_points_at_any_center(a: Side, b: Side) -> None:
    client = web_client(UserFactory(is_staff=True, is_superuser=True))

    response = adjust(
        client, member=a.member.username, delta="5", reason="奖励", center=b.center.pk
    )

    assert response.status_code == 302
    assert PointsEntry.objects.get(kind=Kind.ADJUSTMENT).center == b.center
    assert balance(a.member) == 55
