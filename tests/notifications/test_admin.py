"""The outbox in the admin: read-only rows with their last error, filters and search; superusers
see everything, staff the messages about their own centers; dead messages can be resent by
those who handle bookings there. WeChat consents are for superusers only."""

from dataclasses import dataclass

import pytest
from django.utils import translation
from django.utils.translation import ngettext

from bookings.models import Booking
from centers.models import Center, StaffAssignment
from notifications.models import Message
from notifications.services import MAX_ATTEMPTS, message_send, wechat_consents_record
from services.services.registration import session_register
from tests.centers.test_admin import denied_or_missing, html
from tests.clients import web_client
from tests.factories import (
    BookableSpaceFactory,
    SessionFactory,
    UserFactory,
    book,
    staff_at,
)
from tests.notifications.conftest import NOW, WECHAT_TEMPLATES, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

Role = StaffAssignment.Role
Status = Message.Status
CHANGELIST = "/admin/notifications/message/"


@dataclass
class Side:
    center: Center
    booking: Booking
    dead: Message  # the booking's confirmation, which never got through
    registration_message: Message


def side(label: str, sms) -> Side:
    space = BookableSpaceFactory()
    member = UserFactory(username=f"member-{label}", phone=f"+86138000000{len(label):02d}")
    booking = book(space, at(12), member=member, now=NOW)
    dead = Message.objects.get(object_id=booking.pk, kind="booking_confirmed")
    sms.down = True
    for _attempt in range(MAX_ATTEMPTS):
        message_send(dead.pk, now=Message.objects.get(pk=dead.pk).due_at)
    sms.down = False
    dead.refresh_from_db()
    assert dead.status == Status.DEAD
    session = SessionFactory(program__center=space.center)
    registration = session_register(session=session, member=member, now=NOW)
    return Side(
        center=space.center,
        booking=booking,
        dead=dead,
        registration_message=Message.objects.get(
            object_id=registration.pk, kind__startswith="registration_"
        ),
    )


@pytest.fixture
def a(sms) -> Side:
    return side("a", sms)


@pytest.fixture
def b(sms) -> Side:
    return side("bb", sms)


def staff_of(center: Center, role: str):
    return web_client(staff_at(center, role))


def resend(client, *messages: Message):
    return client.post(
        CHANGELIST,
        {"action": "resend", "_selected_action": [m.pk for m in messages]},
        follow=True,
    )


def status(message: Message) -> str:
    return Message.objects.values_list("status", flat=True).get(pk=message.pk)


def test_superusers_see_every_message_with_its_last_error(a, b) -> None:
    client = web_client(UserFactory(is_staff=True, is_superuser=True))

    page = html(client.get(CHANGELIST))

    assert page.count("member-a") >= 2 and page.count("member-bb") >= 2
    assert "gateway busy" in page
    dead_only = client.get(CHANGELIST, {"status": "dead"}).context["cl"].result_list
    assert {m.pk for m in dead_only} == {a.dead.pk, b.dead.pk}
    confirmed = client.get(CHANGELIST, {"kind": "booking_confirmed"}).context["cl"].result_list
    assert {m.pk for m in confirmed} == {a.dead.pk, b.dead.pk}
    by_sms = client.get(CHANGELIST, {"channel": "sms", "q": "member-a"}).context["cl"]
    assert {m.pk for m in by_sms.result_list} == {a.dead.pk, a.registration_message.pk}
    detail = html(client.get(f"{CHANGELIST}{a.dead.pk}/change/"))
    assert "gateway busy" in detail
    assert 'name="_save"' not in detail  # read-only


def test_staff_see_only_messages_about_their_centers(a, b) -> None:
    client = staff_of(a.center, Role.VIEWER)

    listed = client.get(CHANGELIST).context["cl"].result_list

    assert {m.pk for m in listed} == {a.dead.pk, a.registration_message.pk}
    assert client.get(f"{CHANGELIST}{a.dead.pk}/change/").status_code == 200
    assert denied_or_missing(client.get(f"{CHANGELIST}{b.dead.pk}/change/"))


def resent_text(count: int) -> str:
    """The admin's confirmation in the page's language (zh-hans by default)."""
    with translation.override("zh-hans"):
        return ngettext("%(count)d message resent.", "%(count)d messages resent.", count) % {
            "count": count
        }


def test_those_who_handle_bookings_resend_dead_messages_of_their_center(a, b) -> None:
    client = staff_of(a.center, Role.FRONT_DESK)

    response = resend(client, a.dead, a.registration_message)

    assert resent_text(1) in html(response)
    assert status(a.dead) == Status.PENDING
    assert Message.objects.get(pk=a.dead.pk).attempts == 0
    assert status(a.registration_message) == Status.PENDING  # it was never dead: untouched
    resend(client, b.dead)
    assert status(b.dead) == Status.DEAD  # another center's: not theirs to touch


def test_viewers_and_outsiders_cannot_resend(a) -> None:
    viewer = staff_of(a.center, Role.VIEWER)
    outsider = web_client(UserFactory(is_staff=True))

    resend(viewer, a.dead)
    assert status(a.dead) == Status.DEAD
    assert "resend" not in html(viewer.get(CHANGELIST))
    assert denied_or_missing(outsider.get(CHANGELIST))
    assert status(a.dead) == Status.DEAD


def test_superusers_resend_anything(a, b) -> None:
    client = web_client(UserFactory(is_staff=True, is_superuser=True))

    response = resend(client, a.dead, b.dead)

    assert resent_text(2) in html(response)
    assert status(a.dead) == status(b.dead) == Status.PENDING


def test_nobody_adds_or_deletes_messages(a) -> None:
    client = web_client(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{a.dead.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=a.dead.pk).exists()


def test_wechat_consents_are_for_superusers_only(settings) -> None:
    settings.WECHAT_TEMPLATES = WECHAT_TEMPLATES
    member = UserFactory(username="consenting")
    wechat_consents_record(member=member, template_ids=["tpl-reminder"])
    superuser = web_client(UserFactory(is_staff=True, is_superuser=True))
    manager = staff_of(BookableSpaceFactory().center, Role.MANAGER)

    page = superuser.get("/admin/notifications/wechatconsent/")
    assert page.status_code == 200
    assert "tpl-reminder" in html(page)
    assert denied_or_missing(manager.get("/admin/notifications/wechatconsent/"))
    assert "wechatconsent" not in html(manager.get("/admin/"))
