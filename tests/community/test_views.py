"""Resident web pages for micro-wishes and the proposal wall: each page, each step through the
same services as the API, each refusal shown as an error (never a 500), another member's wish
or draft a 404, and no personal details on the public wall."""

import pytest
from django.test import Client

from community.models import Proposal, Wish
from community.services.proposals import proposal_create, proposal_respond, proposal_support
from community.services.wishes import wish_confirm, wish_decline, wish_fulfil
from tests.clients import web_client
from tests.community.conftest import (
    claimed_wish,
    post_proposal,
    post_wish,
    published_wish,
    volunteer_factory,
    wisher_factory,
)
from tests.factories import CenterFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
ERROR = 'role="alert"'


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Micro-wishes -------------------------------------------------------------------------


def test_wall_shows_open_wishes_with_first_name_and_neighbourhood_only(
    client, center, wisher, desk
) -> None:
    wish = published_wish(wisher, center, desk)
    post_wish(wisher_factory(first_name="李伯伯"), center, text="还在审核的心愿")
    page = text_of(client.get(f"/centers/{center.pk}/wishes/"))
    assert wish.text in page and f'href="/wishes/{wish.pk}/"' in page
    assert "王阿姨" in page and "凉二居民区" in page
    assert "还在审核的心愿" not in page  # not reviewed yet
    for private in (wisher.display_name, wish.details, wisher.phone, wisher.email):
        assert private not in page
    detail = text_of(client.get(f"/wishes/{wish.pk}/"))
    assert wish.details not in detail and wisher.display_name not in detail
    assert "登录" in detail  # log in to help


def test_center_page_and_account_link_to_the_community_pages(client, center, member) -> None:
    page = text_of(client.get(f"/centers/{center.pk}/"))
    assert f'href="/centers/{center.pk}/wishes/"' in page
    assert f'href="/centers/{center.pk}/proposals/"' in page
    account = text_of(web_client(member).get("/me/"))
    assert 'href="/me/wishes/"' in account and 'href="/me/proposals/"' in account


def test_post_a_wish_and_see_it_in_my_wishes_with_its_history(center, wisher, desk) -> None:
    web = web_client(wisher)
    form = text_of(web.get(f"/centers/{center.pk}/wishes/new/"))
    assert 'type="radio"' in form and "csrfmiddlewaretoken" in form
    response = web.post(
        f"/centers/{center.pk}/wishes/new/",
        {"category": "errand", "text": "  想请人帮忙取药  ", "details": "三楼，下午在家"},
    )
    wish = Wish.objects.get(wisher=wisher)
    assert response.status_code == 302 and response["Location"] == f"/wishes/{wish.pk}/"
    assert (wish.text, wish.status, wish.created_by) == ("想请人帮忙取药", "submitted", wisher)
    page = text_of(web.get(f"/wishes/{wish.pk}/"))
    assert "三楼，下午在家" in page and "待审核" in page
    mine = text_of(web.get("/me/wishes/"))
    assert "想请人帮忙取药" in mine and "已发布，等待工作人员审核" in mine


def test_posting_a_wish_refused_shows_the_errors(center, wisher) -> None:
    web = web_client(wisher)
    page = text_of(web.post(f"/centers/{center.pk}/wishes/new/", {"category": "x", "text": " "}))
    assert ERROR in page and "请检查" in page
    for n in range(3):
        post_wish(wisher, center, text=f"心愿{n}")
    page = text_of(
        web.post(f"/centers/{center.pk}/wishes/new/", {"category": "other", "text": "第四个"})
    )
    assert ERROR in page and "未完成的心愿" in page
    assert Wish.objects.filter(wisher=wisher).count() == 3
    closed = CenterFactory(is_active=False)
    assert web.get(f"/centers/{closed.pk}/wishes/new/").status_code == 404


