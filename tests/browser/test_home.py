"""The home page in a phone's browser: accessible, readable, no sideways scrolling."""

from tests.browser.helpers import (
    assert_accessible,
    horizontal_overflow,
    root_font_px,
    set_text_size,
)
from tests.factories import CenterFactory


def test_home_page_on_a_phone_is_accessible_and_fits(page) -> None:
    CenterFactory(name="静安寺街道社区党群服务中心", address="新闸路1855号")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", level=1).is_visible()
    assert "静安寺街道社区党群服务中心" in page.inner_text("main")
    assert horizontal_overflow(page) <= 0
    assert_accessible(page)


def test_text_follows_the_browser_font_setting(page) -> None:
    page.goto("/")
    normal = root_font_px(page)
    set_text_size(page, 200)
    page.reload()
    assert root_font_px(page) == 2 * normal
