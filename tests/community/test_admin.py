"""The community in the admin: staff of a center review its wishes, post one for a resident,
confirm one for a wisher, answer and hide proposals, each through the services (who tell the
wisher, the volunteer, the supporters); they see only their own centers; a crafted POST for
another center's row changes nothing; viewers and district oversight only look."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centers.models import Center, DistrictAssignment, StaffAssignment
from community.admin.wishes import EVENT_LABELS
from community.models import Proposal, Wish, WishEvent
from community.services.proposals import proposal_respond, proposal_support
from community.services.wishes import wish_fulfil
from members.models import PointsEntry, User
from members.services.proxies import proxy_link_at_desk
from notifications.models import Message
from tests.clients import web_client
from tests.community.conftest import (
    claimed_wish,
    post_proposal,
    post_wish,
    published_wish,
    volunteer_factory,
    wisher_factory,
)
from tests.factories import (
    CenterFactory,
    UserFactory,
    VerifiedMemberFactory,
    make_id_number,
    staff_at,
)

pytestmark = pytest.mark.django_db
Status = Wish.Status
WISHES = "/admin/community/wish/"
PROPOSALS = "/admin/community/proposal/"


def kinds(member: User) -> list[str]:
    """The message kinds written to ``member``, oldest first, without their step suffix."""
    sent = Message.objects.filter(recipient=member).order_by("id")
    return [kind.split("@")[0] for kind in sent.values_list("kind", flat=True)]


def answer(client, proposal: Proposal, status: str, reply: str):
    return act(client, PROPOSALS, "respond", [proposal], confirm="yes", status=status, reply=reply)


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, url: str, action: str, rows, **extra):
    data = {"action": action, "_selected_action": [row.pk for row in rows], "index": 0}
    return client.post(url, data | extra)


@pytest.fixture
def other_center() -> Center:
    return CenterFactory()


@pytest.fixture
def desk_client(desk):
    return web_client(desk)


# --- Wishes: the list ----------------------------------------------------------------------------


def test_staff_list_only_their_centers_wishes_with_filters(center, other_center, wisher, desk):
    ours = post_wish(wisher, center, "想请人帮忙换个灯泡")
    mine_published = published_wish(wisher_factory(), center, desk, text="想找人陪我聊聊天")
    theirs = post_wish(wisher_factory(), other_center, "想请人修一下水龙头")
    client = web_client(desk)

    listed = client.get(WISHES).context["cl"].result_list
    assert {w.pk for w in listed} == {ours.pk, mine_published.pk}
    page = client.get(WISHES).content.decode()
    assert other_center.name not in page  # not even as a filter choice
    assert "微心愿" in page  # Chinese labels by default

    by_status = client.get(WISHES, {"status": Status.PUBLISHED}).context["cl"].result_list
    assert [w.pk for w in by_status] == [mine_published.pk]
    by_center = client.get(WISHES, {"center": center.pk}).context["cl"].result_list
    assert {w.pk for w in by_center} == {ours.pk, mine_published.pk}
    assert list(client.get(WISHES, {"center": other_center.pk}).context["cl"].result_list) == []
    assert client.get(WISHES, {"center": "x"}).status_code == 200
    by_category = client.get(WISHES, {"category": "repair"}).context["cl"].result_list
    assert {w.pk for w in by_category} == {ours.pk, mine_published.pk}
    assert list(client.get(WISHES, {"category": "company"}).context["cl"].result_list) == []

    assert client.get(f"{WISHES}{ours.pk}/change/").status_code == 200
    assert client.get(f"{WISHES}{theirs.pk}/change/").status_code == 302  # as if missing


def test_staff_find_a_residents_wishes_by_phone_or_name(center, desk_client):
    wang = wisher_factory(phone="+8613912345678", display_name="王永年")
    theirs = post_wish(wang, center, "想请人帮忙换个灯泡")
    post_wish(wisher_factory(display_name="李阿婆"), center, "想找人陪我聊聊天")

    for term in ("139 1234 5678", "+86 13912345678", "王永年", "灯泡"):
        found = desk_client.get(WISHES, {"q": term}).context["cl"].result_list
        assert [w.pk for w in found] == [theirs.pk], term
    assert list(desk_client.get(WISHES, {"q": "13700000000"}).context["cl"].result_list) == []


def test_labels_in_english_too(center, wisher, desk):
    post_wish(wisher, center)
    page = web_client(desk).get(WISHES, headers={"accept-language": "en"}).content.decode()
    assert "micro-wishes" in page.lower() and "Publish on the wall" in page


# --- Wishes: review ------------------------------------------------------------------------------


def test_publish_through_the_service_tells_the_wisher(center, wisher, desk_client):
    wish = post_wish(wisher, center)

    response = act(desk_client, WISHES, "publish", [wish])

    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == Status.PUBLISHED
    assert WishEvent.objects.filter(wish=wish, action="publish").count() == 1
    assert kinds(wisher) == ["wish_published"]


def test_decline_asks_for_a_reason_the_wisher_reads(center, wisher, desk_client):
    wish = post_wish(wisher, center)

    page = act(desk_client, WISHES, "decline", [wish])
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    wish.refresh_from_db()
    assert wish.status == Status.SUBMITTED

    no_reason = act(desk_client, WISHES, "decline", [wish], confirm="yes", reason=" ")
    assert no_reason.status_code == 200
    wish.refresh_from_db()
    assert wish.status == Status.SUBMITTED

    act(desk_client, WISHES, "decline", [wish], confirm="yes", reason="请写清楚需要帮什么忙")

    wish.refresh_from_db()
    assert (wish.status, wish.decline_reason) == (Status.DECLINED, "请写清楚需要帮什么忙")
    message = Message.objects.get(recipient=wisher)
    assert message.kind.startswith("wish_declined")
    assert message.context["reason"] == "请写清楚需要帮什么忙"


def test_the_wishers_family_member_hears_of_staff_steps_too(center, wisher, desk, desk_client):
    """亲友代办: messages go to both, whoever took the step."""
    son = volunteer_factory()
    proxy_link_at_desk(proxy=son, member=wisher, by=desk, center=center)
    first, second = post_wish(wisher, center, "一"), post_wish(wisher, center, "二")

    act(desk_client, WISHES, "publish", [first])
    act(desk_client, WISHES, "decline", [second], confirm="yes", reason="重复了")

    assert kinds(wisher)[-2:] == ["wish_published", "wish_declined"]
    copies = Message.objects.filter(recipient=son, kind__startswith="wish_").order_by("id")
    assert [m.kind.split("@")[0] for m in copies] == ["wish_published", "wish_declined"]
    assert all(m.context["for_member"] for m in copies)


def test_a_wish_in_the_wrong_state_is_a_message_not_a_500(center, wisher, desk, desk_client):
    wish = published_wish(wisher, center, desk)

    response = act(desk_client, WISHES, "publish", [wish], next=f"{WISHES}{wish.pk}/change/")

    assert response.status_code == 302 and response.url == f"{WISHES}{wish.pk}/change/"
    assert any(str(wish) in m for m in shown(response))
    assert WishEvent.objects.filter(wish=wish, action="publish").count() == 1


def test_buttons_on_the_wish_page_fit_its_state(center, wisher, desk, volunteer, desk_client):
    submitted = post_wish(wisher, center)
    fulfilled = wish_fulfil(
        wish=claimed_wish(wisher_factory(), center, desk, volunteer),
        member=volunteer,
        note="换好了",
    )

    def buttons(wish):
        page = desk_client.get(f"{WISHES}{wish.pk}/change/")
        return [name for name, _label in page.context["object_actions"]]

    assert buttons(submitted) == ["publish", "decline"]
    assert buttons(fulfilled) == ["confirm"]
    page = desk_client.get(f"{WISHES}{submitted.pk}/change/").content.decode()
    assert "凉城路100弄5号302室" in page  # staff see the private details


# --- Wishes: confirm for the wisher --------------------------------------------------------------


def test_staff_confirm_for_the_wisher_and_points_go_once(center, wisher, desk, volunteer):
    wish = wish_fulfil(
        wish=claimed_wish(wisher, center, desk, volunteer), member=volunteer, note="灯泡换好了"
    )
    client = web_client(desk)

    act(client, WISHES, "confirm", [wish])
    act(client, WISHES, "confirm", [wish])  # a second click

    wish.refresh_from_db()
    assert wish.status == Status.CLOSED
    assert WishEvent.objects.get(wish=wish, action="confirm_by_staff").actor == desk
    earned = PointsEntry.objects.filter(member=volunteer, kind=PointsEntry.Kind.VOLUNTEER)
    assert earned.count() == 1
    assert "wish_thanks" in kinds(volunteer)
    assert "wish_closed_by_staff" in kinds(wisher)


# --- Wishes: posting for a resident -------------------------------------------------------------


def on_behalf(client, center: Center, who: str, **extra):
    data = {"center": center.pk, "who": who, "category": "company", "text": "想找人陪我聊聊天"}
    return client.post(f"{WISHES}add/", data | extra)


def test_staff_post_for_a_resident_found_by_phone(center, desk_client, desk):
    resident = wisher_factory(phone="+8613912345678", display_name="王永年", first_name="永年")

    response = on_behalf(desk_client, center, "139 1234 5678", details="独居，上午在家")

    assert response.status_code == 302, response.content.decode()[:3000]
    wish = Wish.objects.get()
    assert (wish.wisher, wish.created_by, wish.status) == (resident, desk, Status.SUBMITTED)
    assert (wish.center, wish.details) == (center, "独居，上午在家")
    assert WishEvent.objects.get(wish=wish).action == "create_by_staff"
    assert response.url == f"{WISHES}{wish.pk}/change/"


def test_staff_choose_among_residents_of_one_name(center, desk_client):
    first = wisher_factory(display_name="王秀英")
    wisher_factory(display_name="王秀英")

    asked = on_behalf(desk_client, center, "王秀英")
    assert asked.status_code == 200 and not Wish.objects.exists()
    field = asked.context["adminform"].form.fields["resident"]
    assert len(field.queryset) == 2
    labels = [label for value, label in field.choices if value]
    assert len(set(labels)) == 2  # told apart by the end of their numbers
    assert all(label.startswith("王秀英 (139****") for label in labels)
    assert all(label.endswith(" · 凉二居民区") for label in labels)

    on_behalf(desk_client, center, "王秀英", resident=first.pk)
    assert Wish.objects.get().wisher == first


def test_nobody_found_and_never_by_id_number(center, desk_client):
    number = make_id_number(date(1940, 1, 1), region="310101", serial=7)
    VerifiedMemberFactory(display_name="张秀英", verified=number)

    response = on_behalf(desk_client, center, number)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["who"]
    assert not Wish.objects.exists()


def test_posting_for_another_centers_wall_is_refused(center, other_center, desk_client):
    resident = wisher_factory(phone="+8613912345678")

    response = on_behalf(desk_client, other_center, "13912345678")

    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors
    assert not Wish.objects.filter(wisher=resident).exists()


def test_the_service_errors_come_back_on_the_form(center, desk_client):
    resident = wisher_factory(phone="+8613912345678")
    for text in ("一", "二", "三"):
        post_wish(resident, center, text)

    response = on_behalf(desk_client, center, "13912345678")

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Wish.objects.filter(wisher=resident).count() == 3


# --- Wishes: history -----------------------------------------------------------------------------


def test_the_history_is_the_trail(center, wisher, desk, volunteer, desk_client):
    wish = wish_fulfil(
        wish=claimed_wish(wisher, center, desk, volunteer), member=volunteer, note="灯泡换好了"
    )

    page = desk_client.get(f"{WISHES}{wish.pk}/history/")

    rows = page.context["audit_rows"]
    actions = ["create", "publish", "claim", "fulfil"]
    assert [r["what"] for r in rows] == [EVENT_LABELS[action] for action in actions]
    assert rows[-1]["status_change"].endswith(str(Status.FULFILLED.label))
    assert rows[-1]["reason"] == "灯泡换好了"
    assert [r["by"] for r in rows] == [wisher, desk, volunteer, volunteer]


# --- Wishes: who may do what ---------------------------------------------------------------------


def test_crafted_posts_for_another_centers_wish_change_nothing(center, other_center, wisher):
    theirs = post_wish(wisher, other_center)
    client = web_client(staff_at(center, StaffAssignment.Role.FRONT_DESK))

    act(client, WISHES, "publish", [theirs])
    act(client, WISHES, "decline", [theirs], confirm="yes", reason="不行")

    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED
    assert client.get(f"{WISHES}{theirs.pk}/history/").status_code == 302
    assert not Message.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "district"])
def test_viewers_and_district_oversight_only_look(center, wisher, role):
    wish = post_wish(wisher, center)
    if role == "viewer":
        user = staff_at(center, StaffAssignment.Role.VIEWER)
    else:
        user = UserFactory(is_staff=True)
        DistrictAssignment.objects.create(user=user, district=center.district)
    client = web_client(user)

    assert [w.pk for w in client.get(WISHES).context["cl"].result_list] == [wish.pk]
    assert client.get(f"{WISHES}{wish.pk}/change/").context["object_actions"] == []
    assert client.get(f"{WISHES}add/").status_code == 403
    act(client, WISHES, "publish", [wish])
    on_behalf(client, center, wisher.phone)

    wish.refresh_from_db()
    assert wish.status == Status.SUBMITTED
    assert Wish.objects.count() == 1


def test_a_manager_elsewhere_does_not_manage_a_center_they_only_oversee(center, wisher):
    """A district role over this center, and a manager role at another: the action shows (they
    manage somewhere), yet refuses this center's wish by name."""
    wish = post_wish(wisher, center)
    user = staff_at(CenterFactory(district="宝山区"))
    DistrictAssignment.objects.create(user=user, district=center.district)
    client = web_client(user)

    response = act(client, WISHES, "publish", [wish])

    wish.refresh_from_db()
    assert wish.status == Status.SUBMITTED
    assert [m.split("：")[0] for m in shown(response)] == [str(wish)]