def test_pages_need_a_login_to_act(client, center, wisher, desk) -> None:
    wish = published_wish(wisher, center, desk)
    for url in (f"/centers/{center.pk}/wishes/new/", "/me/wishes/", "/me/proposals/"):
        assert client.get(url).status_code == 302
    response = client.post(f"/wishes/{wish.pk}/claim/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert web_client(wisher).get(f"/wishes/{wish.pk}/claim/").status_code == 405


def test_claim_fulfil_confirm_on_the_web(center, wisher, desk, volunteer) -> None:
    wish = published_wish(wisher, center, desk)
    helper = web_client(volunteer)
    page = text_of(helper.get(f"/wishes/{wish.pk}/"))
    assert f'action="/wishes/{wish.pk}/claim/"' in page
    assert wish.details not in page
    response = helper.post(f"/wishes/{wish.pk}/claim/", follow=True)
    page = text_of(response)
    assert 'role="status"' in page and wish.details in page  # the volunteer now sees where
    assert f'action="/wishes/{wish.pk}/fulfil/"' in page
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_by) == ("claimed", volunteer)

    page = text_of(helper.post(f"/wishes/{wish.pk}/fulfil/", {"note": " "}, follow=True))
    assert ERROR in page and "请简单说明完成情况" in page
    helper.post(f"/wishes/{wish.pk}/fulfil/", {"note": "已换好灯泡"})
    wish.refresh_from_db()
    assert (wish.status, wish.fulfil_note) == ("fulfilled", "已换好灯泡")

    owner = web_client(wisher)
    page = text_of(owner.get(f"/wishes/{wish.pk}/"))
    assert "已换好灯泡" in page and f'action="/wishes/{wish.pk}/confirm/"' in page
    page = text_of(owner.post(f"/wishes/{wish.pk}/confirm/", follow=True))
    assert 'role="status"' in page
    wish.refresh_from_db()
    assert wish.status == "closed"
    volunteer.refresh_from_db()
    assert volunteer.points_balance > 0
    # Confirming twice: the service refuses, the page says so.
    page = text_of(owner.post(f"/wishes/{wish.pk}/confirm/", follow=True))
    assert ERROR in page


def test_claim_refusals_are_errors_not_500s(center, wisher, desk, volunteer) -> None:
    wish = published_wish(wisher, center, desk)
    unverified = UserFactory()
    page = text_of(web_client(unverified).post(f"/wishes/{wish.pk}/claim/", follow=True))
    assert ERROR in page and "实名" in page
    page = text_of(
        web_client(volunteer).post(f"/wishes/{wish.pk}/claim/", {"team": "7"}, follow=True)
    )
    assert ERROR in page
    team = TeamFactory()
    response = web_client(volunteer).post(
        f"/wishes/{wish.pk}/claim/", {"team": str(team.pk)}, follow=True
    )
    assert ERROR in text_of(response)
    web_client(volunteer).post(f"/wishes/{wish.pk}/claim/")
    # A second volunteer is told someone was quicker.
    second = web_client(volunteer_factory())
    assert "claim/" not in text_of(second.get(f"/wishes/{wish.pk}/"))
    page = text_of(second.post(f"/wishes/{wish.pk}/claim/", follow=True))
    assert ERROR in page and "已经有人认领" in page
    # The wisher cannot claim their own (it is not offered, and the service refuses).
    other = published_wish(wisher, center, desk, text="另一个心愿")
    assert "claim/" not in text_of(web_client(wisher).get(f"/wishes/{other.pk}/"))
    page = text_of(web_client(wisher).post(f"/wishes/{other.pk}/claim/", follow=True))
    assert ERROR in page


def test_another_members_wish_is_a_404(center, wisher, desk, volunteer) -> None:
    submitted = post_wish(wisher, center)
    stranger = web_client(UserFactory())
    assert stranger.get(f"/wishes/{submitted.pk}/").status_code == 404
    claimed = claimed_wish(wisher, center, desk, volunteer)
    assert stranger.post(f"/wishes/{claimed.pk}/fulfil/", {"note": "x"}).status_code == 404
    assert stranger.post(f"/wishes/{claimed.pk}/withdraw/", {"confirm": "yes"}).status_code == 404
    wish_fulfil(wish=claimed, member=volunteer, note="好了")
    assert stranger.post(f"/wishes/{claimed.pk}/confirm/").status_code == 404
    # The volunteer cannot confirm for the wisher either.
    assert web_client(volunteer).post(f"/wishes/{claimed.pk}/confirm/").status_code == 404
    assert web_client(UserFactory()).get("/wishes/999999/").status_code == 404


