"""Family links (亲友代办) through their services: a code texted to the relative, or staff at
the desk; acting for the relative under the relative's rules; ending from either side; and
nobody acting for a member without an active link."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from centers.models import StaffAssignment
from core.errors import Invalid, NotFound
from members import errors
from members.models import ProxyLink, User
from members.selectors import may_act_for
from members.services.proxies import (
    MAX_ATTEMPTS,
    AlreadyLinked,
    CodeExpired,
    TooManyRequests,
    WrongCode,
    proxy_confirm,
    proxy_end,
    proxy_link_at_desk,
    proxy_request,
)
from notifications.models import Message
from tests.factories import CenterFactory, UserFactory, VerifiedMemberFactory, staff_at
from tests.members.conftest import MOTHER_PHONE
from tests.members.test_accounts import code_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

Status = ProxyLink.Status


@pytest.fixture
def ask(son, sms, django_capture_on_commit_callbacks):
    """The son asks to act for the holder of ``phone``; returns the link and the code texted."""

    def ask(phone: str = MOTHER_PHONE, **kwargs) -> tuple[ProxyLink, str]:
        with django_capture_on_commit_callbacks(execute=True):
            link = proxy_request(proxy=son, phone=phone, relative_name="妈妈", **kwargs)
        to, text = sms[-1]
        assert to == link.phone
        return link, code_in(text)

    return ask


def test_the_relative_reads_out_the_code_and_the_link_is_active(son, mother, ask, sms):
    link, code = ask("139 1234 5678")

    assert (link.status, link.member, link.phone) == (Status.PENDING, None, MOTHER_PHONE)
    assert "王小明" in sms[-1][1] and "138****0001" in sms[-1][1]
    assert code not in link.code_digest
    assert not may_act_for(son, mother)

    link = proxy_confirm(link=link, by=son, code=code)

    assert (link.status, link.member, link.via) == (Status.ACTIVE, mother, ProxyLink.Via.CODE)
    assert may_act_for(son, mother)
    assert not may_act_for(mother, son)  # one way only
    kinds = Message.objects.filter(kind="proxy_linked").values_list("recipient", flat=True)
    assert sorted(kinds) == sorted([son.pk, mother.pk])


def test_a_relative_without_an_account_gets_one(son, ask):
    link, code = ask("13700001111")

    link = proxy_confirm(link=link, by=son, code=code)

    relative = link.member
    assert (relative.phone, relative.phone_verified, relative.display_name) == (
        "+8613700001111",
        True,
        "妈妈",
    )
    assert not relative.has_usable_password()


def test_wrong_codes_and_expiry(son, mother, ask, clock):
    link, code = ask()
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    for _n in range(MAX_ATTEMPTS - 1):
        with pytest.raises(WrongCode):
            proxy_confirm(link=link, by=son, code=wrong)
    with pytest.raises(WrongCode):
        proxy_confirm(link=link, by=son, code=wrong)
    link.refresh_from_db()
    assert link.status == Status.ENDED  # five wrong tries end it, even for the right code
    with pytest.raises(errors.InvalidTransition):
        proxy_confirm(link=link, by=son, code=code)

    link, code = ask()
    clock.shift(timedelta(minutes=31))
    with pytest.raises(CodeExpired):
        proxy_confirm(link=link, by=son, code=code)
    assert not may_act_for(son, mother)


def test_only_the_asker_confirms(son, ask):
    link, code = ask()

    with pytest.raises(NotFound):
        proxy_confirm(link=link, by=UserFactory(), code=code)


def test_asking_again_replaces_the_waiting_code_and_three_a_day(son, mother, ask):
    first, _code = ask()
    second, _code = ask()

    first.refresh_from_db()
    assert (first.status, second.status) == (Status.ENDED, Status.PENDING)
    third, code = ask()
    with pytest.raises(TooManyRequests):
        ask()
    proxy_confirm(link=third, by=son, code=code)
    with pytest.raises(AlreadyLinked):
        proxy_request(proxy=son, phone=MOTHER_PHONE)


@pytest.mark.parametrize("phone", ["12345", "+85291234567", "+8613800000001"])
def test_a_mainland_number_of_someone_else(son, phone, sms):
    with pytest.raises(Invalid) as raised:
        proxy_request(proxy=son, phone=phone)
    assert "phone" in raised.value.fields
    assert not ProxyLink.objects.exists() and not sms


def test_only_a_verified_member_links_a_relative(sms):
    with pytest.raises(errors.VerificationRequired):
        proxy_request(proxy=UserFactory(phone="+8613800000009"), phone=MOTHER_PHONE)
    assert not sms


def test_the_front_desk_links_a_relative_they_see(son, mother):
    center = CenterFactory()
    desk = staff_at(center, StaffAssignment.Role.FRONT_DESK)

    link = proxy_link_at_desk(proxy=son, member=mother, by=desk, center=center)

    assert (link.status, link.via, link.confirmed_by, link.center) == (
        Status.ACTIVE,
        ProxyLink.Via.DESK,
        desk,
        center,
    )
    assert may_act_for(son, mother)
    with pytest.raises(AlreadyLinked):
        proxy_link_at_desk(proxy=son, member=mother, by=desk, center=center)
    viewer = staff_at(center, StaffAssignment.Role.VIEWER)
    with pytest.raises(NotFound):
        proxy_link_at_desk(proxy=VerifiedMemberFactory(), member=mother, by=viewer, center=center)


def test_either_side_or_a_front_desk_ends_the_link(son, mother):
    center = CenterFactory()
    desk = staff_at(center, StaffAssignment.Role.FRONT_DESK)
    for ender in (mother, son, desk):
        link = proxy_link_at_desk(proxy=son, member=mother, by=desk, center=center)

        link = proxy_end(link=link, by=ender)

        assert (link.status, link.ended_by) == (Status.ENDED, ender)
        assert not may_act_for(son, mother)
    with pytest.raises(errors.InvalidTransition):
        proxy_end(link=link, by=mother)
    with pytest.raises(NotFound):
        proxy_end(link=link, by=UserFactory())
    assert Message.objects.filter(kind="proxy_ended", recipient=mother).count() == 3


def test_the_database_allows_one_live_link_and_no_self_link(son, mother):
    center = CenterFactory()
    proxy_link_at_desk(proxy=son, member=mother, by=staff_at(center), center=center)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProxyLink.objects.create(proxy=son, member=mother, status=Status.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProxyLink.objects.create(proxy=son, member=son, status=Status.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProxyLink.objects.create(proxy=mother, status=Status.ACTIVE)


def test_an_inactive_relative_cannot_be_acted_for(son, mother):
    center = CenterFactory()
    proxy_link_at_desk(proxy=son, member=mother, by=staff_at(center), center=center)
    User.objects.filter(pk=mother.pk).update(is_active=False)

    assert not may_act_for(son, mother)


def test_the_relatives_messages_go_to_both(son, mother):
    """The relative's own messages are copied to the family member, saying whose they are."""
    from notifications.notify import notify
    from notifications.texts import render
    from services.messages import ProgramMessage

    center = CenterFactory()
    proxy_link_at_desk(proxy=son, member=mother, by=staff_at(center), center=center)

    notify(ProgramMessage.SESSION_CANCELLED, recipient=mother, obj=None, context={"title": "讲座"})

    (original,) = Message.objects.filter(recipient=mother, kind="session_cancelled")
    (copy,) = Message.objects.filter(recipient=son, kind="session_cancelled")
    assert copy.context["for_member"] == "王阿姨"
    assert render(copy.kind, None, copy.context, "en").body.startswith("For 王阿姨: ")
    assert "王阿姨" not in render(original.kind, None, original.context, "en").body


