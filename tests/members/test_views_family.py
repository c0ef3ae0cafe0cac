"""亲友代办 on the web: linking a relative by the code texted to their phone, the links both
ways, ending one from either side (another member's link is a 404), and acting for the
relative — posting a wish and registering land on the relative's account, name the family
member as the actor, and stop the moment the link ends."""

import pytest

from community.models import Wish
from community.services.wishes import wish_create
from members.acting import SESSION_KEY
from members.models import ProxyAction, ProxyLink
from members.services.proxies import proxy_end, proxy_request
from services.models import Registration
from tests.clients import web_client
from tests.factories import (
    CenterFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    VerifiedMemberFactory,
)
from tests.members.conftest import MOTHER_PHONE
from tests.members.test_accounts import code_in

pytestmark = pytest.mark.django_db
ERROR = 'role="alert"'
Status = ProxyLink.Status


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def linked(son, mother, sms, django_capture_on_commit_callbacks) -> ProxyLink:
    """The son linked to his mother through the pages, as the test below does step by step."""
    web = web_client(son)
    with django_capture_on_commit_callbacks(execute=True):
        web.post("/me/family/new/", {"phone": "139 1234 5678", "display_name": "妈妈"})
    link = ProxyLink.objects.get(proxy=son)
    web.post(f"/me/family/{link.pk}/confirm/", {"code": code_in(sms[-1][1])})
    link.refresh_from_db()
    assert link.status == Status.ACTIVE
    return link


def test_link_a_relative_by_the_code_on_their_phone(
    son, mother, sms, django_capture_on_commit_callbacks
) -> None:
    web = web_client(son)
    assert 'href="/me/family/"' in text_of(web.get("/me/"))
    form = text_of(web.get("/me/family/new/"))
    assert 'type="tel"' in form and ERROR not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post("/me/family/new/", {"phone": "139 1234 5678", "display_name": "妈妈"})
    assert response.status_code == 302 and response["Location"] == "/me/family/"
    [(to, text)] = sms
    assert to == MOTHER_PHONE
    link = ProxyLink.objects.get(proxy=son)
    page = text_of(web.get("/me/family/"))
    assert "139****5678" in page and MOTHER_PHONE not in page
    assert f'action="/me/family/{link.pk}/confirm/"' in page

    wrong = "000000" if code_in(text) != "000000" else "111111"
    page = text_of(web.post(f"/me/family/{link.pk}/confirm/", {"code": wrong}, follow=True))
    assert ERROR in page and "验证码不正确" in page
    page = text_of(web.post(f"/me/family/{link.pk}/confirm/", {"code": code_in(text)}, follow=True))
    assert 'role="status"' in page and "王阿姨" in page
    link.refresh_from_db()
    assert (link.status, link.member) == (Status.ACTIVE, mother)
    assert f'action="/me/family/{link.pk}/act/"' in page
    # The mother sees it from her side, and may end it.
    theirs = text_of(web_client(mother).get("/me/family/"))
    assert "王小明" in theirs and f'action="/me/family/{link.pk}/end/"' in theirs
    assert f'action="/me/family/{link.pk}/act/"' not in theirs


def test_linking_refusals_are_errors(sms, son) -> None:
    page = text_of(web_client(UserFactory()).post("/me/family/new/", {"phone": "13912345678"}))
    assert ERROR in page and "实名" in page
    page = text_of(web_client(son).post("/me/family/new/", {"phone": "12345"}))
    assert ERROR in page
    page = text_of(web_client(son).post("/me/family/new/", {"phone": son.phone}))
    assert ERROR in page and "您自己的手机号" in page
    assert not ProxyLink.objects.exists()
    assert not sms


def test_another_members_link_is_a_404(linked, son) -> None:
    stranger = web_client(VerifiedMemberFactory())
    for action in ("confirm", "end", "act"):
        response = stranger.post(f"/me/family/{linked.pk}/{action}/", {"confirm": "yes"})
        assert response.status_code == 404, action
    page = text_of(stranger.get("/me/family/"))
    assert "王阿姨" not in page and "139****5678" not in page
    linked.refresh_from_db()
    assert linked.status == Status.ACTIVE


def test_either_side_ends_the_link(linked, son, mother) -> None:
    web = web_client(mother)
    page = text_of(web.post(f"/me/family/{linked.pk}/end/", follow=True))
    assert ERROR in page  # the box was not ticked
    web.post(f"/me/family/{linked.pk}/end/", {"confirm": "yes"})
    linked.refresh_from_db()
    assert (linked.status, linked.ended_by) == (Status.ENDED, mother)
    page = text_of(
        web_client(son).post(f"/me/family/{linked.pk}/end/", {"confirm": "yes"}, follow=True)
    )
    assert ERROR in page  # already ended


