"""Resident web pages: the list of centers, a center's week and spaces, errors, languages."""

import re
from datetime import date, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from centers import weekdays
from tests.factories import (
    CenterFactory,
    OpeningExceptionFactory,
    OpeningRuleFactory,
    SpaceFactory,
    StationFactory,
)
from tests.helpers import SHANGHAI

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 10:00 in Shanghai.
MONDAY_MORNING = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
MON_THU = weekdays.to_mask([0, 1, 2, 3])
FRI_SUN = weekdays.to_mask([4, 5, 6])


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return response.content.decode()


def lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', text(response))
    assert match, "no <html lang=...>"
    return match.group(1)


def library_center(**kwargs):
    """A center with the library's printed hours: Mon–Thu 8:30–17:30, Fri–Sun 8:30–20:30."""
    center = CenterFactory(**kwargs)
    OpeningRuleFactory(center=center, weekdays=MON_THU, opens=time(8, 30), closes=time(17, 30))
    OpeningRuleFactory(center=center, weekdays=FRI_SUN, opens=time(8, 30), closes=time(20, 30))
    return center


# --- The list ------------------------------------------------------------------------------------


def test_list_shows_active_centers_in_chinese_by_default(client: Client, frozen) -> None:
    jingan = library_center(name="静安寺街道社区党群服务中心", alias="静邻一家")
    station = StationFactory(parent=jingan, name="长征镇丽湖居民区党群服务站")
    closed_down = CenterFactory(name="已撤销的服务中心", is_active=False)

    response = client.get("/")

    assert response.status_code == 200
    assert lang(response) == "zh-hans"
    page = text(response)
    assert jingan.name in page and "静邻一家" in page and station.name in page
    assert closed_down.name not in page
    assert f'href="/centers/{jingan.pk}/"' in page
    assert "Service centers near you" not in page  # the English source text is translated


def test_list_shows_whether_each_center_is_open_now(client: Client, frozen) -> None:
    open_center = library_center(name="开放中的服务中心")
    evening = CenterFactory(name="晚间开放的服务中心")
    OpeningRuleFactory(center=evening, opens=time(18), closes=time(22))

    response = client.get("/")

    centers = {c.name: c for c in response.context["page"].object_list}
    assert centers[open_center.name].open_now is True
    assert centers[evening.name].open_now is False
    assert "08:30–17:30" in text(response)  # today's (Monday's) hours
    assert "18:00–22:00" in text(response)


def test_search_filters_by_name_alias_and_address(client: Client) -> None:
    jingan = CenterFactory(
        name="静安寺街道社区党群服务中心", alias="静邻一家", address="新闸路1855号"
    )
    youyi = CenterFactory(name="友谊路街道社区党群服务中心", address="永清路899号")

    for query, expected in [
        ("静安寺", {jingan.name}),
        ("静邻", {jingan.name}),
        ("永清路", {youyi.name}),
        ("党群服务中心", {jingan.name, youyi.name}),
        ("不存在的地方", set()),
    ]:
        response = client.get("/", {"q": query})
        assert response.status_code == 200
        assert {c.name for c in response.context["page"].object_list} == expected, query
        assert f'value="{query}"' in text(response)


def test_search_that_finds_nothing_says_so(client: Client) -> None:
    CenterFactory(name="静安寺街道社区党群服务中心")

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = client.get("/", {"q": "火星"})

    assert response.status_code == 200
    assert "静安寺街道社区党群服务中心" not in text(response)
    assert 'class="card"' not in text(response)
    assert "No center matches your search." in text(response)


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1.5", "", "２"])
def test_bad_page_numbers_do_not_break_the_list(client: Client, page: str) -> None:
    for n in range(25):
        CenterFactory(name=f"测试街道社区党群服务中心{n:02d}")

    response = client.get("/", {"page": page})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) in (20, 5)