# --- Proposals ----------------------------------------------------------------------------------


@pytest.fixture
def wall(center, other_center):
    """Three proposals on the center's wall (the second most supported), a draft, and one at
    another center."""
    authors = [wisher_factory() for _ in range(3)]
    first = post_proposal(authors[0], center, "在小区门口加装休息长椅")
    second = post_proposal(authors[1], center, "楼道里装感应灯")
    third = post_proposal(authors[2], center, "增设电动车充电桩")
    for _ in range(3):
        proposal_support(proposal=second, member=wisher_factory())
    proposal_support(proposal=first, member=wisher_factory())
    draft = post_proposal(authors[0], center, "还没想好", draft=True)
    theirs = post_proposal(wisher_factory(), other_center, "别处的提案")
    return {"first": first, "second": second, "third": third, "draft": draft, "theirs": theirs}


def test_proposals_newest_or_most_supported_first_without_drafts(wall, desk_client):
    newest = [p.pk for p in desk_client.get(PROPOSALS).context["cl"].result_list]
    assert newest == [wall["third"].pk, wall["second"].pk, wall["first"].pk]

    supports_column = 4  # title, center, status, supports (after the checkbox column)
    by_support = desk_client.get(PROPOSALS, {"o": f"-{supports_column}"}).context["cl"]
    assert [p.pk for p in by_support.result_list][:2] == [wall["second"].pk, wall["first"].pk]
    assert desk_client.get(f"{PROPOSALS}{wall['draft'].pk}/change/").status_code == 302
    (status_filter,) = [
        f for f in desk_client.get(PROPOSALS).context["cl"].filter_specs if f.title == "状态"
    ]
    assert "draft" not in [value for value, _label in status_filter.lookup_choices]
    assert desk_client.get(f"{PROPOSALS}{wall['theirs'].pk}/change/").status_code == 302