def test_withdraw_a_wish_or_give_a_claim_back(center, wisher, desk, volunteer) -> None:
    wish = claimed_wish(wisher, center, desk, volunteer)
    helper = web_client(volunteer)
    page = text_of(helper.post(f"/wishes/{wish.pk}/withdraw/", follow=True))
    assert ERROR in page  # the box was not ticked
    helper.post(f"/wishes/{wish.pk}/withdraw/", {"confirm": "yes"})
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_by) == ("published", None)
    owner = web_client(wisher)
    assert f'action="/wishes/{wish.pk}/withdraw/"' in text_of(owner.get(f"/wishes/{wish.pk}/"))
    owner.post(f"/wishes/{wish.pk}/withdraw/", {"confirm": "yes"})
    wish.refresh_from_db()
    assert wish.status == "closed"
    page = text_of(owner.post(f"/wishes/{wish.pk}/withdraw/", {"confirm": "yes"}, follow=True))
    assert ERROR in page


def test_my_wishes_shows_states_reasons_and_claims(center, wisher, desk, volunteer) -> None:
    declined = post_wish(wisher, center, text="被婉拒的心愿")
    wish_decline(wish=declined, by=desk, reason="超出服务范围")
    done = claimed_wish(wisher, center, desk, volunteer)
    wish_fulfil(wish=done, member=volunteer, note="好了")
    wish_confirm(wish=done, by=wisher)
    page = text_of(web_client(wisher).get("/me/wishes/"))
    assert "超出服务范围" in page and "已结束" in page and "闭馆" not in page
    assert "已确认完成" in page
    claims = text_of(web_client(volunteer).get("/me/wishes/"))
    assert done.text in claims and "我帮助的心愿" in claims


def test_wish_pages_in_english(center, wisher, desk) -> None:
    wish = published_wish(wisher, center, desk)
    client = Client(headers={"accept-language": "en"})
    page = text_of(client.get(f"/centers/{center.pk}/wishes/"))
    assert "Micro-wishes" in page and "1 open wish" in page
    assert "Log in to help" in text_of(client.get(f"/wishes/{wish.pk}/"))


# --- The proposal wall --------------------------------------------------------------------


def test_wall_sorted_by_support_and_by_newest_without_authors(client, center, wisher) -> None:
    popular = post_proposal(wisher, center, title="加装长椅")
    newest = post_proposal(UserFactory(display_name="张三丰"), center, title="开设书法班")
    proposal_support(proposal=popular, member=UserFactory())
    by_support = text_of(client.get(f"/centers/{center.pk}/proposals/"))
    assert by_support.index("加装长椅") < by_support.index("开设书法班")
    assert 'aria-current="page"' in by_support
    by_newest = text_of(client.get(f"/centers/{center.pk}/proposals/?order=new"))
    assert by_newest.index("开设书法班") < by_newest.index("加装长椅")
    for page in (by_support, by_newest, text_of(client.get(f"/proposals/{newest.pk}/"))):
        assert "张三丰" not in page and wisher.display_name not in page
    assert text_of(client.get(f"/centers/{center.pk}/proposals/?order=x&page=x"))


def test_support_and_withdraw_once_per_member(center, wisher, member) -> None:
    proposal = post_proposal(wisher, center)
    web = web_client(member)
    page = text_of(web.get(f"/proposals/{proposal.pk}/"))
    assert f'action="/proposals/{proposal.pk}/support/"' in page
    web.post(f"/proposals/{proposal.pk}/support/", {"support": "yes"})
    page = text_of(web.post(f"/proposals/{proposal.pk}/support/", {"support": "yes"}, follow=True))
    proposal.refresh_from_db()
    assert proposal.supports == 1
    assert "撤回支持" in page
    web.post(f"/proposals/{proposal.pk}/support/", {"support": "no"})
    proposal.refresh_from_db()
    assert proposal.supports == 0


def test_decided_proposal_refuses_support_with_an_error(center, wisher, member) -> None:
    proposal = post_proposal(wisher, center)
    manager = UserFactory(is_superuser=True, is_staff=True)
    proposal_respond(proposal=proposal, by=manager, status="adopted", reply="明年春天装好。")
    page = text_of(web_client(member).get(f"/proposals/{proposal.pk}/"))
    assert "明年春天装好。" in page and "support/" not in page
    page = text_of(web_client(member).post(f"/proposals/{proposal.pk}/support/", follow=True))
    assert ERROR in page
    assert Proposal.objects.get(pk=proposal.pk).supports == 0


