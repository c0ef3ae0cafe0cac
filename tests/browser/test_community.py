"""The community pages on a phone (390×844): a resident posts a micro-wish, staff publish it
(through the service), it is on the center's wall with a first name and neighbourhood only; a
neighbour supports a proposal on the wall. axe-core on every page on the way; nothing scrolls
sideways; every button at least 44 px high.

``LINLI_SCREENSHOT_DIR=docs/screenshots`` also saves the two walls as the README shows them."""

import io
import os
import re
from pathlib import Path

from PIL import Image

from centers.models import StaffAssignment
from community.models import Wish
from community.services.proposals import proposal_create, proposal_respond, proposal_support
from community.services.wishes import wish_create, wish_publish
from tests.browser.helpers import assert_accessible, horizontal_overflow, set_text_size
from tests.factories import CenterFactory, UserFactory, staff_at

WISH = "想请人帮忙把阳台的旧花盆搬下楼"


def fits(page) -> None:
    assert horizontal_overflow(page) <= 0, page.url
    for control in page.locator("main a.button, main button, .tabs a").all():
        box = control.bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= 390, (page.url, control)


def save(page, name: str) -> None:
    folder = os.environ.get("LINLI_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (180, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def test_post_a_wish_see_it_on_the_wall_and_support_a_proposal(page, open_page, log_in) -> None:
    center = CenterFactory(name="凉城新村街道邻里汇")
    wisher = UserFactory(
        first_name="秀英",
        display_name="王秀英",
        neighbourhood="凉二居民区",
        phone="+8613912345678",
    )
    log_in(page, wisher)
    page.goto(f"/centers/{center.pk}/")
    page.get_by_role("link", name="微心愿").click()
    assert_accessible(page)
    page.get_by_role("link", name="我要许愿").click()
    assert_accessible(page)
    page.get_by_role("button", name="发布心愿").click()  # nothing chosen: errors, in words
    assert "请检查" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)
    page.get_by_label("跑腿代办").check()
    page.get_by_label("您的心愿").fill(WISH)
    page.get_by_label("私密信息（可不填）").fill("凉城路100弄5号302室，下午在家")
    page.get_by_label("选择照片/拍照").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo()}
    )
    assert "IMG_2041.jpg" in page.locator(".photo-chosen").inner_text()
    page.get_by_role("button", name="发布心愿").click()
    assert "心愿已发布" in page.get_by_role("status").first.inner_text()
    assert "待审核" in page.inner_text("main")
    # The photo comes through the view that checks who asks (the session's cookie), under CSP.
    shown = page.locator(".wish-photo img").element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth === 1200", arg=shown)
    assert_accessible(page)
    fits(page)

    wish = Wish.objects.get(wisher=wisher)
    wish_publish(wish=wish, by=staff_at(center, StaffAssignment.Role.FRONT_DESK))
    page.goto("/me/wishes/")
    assert "已上墙" in page.inner_text("main")
    assert_accessible(page)

    # A neighbour, not logged in, reads the wall: the wish, a first name and a neighbourhood.
    neighbour = open_page()
    neighbour.goto(f"/centers/{center.pk}/wishes/")
    wall = neighbour.inner_text("main")
    assert WISH in wall and "秀英 · 凉二居民区" in wall
    for private in ("王秀英", "凉城路100弄", "5678"):
        assert private not in neighbour.content()
    assert_accessible(neighbour)
    fits(neighbour)
    save(neighbour, "community-wishes.png")
    # The wall says there is a photo; the photo itself is not the neighbour's to see.
    assert "附照片" in wall
    assert neighbour.goto(f"/api/v1/wishes/{wish.pk}/photo/").status == 404

    # The proposal wall: supported first, a neighbour adds a support.
    studio = proposal_create(
        member=UserFactory(), center=center, title="周末开放书画室", text="方便上班的居民。"
    )
    proposal_support(proposal=studio, member=UserFactory())
    bench = proposal_create(
        member=UserFactory(),
        center=center,
        title="在小区门口加装休息长椅",
        text="老人买菜回来走不动，希望在小区门口加几张长椅，方便歇脚。",
    )
    decided = proposal_create(
        member=UserFactory(), center=center, title="增设助餐点送餐服务", text="行动不便的老人。"
    )
    manager = staff_at(center)
    proposal_respond(
        proposal=decided, by=manager, status="adopted", reply="已采纳：下月起每天中午送餐。"
    )
    page.goto(f"/centers/{center.pk}/")
    page.get_by_role("link", name="提案墙").click()
    assert_accessible(page)
    page.get_by_role("link", name="在小区门口加装休息长椅").click()
    assert_accessible(page)
    page.get_by_role("button", name="我支持").click()
    assert "感谢您的支持" in page.get_by_role("status").first.inner_text()
    assert "1人支持" in page.inner_text("main")
    assert_accessible(page)
    bench.refresh_from_db()
    assert bench.supports == 1
    page.get_by_role("link", name="提案墙").click()
    # Tied at one support each, the newer first; the other one can be supported from the wall.
    titles = page.locator(".proposal h2").all_inner_texts()
    assert titles == ["在小区门口加装休息长椅", "周末开放书画室", "增设助餐点送餐服务"]
    assert page.get_by_role("button", name=re.compile("^我支持.*周末开放书画室")).is_visible()
    assert_accessible(page)
    fits(page)
    save(page, "community-proposals.png")


def test_walls_in_elder_mode_at_double_text_size_fit_the_phone(page, site) -> None:
    """长辈模式 with the browser's text at 200%: the walls, a wish and a proposal still fit a
    390 px screen without sideways scrolling, and stay accessible."""
    center = CenterFactory(name="凉城新村街道邻里汇")
    wisher = UserFactory(first_name="秀英", neighbourhood="凉二居民区")
    wish = wish_create(member=wisher, center=center, category="errand", text=WISH)
    wish_publish(wish=wish, by=staff_at(center))
    proposal = proposal_create(
        member=UserFactory(), center=center, title="在小区门口加装休息长椅", text="方便歇脚。"
    )
    page.context.add_cookies([{"name": "linli_elder", "value": "1", "url": site}])
    set_text_size(page, 200)
    for path in (
        f"/centers/{center.pk}/wishes/",
        f"/wishes/{wish.pk}/",
        f"/centers/{center.pk}/proposals/",
        f"/proposals/{proposal.pk}/",
    ):
        page.goto(path)
        assert page.locator("html").get_attribute("class") == "elder"
        assert horizontal_overflow(page) <= 0, path
        assert_accessible(page)