def test_answer_with_a_status_and_reply_tells_author_and_supporters(wall, desk_client):
    proposal = wall["second"]
    supporters = [s.member for s in proposal.support_rows.select_related("member")]

    page = act(desk_client, PROPOSALS, "respond", [proposal])
    assert page.status_code == 200 and set(page.context["form"].fields) == {"status", "reply"}

    answer(desk_client, proposal, Proposal.Status.DISCUSSING, "已提交居委会讨论")
    answer(desk_client, proposal, Proposal.Status.ADOPTED, "下月安装")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.reply) == (Proposal.Status.ADOPTED, "下月安装")
    for member in [proposal.author, *supporters]:
        assert kinds(member) == ["proposal_discussing", "proposal_adopted"]
    history = desk_client.get(f"{PROPOSALS}{proposal.pk}/history/").context["audit_rows"]
    assert [r["reason"] for r in history] == ["", "已提交居委会讨论", "下月安装"]


def test_an_answer_that_the_status_does_not_allow_changes_nothing(wall, desk, desk_client):
    proposal = proposal_respond(
        proposal=wall["first"], by=desk, status=Proposal.Status.NOT_ADOPTED, reply="经费不足"
    )

    answer(desk_client, proposal, Proposal.Status.ADOPTED, "改主意了")
    bogus = answer(desk_client, wall["third"], "hidden", "x")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.reply) == (Proposal.Status.NOT_ADOPTED, "经费不足")
    assert bogus.status_code == 200  # the form asks again: hidden is not an answer
    assert Proposal.objects.get(pk=wall["third"].pk).status == Proposal.Status.RECEIVED