def test_post_a_proposal_and_its_refusals(center, member) -> None:
    web = web_client(member)
    assert "csrfmiddlewaretoken" in text_of(web.get(f"/centers/{center.pk}/proposals/new/"))
    page = text_of(web.post(f"/centers/{center.pk}/proposals/new/", {"title": "", "text": ""}))
    assert ERROR in page
    response = web.post(
        f"/centers/{center.pk}/proposals/new/", {"title": "周末开放活动室", "text": "方便上班族。"}
    )
    proposal = Proposal.objects.get(author=member)
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert "周末开放活动室" in text_of(web.get("/me/proposals/"))
    for n in range(2):
        post_proposal(member, center, title=f"提案{n}")
    page = text_of(
        web.post(f"/centers/{center.pk}/proposals/new/", {"title": "第四个", "text": "今天"})
    )
    assert ERROR in page and "今天" in page


def test_another_members_draft_is_a_404(client, center, wisher) -> None:
    draft = proposal_create(member=wisher, center=center, title="草稿", text="还没想好", draft=True)
    assert client.get(f"/proposals/{draft.pk}/").status_code == 404
    assert web_client(UserFactory()).get(f"/proposals/{draft.pk}/").status_code == 404
    assert web_client(UserFactory()).post(f"/proposals/{draft.pk}/support/").status_code == 404
    assert "还没想好" in text_of(web_client(wisher).get(f"/proposals/{draft.pk}/"))


def test_support_from_the_wall_returns_to_it(center, wisher, member) -> None:
    proposal = post_proposal(wisher, center)
    web = web_client(member)
    wall = text_of(web.get(f"/centers/{center.pk}/proposals/?order=new"))
    assert f'action="/proposals/{proposal.pk}/support/"' in wall
    response = web.post(f"/proposals/{proposal.pk}/support/", {"support": "yes", "back": "new"})
    assert response["Location"] == f"/centers/{center.pk}/proposals/?order=new"
    wall = text_of(web.get(response["Location"]))
    assert "您已支持" in wall and f'action="/proposals/{proposal.pk}/support/"' not in wall
    # Anything else in ``back`` is no address: to the proposal.
    response = web.post(f"/proposals/{proposal.pk}/support/", {"back": "//evil.example"})
    assert response["Location"] == f"/proposals/{proposal.pk}/"


def test_the_wall_offers_help_with_others_wishes_only(center, wisher, desk) -> None:
    wish = published_wish(wisher, center, desk)
    help_link = f'class="button button-secondary" href="/wishes/{wish.pk}/"'
    assert help_link in text_of(web_client(UserFactory()).get(f"/centers/{center.pk}/wishes/"))
    assert help_link not in text_of(web_client(wisher).get(f"/centers/{center.pk}/wishes/"))


def test_form_errors_are_listed_with_links_to_the_fields(center, wisher) -> None:
    page = text_of(web_client(wisher).post(f"/centers/{center.pk}/wishes/new/", {}))
    summary = page.split('class="form-errors"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_category_0"' in summary and 'href="#id_text"' in summary


def test_list_pages_query_counts_do_not_grow_with_rows(center, wisher, desk, member) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    web = web_client(member)
    pages = (
        f"/centers/{center.pk}/wishes/",
        f"/centers/{center.pk}/proposals/",
        "/me/wishes/",
        "/me/proposals/",
    )

    def counts() -> list[int]:
        result = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert web.get(url).status_code == 200
            result.append(len(queries))
        return result

    post_proposal(wisher, center)
    post_proposal(member, center, title="我的提案")
    published_wish(member, center, desk)
    published_wish(wisher, center, desk, text="别人的心愿")
    one = counts()
    for n in range(2):
        post_proposal(UserFactory(), center, title=f"提案{n}")
        published_wish(member, center, desk, text=f"心愿{n}")
        published_wish(wisher_factory(), center, desk, text=f"邻居的心愿{n}")
    post_proposal(member, center, title="又一个提案")
    assert counts() == one


def test_a_hidden_proposal_tells_its_author_why_and_is_gone_for_others(center, wisher) -> None:
    from community.services.proposals import proposal_hide

    proposal = post_proposal(wisher, center)
    manager = UserFactory(is_superuser=True, is_staff=True)
    proposal_hide(proposal=proposal, by=manager, reason="含有广告内容")
    page = text_of(web_client(wisher).get(f"/proposals/{proposal.pk}/"))
    assert ERROR in page and "含有广告内容" in page and "support/" not in page
    assert web_client(UserFactory()).get(f"/proposals/{proposal.pk}/").status_code == 404
    assert "含有广告内容" not in text_of(Client().get(f"/centers/{center.pk}/proposals/"))