def test_list_is_paginated_by_twenty(client: Client) -> None:
    for n in range(25):
        CenterFactory(name=f"测试街道社区党群服务中心{n:02d}")

    first = client.get("/")
    second = client.get("/", {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert [c.name for c in second.context["page"].object_list] == [
        f"测试街道社区党群服务中心{n:02d}" for n in range(20, 25)
    ]
    assert "page=2" in text(first)
    assert "page=1" in text(second)


def test_search_keeps_its_term_across_pages(client: Client) -> None:
    for n in range(22):
        CenterFactory(name=f"凉城新村党群服务站{n:02d}")
    CenterFactory(name="友谊路街道社区党群服务中心")

    response = client.get("/", {"q": "凉城", "page": 2})

    assert [c.name for c in response.context["page"].object_list] == [
        "凉城新村党群服务站20",
        "凉城新村党群服务站21",
    ]
    assert re.search(r'href="\?q=%E5%87%89%E5%9F%8E&(amp;)?page=1"', text(response))


def test_list_query_count_does_not_grow_with_centers(
    client: Client, django_assert_max_num_queries
) -> None:
    library_center()
    with CaptureQueriesContext(connection) as one:
        client.get("/")

    for _ in range(19):
        center = library_center()
        OpeningExceptionFactory(center=center, start_date=date.today(), end_date=date.today())
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/")
    assert len(response.context["page"].object_list) == 20


# --- A center's page -----------------------------------------------------------------------------


def test_detail_shows_the_week_from_today(client: Client, frozen) -> None:
    center = library_center(name="静安寺街道社区党群服务中心", hours_note="具体以实际为准。")
    OpeningExceptionFactory(
        center=center, start_date=date(2026, 3, 4), end_date=date(2026, 3, 4), note="设备检修"
    )

    response = client.get(f"/centers/{center.pk}/")

    assert response.status_code == 200
    week = response.context["center"].opening_week
    assert [d.date for d in week] == [date(2026, 3, day) for day in range(2, 9)]
    assert [[i.text for i in d.intervals] for d in week] == [
        ["08:30–17:30"],  # Mon
        ["08:30–17:30"],  # Tue
        [],  # Wed: closed by the exception
        ["08:30–17:30"],  # Thu
        ["08:30–20:30"],  # Fri
        ["08:30–20:30"],  # Sat
        ["08:30–20:30"],  # Sun
    ]
    page = text(response)
    rows = re.findall(r'<th scope="row">\s*(\d+)月(\d+)日.*?</th>\s*<td>(.*?)</td>', page, re.S)
    assert [(int(m), int(d)) for m, d, _ in rows] == [(3, day) for day in range(2, 9)]
    assert "08:30–17:30" in rows[0][2]
    assert 'class="closed"' in rows[2][2] and "设备检修" in rows[2][2]
    assert "08:30–20:30" in rows[4][2]
    assert "具体以实际为准。" in page
    assert 'class="open"' in page  # Monday 10:00 is within 8:30–17:30


def test_detail_is_closed_now_outside_the_hours(client: Client) -> None:
    center = library_center()

    with time_machine.travel(datetime(2026, 3, 2, 18, 0, tzinfo=SHANGHAI), tick=False):
        response = client.get(f"/centers/{center.pk}/")

    assert response.context["center"].open_now is False
    assert 'class="shut"' in text(response)


def test_detail_lists_active_spaces(client: Client, frozen) -> None:
    center = library_center(name="友谊路街道社区党群服务中心")
    SpaceFactory(center=center, name="谊家直播间", floor=4, capacity=6)
    SpaceFactory(center=center, name="公共洗衣房·洗衣机", units=6, unit_label="台洗衣机")
    SpaceFactory(center=center, name="已停用的场地", is_active=False)

    response = client.get(f"/centers/{center.pk}/")

    page = text(response)
    assert "谊家直播间" in page
    assert "6 台洗衣机" in page
    assert "已停用的场地" not in page
    assert {s.name for s in response.context["center"].active_spaces} == {
        "谊家直播间",
        "公共洗衣房·洗衣机",
    }


def test_detail_query_count_does_not_grow_with_spaces(
    client: Client, django_assert_max_num_queries
) -> None:
    center = library_center()
    SpaceFactory(center=center)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/centers/{center.pk}/")

    for _ in range(19):
        space = SpaceFactory(center=center)
        OpeningRuleFactory(space=space)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(f"/centers/{center.pk}/")
    assert len(response.context["center"].active_spaces) == 20


@pytest.mark.parametrize("path", ["/centers/999999/", "/centers/abc/", "/no-such-page/"])
def test_unknown_page_is_a_friendly_html_404(client: Client, path: str) -> None:
    CenterFactory()

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert lang(response) == "zh-hans"
    assert 'href="/"' in text(response)
    assert not text(response).lstrip().startswith("{")


def test_inactive_center_is_not_found(client: Client) -> None:
    center = CenterFactory(is_active=False)

    response = client.get(f"/centers/{center.pk}/")

    assert response.status_code == 404
    assert center.name not in text(response)


# --- Languages -----------------------------------------------------------------------------------


def test_language_switch_to_english_and_back(client: Client, frozen) -> None:
    center = library_center(name="静安寺街道社区党群服务中心")
    chinese = client.get(f"/centers/{center.pk}/")
    assert 'name="language" value="en"' in text(chinese)
    assert "Opening hours this week" not in text(chinese)

    switched = client.post("/i18n/setlang/", {"language": "en", "next": f"/centers/{center.pk}/"})

    assert switched.status_code == 302
    assert switched["Location"] == f"/centers/{center.pk}/"
    english = client.get(f"/centers/{center.pk}/")
    assert lang(english) == "en"
    assert "Opening hours this week" in text(english)
    assert center.name in text(english)  # names stay as the center writes them
    assert lang(client.get("/")) == "en"
    assert 'name="language" value="zh-hans"' in text(english)

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert lang(client.get("/")) == "zh-hans"


def test_language_switch_ignores_an_offsite_next(client: Client) -> None:
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "https://evil.example.com/"}
    )

    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]