def test_hide_with_a_reason_only_the_author_reads(wall, desk_client):
    """The supporters hear that it left the wall, never why (tests/community/
    test_services_proposals.py reads their message)."""
    proposal = wall["second"]
    supporters = [s.member for s in proposal.support_rows.select_related("member")]

    act(desk_client, PROPOSALS, "hide", [proposal], confirm="yes", reason="含有个人电话号码")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.hidden_reason) == (Proposal.Status.HIDDEN, "含有个人电话号码")
    assert kinds(proposal.author) == ["proposal_hidden"]
    assert supporters
    assert all(kinds(member) == ["proposal_hidden_supported"] for member in supporters)
    page = desk_client.get(f"{PROPOSALS}{proposal.pk}/change/")
    assert page.context["object_actions"] == []


def test_another_centers_proposals_are_out_of_reach(wall, desk_client):
    theirs = wall["theirs"]

    assert theirs.pk not in [p.pk for p in desk_client.get(PROPOSALS).context["cl"].result_list]
    act(desk_client, PROPOSALS, "hide", [theirs], confirm="yes", reason="不行")
    answer(desk_client, theirs, Proposal.Status.ADOPTED, "好")

    theirs.refresh_from_db()
    assert theirs.status == Proposal.Status.RECEIVED and theirs.reply == ""