def test_acting_for_the_relative_posts_and_registers_on_their_account(linked, son, mother):
    web = web_client(son)
    page = text_of(web.post(f"/me/family/{linked.pk}/act/", follow=True))
    assert "正在为王阿姨代办" in page and 'action="/me/family/acting/stop/"' in page
    assert "王阿姨的预约" in page and 'href="/programs/"' in page  # what to do next
    center = CenterFactory()
    assert "正在为王阿姨代办" in text_of(web.get(f"/centers/{center.pk}/wishes/new/"))
    web.post(f"/centers/{center.pk}/wishes/new/", {"category": "errand", "text": "想请人帮忙买米"})
    wish = Wish.objects.get()
    assert (wish.wisher, wish.created_by) == (mother, son)
    assert wish.events.get().actor == son
    assert "想请人帮忙买米" in text_of(web.get("/me/wishes/"))
    assert text_of(web.get(f"/wishes/{wish.pk}/"))  # the relative's wish opens for the son

    session = SessionFactory(program=ProgramFactory(title="太极拳"))
    web.post(f"/sessions/{session.pk}/register/")
    registration = Registration.objects.get(session=session)
    assert registration.member == mother
    assert "太极拳" in text_of(web.get("/me/registrations/"))
    assert ProxyAction.objects.filter(link=linked, method="POST").count() == 2

    # Back to himself: the wish is no longer on his list, and his own post is his.
    page = text_of(web.post("/me/family/acting/stop/", {"next": "/me/wishes/"}, follow=True))
    assert "正在为" not in page and "想请人帮忙买米" not in page
    web.post(f"/centers/{center.pk}/wishes/new/", {"category": "other", "text": "我的心愿"})
    assert Wish.objects.get(text="我的心愿").wisher == son


def test_acting_stops_when_the_link_ends(linked, son, mother) -> None:
    web = web_client(son)
    assert "正在为王阿姨代办" in text_of(web.post(f"/me/family/{linked.pk}/act/", follow=True))
    proxy_end(link=linked, by=mother)
    center = CenterFactory()
    assert "正在为" not in text_of(web.get("/me/wishes/"))
    web.post(f"/centers/{center.pk}/wishes/new/", {"category": "other", "text": "买菜"})
    assert Wish.objects.get().wisher == son
    assert SESSION_KEY not in web.session


def test_no_acting_without_a_link(son, mother) -> None:
    web = web_client(son)
    session = web.session
    session[SESSION_KEY] = mother.pk  # as if forged: the link is checked on every request
    session.save()
    assert "正在为" not in text_of(web.get("/me/"))
    center = CenterFactory()
    web.post(f"/centers/{center.pk}/wishes/new/", {"category": "other", "text": "买菜"})
    assert Wish.objects.get().wisher == son
    # A pending link is not a link either.
    proxy_request(proxy=son, phone=MOTHER_PHONE)
    pending = ProxyLink.objects.get(proxy=son)
    page = text_of(web.post(f"/me/family/{pending.pk}/act/", follow=True))
    assert ERROR in page and "正在为" not in page


def test_a_session_page_under_acting_speaks_of_the_relative(linked, son, mother) -> None:
    """What would stop the registration is the relative's (she is not verified; he is), and
    the page does not send him to verify his own name for it."""
    session = SessionFactory(program=ProgramFactory(verification_required=True))
    web = web_client(son)
    page = text_of(web.get(f"/sessions/{session.pk}/"))
    assert ERROR not in page and f'action="/sessions/{session.pk}/register/"' in page
    web.post(f"/me/family/{linked.pk}/act/")
    page = text_of(web.get(f"/sessions/{session.pk}/"))
    assert ERROR in page and "实名认证" in page
    assert 'href="/me/verify/"' not in page


def test_only_changes_for_the_relative_are_recorded(linked, son, mother) -> None:
    web = web_client(son)
    web.post(f"/me/family/{linked.pk}/act/")
    # His own profile, refused and shown again with the banner: nothing done for her.
    web.post("/me/profile/", {"language": "xx"})
    web.get("/me/wishes/")
    assert not ProxyAction.objects.exists()
    center = CenterFactory()
    web.post(f"/centers/{center.pk}/wishes/new/", {"category": "x", "text": ""})
    assert not ProxyAction.objects.exists()  # the form stopped it before any service
    for n in range(3):
        wish_create(member=mother, center=center, category="other", text=f"心愿{n}")
    page = web.post(f"/centers/{center.pk}/wishes/new/", {"category": "other", "text": "第四个"})
    assert ERROR in page.content.decode()
    assert ProxyAction.objects.get().path.endswith("/wishes/new/")  # tried, refused: on record