def test_not_found_page_follows_the_chosen_language(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = client.get("/centers/999999/")

    assert response.status_code == 404
    assert lang(response) == "en"
    assert "Not found." in text(response)


def test_list_filters_by_district_and_open_now(client: Client, frozen) -> None:
    open_one = CenterFactory(name="开着的中心", district="静安区")
    OpeningRuleFactory(center=open_one)  # 8:30–17:30 every day; it is 10:00
    CenterFactory(name="关着的中心", district="静安区")
    CenterFactory(name="宝山的中心", district="宝山区")
    page = text(client.get("/?district=静安区"))
    assert "开着的中心" in page and "关着的中心" in page and "宝山的中心" not in page
    assert '<option value="宝山区">' in page
    page = text(client.get("/?district=静安区&open=1"))
    assert "开着的中心" in page and "关着的中心" not in page


def test_list_nearest_first_when_the_browser_shares_its_location(client: Client) -> None:
    CenterFactory(name="远的中心", latitude="31.40630", longitude="121.48900")
    CenterFactory(name="近的中心", latitude="31.23370", longitude="121.44600")
    CenterFactory(name="没有位置的中心")
    page = text(client.get("/?near=31.2300,121.4400"))
    assert page.index("近的中心") < page.index("远的中心") < page.index("没有位置的中心")
    assert "距您0.7公里" in page
    # A malformed location is ignored, not an error.
    assert client.get("/?near=north").status_code == 200


def test_centers_show_a_tap_to_call_phone_and_a_map_link(client: Client) -> None:
    center = CenterFactory(phone="021-0000-0101")
    for page in (text(client.get("/")), text(client.get(f"/centers/{center.pk}/"))):
        assert '<a class="tel" href="tel:02100000101">021-0000-0101</a>' in page
        assert 'href="https://uri.amap.com/search?keyword=' in page


def test_every_demo_center_has_a_made_up_phone_number(db) -> None:
    from centers.demo import load_places
    from centers.models import Center

    load_places()
    phones = list(Center.objects.values_list("phone", flat=True))
    assert phones and all(re.fullmatch(r"021-0000-\d{4}", p) for p in phones)


def test_favicon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an .ico file


def test_elder_mode_switch_is_remembered(client: Client) -> None:
    assert 'class="elder"' not in text(client.get("/"))
    response = client.post("/prefs/elder/", {"on": "1", "next": "/programs/"})
    assert response.status_code == 302 and response["Location"] == "/programs/"
    page = text(client.get("/"))
    assert '<html lang="zh-hans" class="elder">' in page
    assert 'aria-pressed="true"' in page
    client.post("/prefs/elder/", {"on": "0", "next": "https://evil.example/"})
    assert 'class="elder"' not in text(client.get("/"))