def test_reminders_written_in_bulk_are_copied_too(son, mother):
    """The clock writes reminders many at once; the family member gets theirs too."""
    from notifications.services import messages_enqueue_many

    center = CenterFactory()
    proxy_link_at_desk(proxy=son, member=mother, by=staff_at(center), center=center)
    alone = UserFactory(phone="+8613700000002")

    written = messages_enqueue_many(
        [("reminder_24h", mother, center), ("reminder_24h", alone, center)],
        due_at=center.created,
    )

    assert written == 3
    copy = Message.objects.get(recipient=son, kind="reminder_24h")
    assert (copy.kind, copy.context) == ("reminder_24h", {"for_member": "王阿姨"})
    assert Message.objects.get(recipient=mother, kind="reminder_24h").context == {}


def test_a_registration_is_copied_to_the_family_asked_before_the_session_lock(son, mother):
    """session_register asks who reads the member's messages before it locks the session (the
    lock every registration of the session queues on) and writes both messages without a
    savepoint: the registration is new, so no message about it can exist yet."""
    from services.services.registration import session_register
    from tests.factories import ProgramFactory, SessionFactory

    program = ProgramFactory()
    proxy_link_at_desk(proxy=son, member=mother, by=staff_at(program.center), center=program.center)
    session = SessionFactory(program=program)

    registration = session_register(session=session, member=mother)

    about = {"content_type__model": "registration", "object_id": registration.pk}
    (original,) = Message.objects.filter(recipient=mother, **about)
    (copy,) = Message.objects.filter(recipient=son, **about)
    assert copy.kind == original.kind == "registration_confirmed"
    assert copy.context == {"for_member": "王阿姨"}
