"""The member's own pages: editing the profile, real-name verification on the web, message
channels, the full points history."""

import pytest
from django.test import Client

from members.services.points import points_adjust
from notifications.models import WeChatConsent
from notifications.services import wechat_consents_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"  # the standard's own example, valid check digit


@pytest.fixture
def member():
    return UserFactory(display_name="user")


@pytest.fixture
def logged_in(client: Client, member) -> Client:
    client.force_login(member)
    return client


def test_profile_edit_saves_name_neighbourhood_language_birth_date(logged_in, member) -> None:
    response = logged_in.post(
        "/me/profile/",
        {
            "display_name": " 王  阿姨 ",
            "neighbourhood": "丽湖居民区",
            "language": "en",
            "birth_date": "1950-05-01",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.neighbourhood, member.language) == (
        "王 阿姨",
        "丽湖居民区",
        "en",
    )
    assert str(member.birth_date) == "1950-05-01"


def test_profile_edit_refuses_a_future_birth_date_in_words(logged_in) -> None:
    text = logged_in.post(
        "/me/profile/", {"display_name": "王", "language": "zh-hans", "birth_date": "2990-01-01"}
    ).content.decode()
    assert 'role="alert"' in text
    assert "请填写真实的出生日期" in text


def test_verify_on_the_web_uses_the_service_and_never_shows_the_number(logged_in, member):
    assert "实名认证" in logged_in.get("/me/verify/").content.decode()
    response = logged_in.post("/me/verify/", {"real_name": "王阿姨", "id_number": ID_NUMBER})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_verified
    assert str(member.birth_date) == "1949-12-31"
    for page in ("/me/", "/me/verify/"):
        text = logged_in.get(page).content.decode()
        assert ID_NUMBER not in text
        assert ID_NUMBER[1:-1] not in text
    # Birth date is now fixed by the ID.
    assert 'name="birth_date"' not in logged_in.get("/me/profile/").content.decode()


def test_verify_with_a_wrong_number_says_so(logged_in, member) -> None:
    text = logged_in.post(
        "/me/verify/", {"real_name": "王阿姨", "id_number": "110105194912310021"}
    ).content.decode()
    assert 'role="alert"' in text
    assert "身份证号码" in text
    member.refresh_from_db()
    assert not member.is_verified


def test_an_empty_verification_form_says_what_is_missing(logged_in, member) -> None:
    # An empty POST is a submission, not a fresh visit: it must say what to fill in.
    response = logged_in.post("/me/verify/", {})
    text = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in text
    member.refresh_from_db()
    assert not member.is_verified


def test_unticking_every_channel_is_saved(logged_in, member) -> None:
    # Unticked checkboxes send nothing at all: the form must still be taken as submitted.
    logged_in.post("/me/messages/", {"channels": ["sms"]})
    response = logged_in.post("/me/messages/", {})
    member.refresh_from_db()
    assert response.status_code == 302
    assert member.notification_channels == []


def test_channels_are_saved_in_order(logged_in, member) -> None:
    response = logged_in.post("/me/messages/", {"channels": ["sms", "email"]})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.notification_channels == ["sms", "email"]
    assert 'value="sms" checked' in logged_in.get("/me/messages/").content.decode().replace(
        ' id="id_channels_1"', ""
    ).replace('type="checkbox" name="channels" ', "")


def test_wechat_consents_are_named_and_can_be_withdrawn(logged_in, member, settings) -> None:
    settings.WECHAT_TEMPLATES = {
        "booking_confirmed": {"id": "tpl-booking"},
        "booking_approved": {"id": "tpl-booking"},
        "reminder": {"id": "tpl-reminder"},
    }
    wechat_consents_record(member=member, template_ids=["tpl-booking", "tpl-reminder"])
    wechat_consents_record(member=member, template_ids=["tpl-booking"])
    other = UserFactory()
    wechat_consents_record(member=other, template_ids=["tpl-reminder"])

    page = logged_in.get("/me/messages/").content.decode()
    # Named by what the messages say, never by WeChat's template ids.
    assert "预约成功、预约已批准" in page and "还可以通过微信发送2条" in page
    assert "提醒" in page and ">tpl-" not in page

    response = logged_in.post("/me/messages/wechat/withdraw/", {"template": "tpl-reminder"})
    assert response.status_code == 302
    assert list(WeChatConsent.objects.filter(member=member).values_list("template_id")) == [
        ("tpl-booking",)
    ]
    assert WeChatConsent.objects.filter(member=other).exists()
    page = logged_in.get("/me/messages/").content.decode()
    assert "不再通过微信发送" in page and 'value="tpl-reminder"' not in page

    # With WeChat unticked, the page says that none of them come by WeChat now.
    logged_in.post("/me/messages/", {"channels": ["sms"]})
    assert "没有勾选“微信”" in logged_in.get("/me/messages/").content.decode()

    # Again: nothing to withdraw, said in words as an error.
    logged_in.post("/me/messages/wechat/withdraw/", {"template": "tpl-reminder"})
    page = logged_in.get("/me/messages/").content.decode()
    assert 'role="alert"' in page and "您没有同意过这种微信消息" in page


def test_points_history_is_complete_and_paginated(logged_in, member) -> None:
    from tests.factories import CenterFactory

    staff, center = UserFactory(is_superuser=True, is_staff=True), CenterFactory()
    for n in range(25):
        points_adjust(member=member, delta=1, reason=f"志愿服务{n}", by=staff, center=center)
    first = logged_in.get("/me/points/").content.decode()
    second = logged_in.get("/me/points/?page=2").content.decode()
    assert "志愿服务24" in first and "志愿服务0<" not in first
    assert "志愿服务0<" in second
    assert "第1页，共2页" in first
