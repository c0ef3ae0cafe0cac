"""Factories for places and people. Places have no write services (staff edit them in the
admin), so tests build them directly; bookings and registrations go through their services."""

from datetime import time

import factory

from centers import weekdays
from centers.models import Center, OpeningException, OpeningRule, Space, StaffAssignment
from members.models import User


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