def test_viewers_see_the_wall_and_change_nothing(wall, center):
    client = web_client(staff_at(center, StaffAssignment.Role.VIEWER))

    assert len(client.get(PROPOSALS).context["cl"].result_list) == 3
    act(client, PROPOSALS, "hide", [wall["first"]], confirm="yes", reason="不行")

    assert Proposal.objects.get(pk=wall["first"].pk).status == Proposal.Status.RECEIVED


def test_nobody_edits_or_deletes_rows_the_services_own(wall, center, wisher, desk_client):
    wish = post_wish(wisher, center)
    desk_client.post(f"{WISHES}{wish.pk}/change/", {"text": "改了", "status": "closed"})
    desk_client.post(f"{PROPOSALS}{wall['first'].pk}/change/", {"status": "adopted"})
    assert desk_client.get(f"{WISHES}{wish.pk}/delete/").status_code == 403

    wish.refresh_from_db()
    assert (wish.text, wish.status) == ("想请人帮忙换个灯泡", Status.SUBMITTED)
    assert Proposal.objects.get(pk=wall["first"].pk).status == Proposal.Status.RECEIVED


def test_the_lists_take_as_many_queries_for_one_row_as_for_twenty(center, desk, desk_client):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert desk_client.get(url).status_code == 200
        return len(captured.captured_queries)

    def add_rows(count: int) -> None:
        for _ in range(count):
            wisher = wisher_factory(neighbourhood="凉二居民区")
            claimed_wish(wisher, center, desk, volunteer_factory())  # the claimant column too
            proposal_support(proposal=post_proposal(wisher, center), member=wisher_factory())

    add_rows(1)
    one = queries(WISHES), queries(PROPOSALS)
    add_rows(19)
    assert (queries(WISHES), queries(PROPOSALS)) == one
