"""A new resident's way through the site on a phone: signing up by phone, verifying their real
name on the web, landing on a full session's waitlist and taking the seat offered before its
deadline, switching to English and to 长辈模式 with the browser's text at 200%; axe-core on each
page on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.templatetags.linli import when
from members.models import User
from services.models import Registration
from services.services.registration import registration_cancel, session_register
from tests.browser.helpers import assert_accessible, horizontal_overflow, set_text_size
from tests.factories import ProgramFactory, SessionFactory, UserFactory
from tests.members.test_accounts import OutboxSMSBackend, code_in

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "tests.members.test_accounts.OutboxSMSBackend"
    OutboxSMSBackend.outbox.clear()
    return OutboxSMSBackend.outbox


@pytest.fixture
def full_session():
    session = SessionFactory(
        program=ProgramFactory(title="中医养生讲座"),
        start=timezone.now() + timedelta(days=2),
        capacity=1,
    )
    session_register(session=session, member=UserFactory())
    session.program.verification_required = True
    session.program.save()
    return session


def test_sign_up_verify_and_join_the_waitlist(page, sms, full_session) -> None:
    page.goto("/accounts/signup/")
    assert_accessible(page)
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=password1]", "lin-li-2026-pw")
    page.fill("input[name=password2]", "lin-li-2026-pw")
    page.locator("main form button[type=submit]").click()
    [(_, text)] = sms
    page.fill("input[name=code]", code_in(text))
    page.get_by_role("button", name="确认").click()
    member = User.objects.get(phone="+8613812345678")
    assert page.get_by_role("link", name="我的").is_visible()

    # Verification on the web, through the same service as the API.
    page.goto("/me/")
    assert_accessible(page)
    page.get_by_role("link", name="实名认证").click()
    assert_accessible(page)
    page.get_by_label("真实姓名（与身份证一致）").fill("王阿姨")
    page.get_by_label("居民身份证号码（18位）").fill(ID_NUMBER)
    page.get_by_role("button", name="认证").click()
    assert "您已完成实名认证" in page.get_by_role("status").first.inner_text()
    assert ID_NUMBER not in page.content()
    member.refresh_from_db()
    assert member.is_verified
    for path in ("/me/profile/", "/me/messages/", "/me/points/"):  # the rest of the account
        page.goto(path)
        assert_accessible(page)

    # A full session: everything is shown before the tap, and the tap joins the waitlist.
    page.goto("/programs/")
    assert_accessible(page)
    page.get_by_role("link", name="中医养生讲座").click()
    assert "已满" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("button", name="加入候补").click()
    assert "候补第1位" in page.inner_text("main")
    registration = Registration.objects.get(member=member)
    assert (registration.status, registration.position) == (Registration.Status.WAITLISTED, 1)

    # The seated member drops out: the seat is offered, with its deadline, and taken in time.
    seated = Registration.objects.get(session=full_session, status=Registration.Status.CONFIRMED)
    registration_cancel(registration=seated, by=seated.member)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.OFFERED
    page.goto("/me/registrations/")
    assert_accessible(page)
    with translation.override("zh-hans"):
        deadline = when(registration.offer_expires_at)
    assert f"有空位留给您，请在{deadline}前确认。" in page.inner_text("main")
    page.get_by_role("button", name="确认参加").click()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.check_in_code in page.inner_text("main")


def test_english_and_large_text_keep_the_header_on_screen(page, member, log_in) -> None:
    log_in(page, member)
    page.goto("/")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Me").is_visible()
    page.get_by_role("button", name="Large text").click()
    assert page.locator("html").get_attribute("class") == "elder"
    assert page.get_by_role("button", name="Large text").get_attribute("aria-pressed") == "true"
    body_px = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_px >= 27  # 150% of the usual 18 px

    set_text_size(page, 200)
    for path in ("/", "/programs/", "/me/"):
        page.goto(path)
        assert_header_fits(page, path)
    # 长辈模式 still adds to the browser's own 200% (36 px): half the usual size more.
    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") == 36 + 9
    assert_accessible(page)

    # Back to Chinese, still 长辈模式 at 200%: the header is shorter still.
    page.get_by_role("button", name="简体中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert_header_fits(page, "/me/", share=0.16)


def assert_header_fits(page, path: str, share: float = 0.25) -> None:
    """No sideways scrolling; every control of the header on the screen and at least 44x44 px;
    the header takes at most ``share`` of the first screen, so the page itself starts there."""
    assert horizontal_overflow(page) <= 0, path
    for control in page.locator(".site-header a, .site-header button").all():
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, control.inner_text())
        assert box["height"] >= 44 and box["width"] >= 44, (path, control.inner_text())
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= share * 844, (path, header["height"])


def test_center_page_is_accessible_and_readable(page) -> None:
    from tests.factories import BookableSpaceFactory

    space = BookableSpaceFactory(name="国学讲堂")
    page.goto(f"/centers/{space.center_id}/")
    assert_accessible(page)
    # MIIT spacing: lines at least 1.3, paragraphs further apart than lines.
    metrics = page.evaluate(
        """() => { const p = document.querySelector('main p'); const s = getComputedStyle(p);
        return {size: parseFloat(s.fontSize), line: parseFloat(s.lineHeight),
                gap: parseFloat(s.marginBottom)}; }"""
    )
    assert metrics["size"] >= 18
    assert metrics["line"] >= 1.3 * metrics["size"]
    assert metrics["line"] + metrics["gap"] >= 1.3 * metrics["line"]
