"""The WeChat channel (订阅消息) against a real HTTP server standing in for WeChat: the access
token fetched once and cached, fetched again when WeChat says it expired; one-time consents used
up one per message; WeChat's refusals and bad-data answers; values cut to WeChat's limits; and
no answer at all, which means later."""

import json
import socket

import pytest
from django.test import override_settings

from bookings.models import Booking
from centers.models import Space
from members.models import User, WeChatAccount
from notifications.channels.wechat import THING_MAX
from notifications.models import Message, WeChatConsent
from notifications.services import (
    message_send,
    wechat_consent_withdraw,
    wechat_consents_record,
)
from tests.factories import BookableSpaceFactory, UserFactory, book
from tests.notifications.conftest import NOW, WECHAT_APPID, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "sms")]

Status = Message.Status
CONFIRMED_TEMPLATE = "tpl-booking-confirmed"


@pytest.fixture
def space(wechat) -> Space:
    # 南京西路街道社区党群服务中心 + 多功能活动室一号厅: 23 characters, over a `thing`'s 20.
    return BookableSpaceFactory(
        name="多功能活动室一号厅", center__name="南京西路街道社区党群服务中心"
    )


@pytest.fixture
def member(wechat) -> User:
    member = UserFactory(
        phone="+8613812340000", email="wu@example.cn", notification_channels=["wechat", "sms"]
    )
    WeChatAccount.objects.create(user=member, appid=WECHAT_APPID, openid="o-wu")
    return member


def consent(member: User, times: int = 1) -> None:
    for _ in range(times):
        wechat_consents_record(member=member, template_ids=[CONFIRMED_TEMPLATE])


def remaining(member: User) -> int:
    return WeChatConsent.objects.get(member=member, template_id=CONFIRMED_TEMPLATE).remaining


def confirmation(space: Space, member: User, hour: int = 12) -> Message:
    booking = book(space, at(hour), member=member, now=NOW)
    return Message.objects.get(object_id=booking.pk, kind="booking_confirmed")


