"""core.pagination: ``?page=`` and ``?page_size=`` (1-100); bad input is a 400, never clamped."""

import pytest
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.pagination import MAX_PAGE_SIZE, PageNumberPagination
from tests.factories import CenterFactory

ROWS = list(range(1, 251))


def paginate(query: dict | None = None, rows=ROWS):
    request = Request(APIRequestFactory().get("/api/v1/things/", query or {}))
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator, page


def field_error(excinfo, field: str) -> list[str]:
    return [str(m) for m in excinfo.value.detail[field]]


# --- The paginator on its own --------------------------------------------------------------------


class TestPageNumberPagination:
    def test_defaults_to_the_first_page_of_twenty(self):
        paginator, page = paginate()

        assert page == ROWS[:20]
        body = paginator.get_paginated_response(page).data
        assert list(body) == ["count", "next", "previous", "results"]
        assert body["count"] == 250
        assert body["previous"] is None
        assert body["next"] == "http://testserver/api/v1/things/?page=2"

    def test_a_middle_page_links_both_ways(self):
        paginator, page = paginate({"page": "3", "page_size": "10"})

        assert page == ROWS[20:30]
        body = paginator.get_paginated_response(page).data
        assert "page=4" in body["next"] and "page_size=10" in body["next"]
        assert "page=2" in body["previous"] and "page_size=10" in body["previous"]

    def test_the_last_page_has_no_next(self):
        paginator, page = paginate({"page": "3", "page_size": "100"})

        assert page == ROWS[200:]
        assert paginator.get_paginated_response(page).data["next"] is None

    @pytest.mark.parametrize("size", ["1", "37", str(MAX_PAGE_SIZE)])
    def test_page_size_within_bounds(self, size):
        _, page = paginate({"page_size": size})

        assert len(page) == int(size)

    def test_the_maximum_is_one_hundred(self):
        assert MAX_PAGE_SIZE == 100

    @pytest.mark.parametrize("query", [{"page": ""}, {"page_size": ""}])
    def test_empty_parameters_mean_the_default(self, query):
        _, page = paginate(query)

        assert page == ROWS[:20]

    def test_an_empty_list_is_one_empty_page(self):
        paginator, page = paginate(rows=[])

        assert page == []
        assert paginator.get_paginated_response(page).data["count"] == 0

    @pytest.mark.parametrize("value", ["abc", "1.5", "1e3", " "])
    def test_a_page_that_is_not_a_whole_number(self, value):
        with pytest.raises(ValidationError) as excinfo:
            paginate({"page": value})

        assert field_error(excinfo, "page")

    @pytest.mark.parametrize("value", ["0", "-1"])
    def test_a_page_below_one(self, value):
        with pytest.raises(ValidationError) as excinfo:
            paginate({"page": value})

        assert field_error(excinfo, "page")

    @pytest.mark.parametrize("value", ["0", "-5", "101", "100000", "abc", "99999999999999999999"])
    def test_a_page_size_out_of_bounds_or_not_a_number(self, value):
        with pytest.raises(ValidationError) as excinfo:
            paginate({"page_size": value})

        assert field_error(excinfo, "page_size")

    def test_the_page_size_error_names_the_maximum(self):
        with pytest.raises(ValidationError) as excinfo:
            paginate({"page_size": "101"})

        assert "100" in field_error(excinfo, "page_size")[0]

    def test_a_page_past_the_end_is_not_found(self):
        with pytest.raises(NotFound):
            paginate({"page": "999"})

    def test_last_is_not_a_page_number(self):
        # DRF would accept "last"; the contract only has whole numbers.
        with pytest.raises(ValidationError):
            paginate({"page": "last"})


# --- Through the API: the error shape ------------------------------------------------------------


@pytest.mark.django_db
class TestPaginationErrors:
    URL = "/api/v1/centers/"

    @pytest.fixture(autouse=True)
    def _rows(self):
        CenterFactory.create_batch(3)

    def test_page_abc(self, api):
        response = api.get(self.URL, {"page": "abc"})

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert set(body) == {"code", "detail", "fields"}
        assert list(body["fields"]) == ["page"]
        assert body["detail"] == body["fields"]["page"][0]

    @pytest.mark.parametrize("size", ["100000", "0", "-1", "101", "x"])
    def test_bad_page_size(self, api, size):
        response = api.get(self.URL, {"page_size": size})

        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert list(response.json()["fields"]) == ["page_size"]

    def test_page_size_one_hundred_is_fine(self, api):
        response = api.get(self.URL, {"page_size": 100})

        assert response.status_code == 200
        assert response.json()["count"] == 3

    def test_page_past_the_end(self, api):
        response = api.get(self.URL, {"page": 999})

        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "not_found"
        assert isinstance(body["detail"], str) and body["detail"]
        assert "fields" not in body

    def test_a_page_past_the_end_on_spaces_too(self, api):
        response = api.get("/api/v1/spaces/", {"page": 2})

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
