"""Light pages: HTML is gzipped, and a first visit (the page, its stylesheet and script, the
icon) stays under 150 KB transferred."""

import gzip

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import BookableSpaceFactory

pytestmark = pytest.mark.django_db
BUDGET = 150 * 1024


def test_html_is_gzipped_and_a_first_visit_is_light(client: Client) -> None:
    space = BookableSpaceFactory()
    for path in ("/", f"/centers/{space.center_id}/", f"/spaces/{space.pk}/", "/programs/"):
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip", path
        html = len(response.content)
        # The static files as WhiteNoise serves them: compressed ahead of time.
        assets = sum(
            len(gzip.compress(open(finders.find(name), "rb").read()))  # noqa: SIM115
            for name in ("css/site.css", "js/site.js")
        )
        icon = len(client.get("/favicon.ico").content)
        assert html + assets + icon < BUDGET, (path, html, assets, icon)
