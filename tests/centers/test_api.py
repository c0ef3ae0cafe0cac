"""The public read API for centers and spaces (API.md, "Places") and its OpenAPI schema."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centers import demo, weekdays
from centers.models import Center, Space
from tests.factories import (
    CenterFactory,
    OpeningExceptionFactory,
    OpeningRuleFactory,
    SpaceFactory,
    StationFactory,
)

pytestmark = pytest.mark.django_db

CENTERS = "/api/v1/centers/"
SPACES = "/api/v1/spaces/"

CENTER_KEYS = {
    "id",
    "name",
    "address",
    "district",
    "parent",
    "kind",
    "phone",
    "open_now",
    "today_hours",
}
CENTER_DETAIL_KEYS = CENTER_KEYS | {"floors", "area_m2", "description", "opening_hours", "spaces"}
SPACE_KEYS = {
    "id",
    "center",
    "name",
    "kind",
    "floor",
    "capacity",
    "units",
    "bookable",
    "requires_approval",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "max_days_ahead",
    "min_notice_minutes",
    "cancel_deadline_minutes",
    "eligibility",
    "equipment",
}
PAGE_KEYS = {"count", "next", "previous", "results"}

# 23:30 UTC on Monday 2026-11-23 is already 07:30 on Tuesday the 24th in Shanghai.
LATE_MONDAY_UTC = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
TUESDAY = date(2026, 11, 24)
# 10:00 on Tuesday in Shanghai.
TUESDAY_MORNING = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def detail_url(center: Center) -> str:
    return f"{CENTERS}{center.id}/"


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def assert_invalid(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert isinstance(body["detail"], str) and body["detail"]
    assert field in body["fields"]
    assert all(isinstance(m, str) and m for m in body["fields"][field])


def queries_for(api, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


# --- Center list ---------------------------------------------------------------------------------


class TestCenterList:
    @pytest.fixture(autouse=True)
    def _tuesday_morning(self):
        with time_machine.travel(TUESDAY_MORNING, tick=False):
            yield

    def test_item_shape(self, api):
        center = CenterFactory(
            name="静安寺街道社区党群服务中心",
            address="新闸路1855号",
            district="静安区",
            phone="021-62000000",
        )
        OpeningRuleFactory(center=center, opens=time(8, 30), closes=time(20, 30))

        response = api.get(CENTERS)

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert set(body) == PAGE_KEYS
        assert body["count"] == 1
        (item,) = body["results"]
        assert set(item) >= CENTER_KEYS
        expected = {
            "id": center.id,
            "name": "静安寺街道社区党群服务中心",
            "address": "新闸路1855号",
            "district": "静安区",
            "parent": None,
            "kind": "center",
            "phone": "021-62000000",
            "open_now": True,
            "today_hours": [{"start": "08:30", "end": "20:30"}],
        }
        assert {key: item.get(key) for key in expected} == expected

    def test_chinese_text_is_sent_as_utf8_not_escaped(self, api):
        CenterFactory(name="友谊路街道社区党群服务中心")

        response = api.get(CENTERS)

        assert "友谊路".encode() in response.content

    def test_station_points_to_its_parent(self, api):
        station = StationFactory()

        items = {item["id"]: item for item in api.get(CENTERS).json()["results"]}

        assert items[station.id]["kind"] == "station"
        assert items[station.id]["parent"] == station.parent_id
        assert items[station.parent_id]["parent"] is None

    def test_multi_interval_today_hours_and_closed_now(self, api):
        center = CenterFactory()
        for opens, closes in [(time(6, 30), time(9)), (time(16, 30), time(20))]:
            OpeningRuleFactory(center=center, opens=opens, closes=closes)

        (item,) = api.get(CENTERS).json()["results"]

        assert item["today_hours"] == [
            {"start": "06:30", "end": "09:00"},
            {"start": "16:30", "end": "20:00"},
        ]
        assert item["open_now"] is False

    def test_closed_today_has_no_hours(self, api):
        center = CenterFactory()
        OpeningRuleFactory(center=center)
        OpeningExceptionFactory(center=center, start_date=TUESDAY, end_date=TUESDAY)

        (item,) = api.get(CENTERS).json()["results"]

        assert item["today_hours"] == []
        assert item["open_now"] is False

    def test_twenty_four_hours_prints_as_00_to_24(self, api):
        center = CenterFactory()
        OpeningRuleFactory(center=center, opens=time(0), closes=time(0))

        (item,) = api.get(CENTERS).json()["results"]

        assert item["today_hours"] == [{"start": "00:00", "end": "24:00"}]
        assert item["open_now"] is True

    def test_inactive_centers_are_hidden(self, api):
        shown = CenterFactory()
        CenterFactory(is_active=False)

        response = api.get(CENTERS)

        assert response.json()["count"] == 1
        assert ids(response) == [shown.id]

    def test_search_by_chinese_text(self, api):
        jingan = CenterFactory(
            name="静安寺街道社区党群服务中心", alias="静邻一家", address="新闸路1855号"
        )
        youyi = CenterFactory(name="友谊路街道社区党群服务中心", district="宝山区")
        CenterFactory(name="小东门街道社区党群服务中心", district="黄浦区", is_active=False)

        assert ids(api.get(CENTERS, {"q": "静安寺"})) == [jingan.id]
        assert ids(api.get(CENTERS, {"q": "静邻"})) == [jingan.id]  # alias
        assert ids(api.get(CENTERS, {"q": "新闸路"})) == [jingan.id]  # address
        assert ids(api.get(CENTERS, {"q": "宝山"})) == [youyi.id]  # district
        assert ids(api.get(CENTERS, {"q": "党群服务中心"})) == [jingan.id, youyi.id]
        assert ids(api.get(CENTERS, {"q": "小东门"})) == []  # inactive
        assert ids(api.get(CENTERS, {"q": "不存在的地方"})) == []

    def test_empty_search_returns_everything(self, api):
        CenterFactory.create_batch(2)

        assert api.get(CENTERS, {"q": ""}).json()["count"] == 2

    def test_search_term_too_long(self, api):
        assert_invalid(api.get(CENTERS, {"q": "长" * 101}), "q")

    def test_filter_by_district(self, api):
        jingan = CenterFactory(district="静安区")
        baoshan = CenterFactory(district="宝山区")

        assert ids(api.get(CENTERS, {"district": "静安区"})) == [jingan.id]
        assert ids(api.get(CENTERS, {"district": "宝山区"})) == [baoshan.id]
        assert ids(api.get(CENTERS, {"district": "浦东新区"})) == []

    def test_filter_by_kind_and_parent(self, api):
        station = StationFactory()
        StationFactory()

        assert ids(api.get(CENTERS, {"parent": station.parent_id})) == [station.id]
        assert len(ids(api.get(CENTERS, {"kind": "station"}))) == 2
        assert_invalid(api.get(CENTERS, {"kind": "nonsense"}), "kind")
        assert_invalid(api.get(CENTERS, {"parent": "x"}), "parent")

    @pytest.mark.parametrize("rows", [1, 20])
    def test_query_count_does_not_grow_with_rows(self, api, rows, django_assert_max_num_queries):
        for center in CenterFactory.create_batch(rows):
            OpeningRuleFactory(center=center)
            OpeningExceptionFactory(center=center, start_date=TUESDAY, end_date=TUESDAY)

        with django_assert_max_num_queries(4):
            response = api.get(CENTERS)

        assert len(response.json()["results"]) == rows

    def test_same_query_count_for_1_and_20_rows(self, api):
        CenterFactory()
        one = queries_for(api, CENTERS)
        for center in CenterFactory.create_batch(19):
            OpeningRuleFactory(center=center)
        StationFactory.create_batch(2)

        assert queries_for(api, CENTERS) == one
        assert queries_for(api, CENTERS, page_size=100) == one


# --- Center detail -------------------------------------------------------------------------------


class TestCenterDetail:
    @time_machine.travel(LATE_MONDAY_UTC, tick=False)
    def test_shape_and_a_week_from_today_in_shanghai(self, api):
        center = CenterFactory(floors=3, area_m2=3000, description="约3000平方米的公共活动空间")
        OpeningRuleFactory(
            center=center,
            weekdays=weekdays.to_mask([0, 1, 2, 3]),
            opens=time(8, 30),
            closes=time(17, 30),
        )
        OpeningRuleFactory(
            center=center,
            weekdays=weekdays.to_mask([4, 5, 6]),
            opens=time(8, 30),
            closes=time(20, 30),
        )
        OpeningExceptionFactory(
            center=center,
            start_date=date(2026, 11, 26),
            end_date=date(2026, 11, 26),
            note="设备检修闭馆",
        )

        response = api.get(detail_url(center))

        assert response.status_code == 200
        body = response.json()
        assert set(body) >= CENTER_DETAIL_KEYS
        assert body["floors"] == 3
        assert body["area_m2"] == 3000
        assert body["description"] == "约3000平方米的公共活动空间"
        assert body["open_now"] is False  # 07:30 in Shanghai
        assert body["today_hours"] == [{"start": "08:30", "end": "17:30"}]
        week = body["opening_hours"]
        assert [day["date"] for day in week] == [
            (TUESDAY + timedelta(days=n)).isoformat() for n in range(7)
        ]
        assert all(set(day) == {"date", "intervals", "note"} for day in week)
        assert week[0] == {
            "date": "2026-11-24",
            "intervals": [{"start": "08:30", "end": "17:30"}],
            "note": "",
        }
        assert week[2] == {"date": "2026-11-26", "intervals": [], "note": "设备检修闭馆"}
        assert week[3]["intervals"] == [{"start": "08:30", "end": "20:30"}]  # Friday

    @time_machine.travel(datetime(2026, 11, 24, 17, 0, tzinfo=UTC), tick=False)
    def test_overnight_hours_open_at_one_in_the_morning(self, api):
        center = CenterFactory()
        OpeningRuleFactory(center=center, opens=time(22), closes=time(6))

        body = api.get(detail_url(center)).json()

        assert body["open_now"] is True  # 01:00 on the 25th, through the 24th's interval
        assert body["opening_hours"][0]["date"] == "2026-11-25"
        assert body["opening_hours"][0]["intervals"] == [{"start": "22:00", "end": "06:00"}]
        assert body["today_hours"] == [{"start": "22:00", "end": "06:00"}]

    @time_machine.travel(LATE_MONDAY_UTC, tick=False)
    def test_spaces_are_active_summaries(self, api):
        center = CenterFactory()
        gym = SpaceFactory(center=center, name="市民健身驿站", kind=Space.Kind.GYM, capacity=30)
        SpaceFactory(center=center, is_active=False)
        SpaceFactory()  # another center's

        body = api.get(detail_url(center)).json()

        (space,) = body["spaces"]
        assert space["id"] == gym.id
        assert space["name"] == "市民健身驿站"
        assert space["kind"] == "gym"
        assert space["capacity"] == 30
        assert {"id", "name", "kind", "capacity", "bookable"} <= set(space)

    def test_inactive_center_is_not_found(self, api):
        response = api.get(detail_url(CenterFactory(is_active=False)))

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    @pytest.mark.parametrize("spaces", [1, 20])
    def test_query_count_does_not_grow_with_spaces(
        self, api, spaces, django_assert_max_num_queries
    ):
        center = CenterFactory()
        OpeningRuleFactory(center=center)
        SpaceFactory.create_batch(spaces, center=center)

        # The center, its spaces, the center's hours and its spaces' hours (two each).
        with django_assert_max_num_queries(6):
            response = api.get(detail_url(center))

        assert len(response.json()["spaces"]) == spaces

    def test_same_query_count_for_1_and_20_spaces(self, api):
        center = CenterFactory()
        OpeningRuleFactory(center=center)
        SpaceFactory(center=center)
        one = queries_for(api, detail_url(center))
        for space in SpaceFactory.create_batch(19, center=center):
            OpeningRuleFactory(space=space)
            OpeningExceptionFactory(space=space, start_date=TUESDAY, end_date=TUESDAY)

        assert queries_for(api, detail_url(center)) == one


# --- Space list ----------------------------------------------------------------------------------


class TestSpaceList:
    def test_item_shape(self, api):
        space = SpaceFactory(
            name="谊家直播间",
            kind=Space.Kind.STUDIO,
            floor=4,
            capacity=6,
            units=1,
            requires_approval=True,
            slot_minutes=30,
            min_minutes=60,
            max_minutes=240,
            max_days_ahead=14,
            min_notice_minutes=120,
            cancel_deadline_minutes=240,
            eligibility_note="仅限实名认证居民",
            equipment="直播设备\n补光灯\n\n  录音设备  \n",
        )

        response = api.get(SPACES)

        assert response.status_code == 200
        body = response.json()
        assert set(body) == PAGE_KEYS
        (item,) = body["results"]
        assert set(item) >= SPACE_KEYS
        expected = {
            "id": space.id,
            "center": space.center_id,
            "name": "谊家直播间",
            "kind": "studio",
            "floor": 4,
            "capacity": 6,
            "units": 1,
            "bookable": True,
            "requires_approval": True,
            "slot_minutes": 30,
            "min_minutes": 60,
            "max_minutes": 240,
            "max_days_ahead": 14,
            "min_notice_minutes": 120,
            "cancel_deadline_minutes": 240,
            "eligibility": "仅限实名认证居民",
            "equipment": ["直播设备", "补光灯", "录音设备"],
        }
        assert {key: item.get(key) for key in expected} == expected

    def test_no_equipment_is_an_empty_list(self, api):
        SpaceFactory(equipment="")

        (item,) = api.get(SPACES).json()["results"]

        assert item["equipment"] == []
        assert item["eligibility"] == ""

    def test_inactive_spaces_and_spaces_of_inactive_centers_are_hidden(self, api):
        shown = SpaceFactory()
        hidden = SpaceFactory(is_active=False)
        closed_center = SpaceFactory(center=CenterFactory(is_active=False))

        assert ids(api.get(SPACES)) == [shown.id]
        assert api.get(f"{SPACES}{shown.id}/").status_code == 200
        assert api.get(f"{SPACES}{hidden.id}/").status_code == 404
        assert api.get(f"{SPACES}{closed_center.id}/").status_code == 404

    def test_detail(self, api):
        space = SpaceFactory()

        response = api.get(f"{SPACES}{space.id}/")

        assert response.status_code == 200
        assert set(response.json()) >= SPACE_KEYS
        assert response.json()["id"] == space.id

    def test_filter_by_center(self, api):
        space = SpaceFactory()
        SpaceFactory()

        assert ids(api.get(SPACES, {"center": space.center_id})) == [space.id]
        assert ids(api.get(SPACES, {"center": 999_999})) == []

    def test_filter_by_kind(self, api):
        gym = SpaceFactory(kind=Space.Kind.GYM)
        SpaceFactory(kind=Space.Kind.LIBRARY)

        assert ids(api.get(SPACES, {"kind": "gym"})) == [gym.id]
        assert ids(api.get(SPACES, {"kind": "canteen"})) == []

    def test_filter_by_minimum_capacity_is_inclusive(self, api):
        SpaceFactory(capacity=6)
        thirty = SpaceFactory(capacity=30)
        hundred = SpaceFactory(capacity=120)

        assert ids(api.get(SPACES, {"capacity_min": 30})) == [thirty.id, hundred.id]
        assert ids(api.get(SPACES, {"capacity_min": 31})) == [hundred.id]
        assert len(ids(api.get(SPACES, {"capacity_min": 0}))) == 3

    def test_filter_by_bookable(self, api):
        room = SpaceFactory(bookable=True)
        library = SpaceFactory(bookable=False, kind=Space.Kind.LIBRARY)

        assert ids(api.get(SPACES, {"bookable": "true"})) == [room.id]
        assert ids(api.get(SPACES, {"bookable": "false"})) == [library.id]

    def test_filters_combine(self, api):
        center = CenterFactory()
        match = SpaceFactory(center=center, kind=Space.Kind.MEETING, capacity=12)
        SpaceFactory(center=center, kind=Space.Kind.MEETING, capacity=4)
        SpaceFactory(center=center, kind=Space.Kind.MEETING, capacity=12, bookable=False)
        SpaceFactory(kind=Space.Kind.MEETING, capacity=12)

        response = api.get(
            SPACES, {"center": center.id, "kind": "meeting", "capacity_min": 10, "bookable": "true"}
        )

        assert ids(response) == [match.id]

    @pytest.mark.parametrize(
        ("param", "value"),
        [
            ("center", "x"),
            ("center", "0"),
            ("center", "-3"),
            ("center", "99999999999999999999"),
            ("capacity_min", "-1"),
            ("capacity_min", "many"),
            ("capacity_min", "1.5"),
            ("capacity_min", "99999999999"),
            ("kind", "nonsense"),
            ("bookable", "maybe"),
            ("bookable", "yes please"),
        ],
    )
    def test_bad_filter_values_are_400_invalid(self, api, param, value):
        SpaceFactory()

        assert_invalid(api.get(SPACES, {param: value}), param)

    @pytest.mark.parametrize("rows", [1, 20])
    def test_query_count_does_not_grow_with_rows(self, api, rows, django_assert_max_num_queries):
        SpaceFactory.create_batch(rows)

        with django_assert_max_num_queries(2):
            response = api.get(SPACES)

        assert len(response.json()["results"]) == rows

    def test_same_query_count_for_1_and_20_rows(self, api):
        SpaceFactory()
        one = queries_for(api, SPACES)
        SpaceFactory.create_batch(19)

        assert queries_for(api, SPACES) == one


# --- Pagination on the real endpoints ------------------------------------------------------------


class TestPagination:
    def test_default_page_of_twenty_with_links(self, api):
        SpaceFactory.create_batch(25)

        first = api.get(SPACES).json()
        second = api.get(SPACES, {"page": 2}).json()

        assert first["count"] == 25
        assert len(first["results"]) == 20
        assert first["previous"] is None
        assert first["next"].endswith(f"{SPACES}?page=2")
        assert len(second["results"]) == 5
        assert second["next"] is None
        assert second["previous"].endswith(SPACES)
        assert not {i["id"] for i in first["results"]} & {i["id"] for i in second["results"]}

    def test_page_size_up_to_one_hundred(self, api):
        CenterFactory.create_batch(25)

        body = api.get(CENTERS, {"page_size": 100}).json()

        assert body["count"] == 25
        assert len(body["results"]) == 25
        assert body["next"] is None

    def test_page_size_keeps_in_the_links(self, api):
        CenterFactory.create_batch(5)

        body = api.get(CENTERS, {"page_size": 2}).json()

        assert len(body["results"]) == 2
        assert "page_size=2" in body["next"]
        assert "page=2" in body["next"]

    def test_filters_keep_in_the_links(self, api):
        center = CenterFactory()
        SpaceFactory.create_batch(3, center=center)

        body = api.get(SPACES, {"center": center.id, "page_size": 1}).json()

        assert body["count"] == 3
        assert f"center={center.id}" in body["next"]

    def test_an_empty_list(self, api):
        assert api.get(CENTERS).json() == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }


# --- The seeds through the API -------------------------------------------------------------------


class TestSeeds:
    @time_machine.travel(datetime(2026, 11, 26, 4, 0, tzinfo=UTC), tick=False)  # Thu 12:00
    def test_seeded_center_detail(self, api):
        demo.load_places()
        jingan = Center.objects.get(name="静安寺街道社区党群服务中心")

        body = api.get(detail_url(jingan)).json()

        assert body["open_now"] is True
        assert body["today_hours"] == [{"start": "08:30", "end": "20:30"}]
        assert body["floors"] == 3
        assert body["area_m2"] == 3000
        names = {s["name"] for s in body["spaces"]}
        assert {"同心荟社区食堂", "社区图书馆", "市民健身驿站"} <= names

    def test_seeded_spaces_filter(self, api):
        demo.load_places()

        gyms = api.get(SPACES, {"kind": "gym"}).json()["results"]
        bookable = api.get(SPACES, {"bookable": "true", "page_size": 100}).json()["results"]

        assert [g["name"] for g in gyms] == ["市民健身驿站"]
        assert bookable and all(s["bookable"] for s in bookable)
        assert "社区图书馆" not in {s["name"] for s in bookable}


# --- OpenAPI schema and docs ---------------------------------------------------------------------


class TestSchema:
    @pytest.mark.parametrize(
        "request_kwargs",
        [{"data": {"format": "json"}}, {"HTTP_ACCEPT": "application/json"}],
        ids=["format-param", "accept-header"],
    )
    def test_schema_is_openapi_3_0_or_3_1_with_the_places_paths(self, api, request_kwargs):
        response = api.get("/api/schema/", **request_kwargs)

        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith(("3.0.", "3.1."))
        assert not schema["openapi"].startswith("3.2")
        for path in (
            "/api/v1/centers/",
            "/api/v1/centers/{id}/",
            "/api/v1/spaces/",
            "/api/v1/spaces/{id}/availability/",
            "/api/v1/centers/{id}/availability/",
            "/api/v1/bookings/",
            "/api/v1/bookings/{id}/",
            "/api/v1/bookings/{id}/ics/",
        ):
            assert "get" in schema["paths"][path]
        for path in (
            "/api/v1/bookings/",
            "/api/v1/bookings/{id}/cancel/",
            "/api/v1/bookings/{id}/check-in/",
        ):
            assert "post" in schema["paths"][path]

    def test_schema_documents_the_filters_and_pagination(self, api):
        schema = api.get("/api/schema/", {"format": "json"}).json()

        center_params = {
            p["name"] for p in schema["paths"]["/api/v1/centers/"]["get"]["parameters"]
        }
        space_params = {p["name"] for p in schema["paths"]["/api/v1/spaces/"]["get"]["parameters"]}
        assert {"q", "district", "page", "page_size"} <= center_params
        assert {"center", "kind", "capacity_min", "bookable", "page", "page_size"} <= space_params

    def test_docs_page(self, api):
        response = api.get("/api/docs/")

        assert response.status_code == 200
        assert b"swagger" in response.content.lower()
