"""Factories for places and people. Places have no write services (staff edit them in the
admin), so tests build them directly; bookings and registrations go through their services."""

from datetime import date, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from centers import weekdays
from centers.models import Center, OpeningException, OpeningRule, Space, StaffAssignment
from members.idcard import check_digit
from members.models import EligibilityRule, Team, User, VolunteerRecord
from members.services.identity import member_verify_identity
from members.services.teams import team_create
from members.services.volunteering import volunteer_record_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center

    name = factory.Sequence(lambda n: f"测试街道社区党群服务中心{n}")
    district = "静安区"
    address = factory.Sequence(lambda n: f"测试路{n}号")


class StationFactory(CenterFactory):
    kind = Center.Kind.STATION
    parent = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"测试居民区党群服务站{n}")


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"活动室{n}")
    kind = Space.Kind.MULTI_FUNCTION
    capacity = 20


class OpeningRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningRule

    weekdays = weekdays.ALL_DAYS
    opens = time(8, 30)
    closes = time(17, 30)


class OpeningExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningException


class StaffAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAssignment

    user = factory.SubFactory(UserFactory, is_staff=True)
    center = factory.SubFactory(CenterFactory)
    role = StaffAssignment.Role.MANAGER


# --- Members (tests/members) ---------------------------------------------------------------------


def make_id_number(
    born: date = date(1960, 5, 1), *, region: str = "310104", serial: int = 123
) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit) for ``born``."""
    first17 = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


class VerifiedMemberFactory(UserFactory):
    """A member verified through the identity service. ``verified__born`` sets the birth date;
    ``verified="..."`` gives the ID number itself."""

    @factory.post_generation
    def verified(obj, create, extracted, born: date = date(1960, 5, 1), **kwargs):
        if not create:
            return
        # Region and serial from the primary key keep every test member's number unique.
        number = extracted or make_id_number(
            born, region=f"31{obj.pk // 1000 % 10000:04d}", serial=obj.pk
        )
        member_verify_identity(
            member=obj, real_name=kwargs.get("real_name", "张秀英"), id_number=number
        )
        obj.refresh_from_db()


class TeamFactory(factory.django.DjangoModelFactory):
    """A team made by the teams service (its leader is a member too)."""

    class Meta:
        model = Team

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"合唱团{n}")
    leader = factory.SubFactory(UserFactory)
    kind = Team.Kind.TEAM

    @classmethod
    def _create(cls, model_class, **kwargs):
        return team_create(**kwargs)


class EligibilityRuleFactory(factory.django.DjangoModelFactory):
    """Rules have no write service: staff edit them in the admin."""

    class Meta:
        model = EligibilityRule

    name = factory.Sequence(lambda n: f"条件{n}")


class VolunteerRecordFactory(factory.django.DjangoModelFactory):
    """Hours a member reported, through the volunteering service (pending review)."""

    class Meta:
        model = VolunteerRecord

    member = factory.SubFactory(UserFactory)
    center = factory.SubFactory(CenterFactory)
    day = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    hours = Decimal("2.0")
    description = "图书整理"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return volunteer_record_create(**kwargs)


# --- Bookings (tests/bookings) -------------------------------------------------------------------

DAY_HOURS = [(time(8, 30), time(20, 30))]  # 市民健身驿站: every day 8:30–20:30
ALL_DAY = [(time(0), time(0))]  # 24 hours: opens == closes


class BookableSpaceFactory(SpaceFactory):
    """A bookable room with permissive rules, so that a test switches on only the rule it is
    about: a 30-minute grid, 30 minutes to 4 hours, no notice, a month ahead, ten active
    bookings per member or team, no buffers, no approval, check-in released after 15 minutes.

    ``hours`` lists its own weekly (opens, closes) pairs, every day; the default is 8:30–20:30,
    ``hours=ALL_DAY`` opens it round the clock, ``hours=[]`` leaves it on its center's hours."""

    class Meta:
        skip_postgeneration_save = True

    slot_minutes = 30
    min_minutes = 30
    max_minutes = 240
    max_days_ahead = 30
    min_notice_minutes = 0
    cancel_deadline_minutes = 60
    max_active_per_member = 10
    max_active_per_team = 10

    @factory.post_generation
    def hours(obj, create, extracted, **kwargs):
        if not create:
            return
        for opens, closes in DAY_HOURS if extracted is None else extracted:
            OpeningRule.objects.create(space=obj, opens=opens, closes=closes)


def book(space: Space, start, end=None, *, member: User | None = None, **kwargs):
    """A booking made through ``booking_create``: an hour from ``start`` unless ``end`` says
    otherwise, for a new member unless ``member`` is given."""
    # Imported here: this section is appended to the module, whose imports others edit.
    from bookings.services.create import booking_create

    return booking_create(
        member=member or UserFactory(),
        space=space,
        start=start,
        end=end or start + timedelta(hours=1),
        **kwargs,
    )


# --- Service programs (tests/services) -----------------------------------------------------------


class ProgramFactory(factory.django.DjangoModelFactory):
    """Programs have no write service (staff edit them in the admin): first come, first served,
    free, one person per registration unless a test says otherwise."""

    class Meta:
        model = "services.Program"

    center = factory.SubFactory(CenterFactory)
    title = factory.Sequence(lambda n: f"养生讲堂{n}")
    category = "health"


class SessionFactory(factory.django.DjangoModelFactory):
    """A session scheduled through ``session_create``, by a manager of the program's center
    unless ``by`` says who: tomorrow for two hours, ten seats, registration open from now."""

    class Meta:
        model = "services.Session"

    program = factory.SubFactory(ProgramFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=2))
    capacity = 10
    by = factory.LazyAttribute(lambda o: StaffAssignmentFactory(center=o.program.center).user)

    @classmethod
    def _create(cls, model_class, **kwargs):
        from services.services.sessions import session_create

        return session_create(**kwargs)


def staff_at(center: Center, role: str = StaffAssignment.Role.MANAGER, **user_fields) -> User:
    """A staff member assigned to ``center`` in ``role`` (manager unless said)."""
    user_fields = {f"user__{name}": value for name, value in user_fields.items()}
    return StaffAssignmentFactory(center=center, role=role, **user_fields).user