def fresh(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


def test_a_message_goes_to_wechat_with_a_cached_token(space, member, wechat) -> None:
    consent(member, times=2)
    first, second = confirmation(space, member, 10), confirmation(space, member, 14)
    assert first.channel == second.channel == "wechat"

    assert message_send(first.pk) == Status.SENT
    assert message_send(second.pk) == Status.SENT

    assert len(wechat.token_calls()) == 1
    token_query = wechat.token_calls()[0].query
    assert token_query == {
        "grant_type": "client_credential",
        "appid": WECHAT_APPID,
        "secret": "wechat-notify-secret",
    }
    sends = wechat.sends()
    assert [s.query["access_token"] for s in sends] == ["token-1", "token-1"]
    booking = Booking.objects.get(pk=first.object_id)
    assert sends[0].json() == {
        "touser": "o-wu",
        "template_id": CONFIRMED_TEMPLATE,
        "page": "pages/bookings/index",
        "data": {
            "thing1": {"value": "南京西路街道社区党群服务中心多功能活动…"},
            "time2": {"value": "2026-11-23 10:00"},
            "character_string3": {"value": booking.check_in_code},
        },
    }
    assert remaining(member) == 0


def test_a_thing_longer_than_twenty_characters_is_cut_to_twenty(space, member, wechat) -> None:
    consent(member)

    assert message_send(confirmation(space, member).pk) == Status.SENT

    place = wechat.sends()[0].json()["data"]["thing1"]["value"]
    assert len("南京西路街道社区党群服务中心多功能活动室一号厅") > THING_MAX
    assert len(place) == THING_MAX
    assert place.startswith("南京西路街道社区党群服务中心")


def test_an_expired_token_is_fetched_again(space, member, wechat) -> None:
    consent(member, times=2)
    assert message_send(confirmation(space, member, 10).pk) == Status.SENT
    wechat.expire()  # WeChat ended it early (another server fetched a new one, say)

    assert message_send(confirmation(space, member, 14).pk) == Status.SENT

    assert len(wechat.token_calls()) == 2
    assert [s.query["access_token"] for s in wechat.sends()] == ["token-1", "token-1", "token-2"]
    assert [json.loads(s.body)["touser"] for s in wechat.sends()] == ["o-wu"] * 3


def test_each_message_uses_up_a_consent_then_falls_back(space, member, wechat, sms) -> None:
    consent(member)
    first, second = confirmation(space, member, 10), confirmation(space, member, 14)

    assert message_send(first.pk) == Status.SENT
    assert message_send(second.pk) == Status.FELL_BACK

    assert fresh(second).last_error == "no consent left"
    assert len(wechat.sends()) == 1  # WeChat was not asked without a consent
    fallback = Message.objects.get(object_id=second.object_id, channel="sms")
    assert message_send(fallback.pk) == Status.SENT
    assert len(sms.sent) == 1


def test_withdrawn_consents_send_nothing_by_wechat(space, member, wechat, sms) -> None:
    consent(member, times=3)
    wechat_consent_withdraw(member=member, template_id=CONFIRMED_TEMPLATE)
    message = confirmation(space, member)

    assert message_send(message.pk) == Status.FELL_BACK
    assert wechat.sends() == []
    assert not WeChatConsent.objects.filter(member=member).exists()
    fallback = Message.objects.get(object_id=message.object_id, channel="sms")
    assert message_send(fallback.pk) == Status.SENT

    # Agreeing again in the mini-program lets the next one through.
    consent(member)
    assert message_send(confirmation(space, member, 15).pk) == Status.SENT
    assert len(wechat.sends()) == 1


def test_43101_refused_falls_back_to_the_next_channel(space, member, wechat, sms) -> None:
    consent(member, times=3)
    wechat.answers = [43101]
    message = confirmation(space, member)

    assert message_send(message.pk) == Status.FELL_BACK

    assert fresh(message).last_error == "43101 user refused"
    assert remaining(member) == 0  # WeChat has none for us, whatever we counted
    fallback = Message.objects.get(object_id=message.object_id, channel="sms")
    assert (fallback.kind, fallback.status) == ("booking_confirmed", Status.PENDING)


def test_43101_with_no_channel_left_is_dead(space, wechat) -> None:
    member = UserFactory(notification_channels=["wechat"])
    WeChatAccount.objects.create(user=member, appid=WECHAT_APPID, openid="o-only")
    consent(member)
    wechat.answers = [43101]

    message = confirmation(space, member)
    assert message_send(message.pk) == Status.DEAD

    assert fresh(message).last_error == "43101 user refused; no other channel"
    assert Message.objects.count() == 1


def test_47003_bad_data_is_dead_with_the_reason(space, member, wechat) -> None:
    consent(member, times=2)
    wechat.answers = [47003]
    message = confirmation(space, member)

    assert message_send(message.pk) == Status.DEAD

    message = fresh(message)
    assert message.last_error.startswith("47003 template data invalid")
    assert "data.thing1.value" in message.last_error
    assert remaining(member) == 2  # not sent: the consent is still the member's
    assert Message.objects.count() == 1  # no fallback: the message itself is wrong


def test_no_answer_in_time_means_later_and_keeps_the_consent(space, member, wechat) -> None:
    consent(member)
    wechat.answers = ["slow"]
    message = confirmation(space, member)

    assert message_send(message.pk, now=NOW) == Status.PENDING

    message = fresh(message)
    assert message.attempts == 1
    assert "Timeout" in message.last_error
    assert remaining(member) == 1
    assert message_send(message.pk, now=message.due_at) == Status.SENT
    assert remaining(member) == 0


def test_wechat_unreachable_means_later(space, member, wechat) -> None:
    consent(member)
    message = confirmation(space, member)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"

    with override_settings(WECHAT_API_BASE=closed):
        assert message_send(message.pk, now=NOW) == Status.PENDING

    message = fresh(message)
    assert "ConnectError" in message.last_error
    assert remaining(member) == 1
    assert message_send(message.pk, now=message.due_at) == Status.SENT


def test_a_busy_wechat_means_later(space, member, wechat) -> None:
    consent(member)
    wechat.answers = [-1]
    message = confirmation(space, member)

    assert message_send(message.pk, now=NOW) == Status.PENDING

    assert "errcode -1" in fresh(message).last_error
    assert remaining(member) == 1


def test_an_empty_field_goes_by_another_channel(member, wechat, sms) -> None:
    """WeChat answers 47003 to an empty value; the message can still go by text."""
    consent(member)
    template = {"id": CONFIRMED_TEMPLATE, "fields": {"thing1": "place", "thing2": "reason"}}
    with override_settings(WECHAT_TEMPLATES={"booking_confirmed": template}):
        message = confirmation(BookableSpaceFactory(), member)
        assert message_send(message.pk) == Status.FELL_BACK

    assert fresh(message).last_error == "no value for thing2"
    assert wechat.sends() == []
    assert remaining(member) == 1
