"""The proposal wall through its services: posting and drafts, supports counted once each,
staff answers that every supporter hears of, hiding, and each refusal."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import errors
from community.models import Proposal, ProposalEvent, ProposalSupport
from community.selectors import proposal_history, public_proposals, visible_proposals
from community.services.proposals import (
    MAX_PER_DAY,
    proposal_create,
    proposal_edit,
    proposal_hide,
    proposal_respond,
    proposal_submit,
    proposal_support,
    proposal_unsupport,
)
from core.errors import Invalid, NotFound
from notifications.models import Message
from notifications.texts import render
from tests.community.conftest import post_proposal, wisher_factory
from tests.factories import CenterFactory, StaffAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Proposal.Status


def told(proposal: Proposal) -> dict[int, list[str]]:
    """Who was sent which messages about the proposal."""
    out: dict[int, list[str]] = {}
    messages = Message.objects.filter(object_id=proposal.pk, kind__startswith="proposal_")
    for recipient, kind in messages.order_by("id").values_list("recipient", "kind"):
        out.setdefault(recipient, []).append(kind.split("@")[0])
    return out


def test_a_proposal_goes_on_the_wall_at_once(center):
    author = UserFactory()
    proposal = post_proposal(author, center, title="  加装  长椅 ")

    assert (proposal.status, proposal.title, proposal.supports) == (Status.RECEIVED, "加装 长椅", 0)
    assert list(public_proposals()) == [proposal]
    assert [e.to_status for e in proposal_history(proposal)] == [Status.RECEIVED]


def test_a_draft_is_the_authors_own_until_submitted(center):
    author = UserFactory()
    draft = post_proposal(author, center, draft=True)
    assert draft.status == Status.DRAFT
    assert not public_proposals().exists()
    assert not visible_proposals(UserFactory()).exists()
    assert list(visible_proposals(author)) == [draft]

    draft = proposal_edit(proposal=draft, member=author, title="长椅和扶手", text="再加扶手。")
    with pytest.raises(NotFound):
        proposal_edit(proposal=draft, member=UserFactory(), title="改", text="改")
    with pytest.raises(NotFound):
        proposal_submit(proposal=draft, member=UserFactory())
    submitted = proposal_submit(proposal=draft, member=author)

    assert (submitted.status, submitted.title) == (Status.RECEIVED, "长椅和扶手")
    assert [e.to_status for e in proposal_history(submitted)] == [Status.RECEIVED]
    with pytest.raises(errors.ProposalInvalidTransition):
        proposal_edit(proposal=submitted, member=author, title="再改", text="再改")
    with pytest.raises(errors.ProposalInvalidTransition):
        proposal_submit(proposal=submitted, member=author)


@pytest.mark.parametrize(
    ("title", "text", "field"),
    [(" ", "有内容", "title"), ("标题", "  ", "text"), ("长" * 101, "x", "title")],
)
def test_a_proposal_needs_a_title_and_a_text(center, title, text, field):
    with pytest.raises(Invalid) as raised:
        proposal_create(member=UserFactory(), center=center, title=title, text=text)
    assert field in raised.value.fields
    assert not Proposal.objects.exists()


def test_three_proposals_a_day(center):
    author = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(MAX_PER_DAY):
            post_proposal(author, center, title=f"提案{n}")
        with pytest.raises(errors.TooManyProposals):
            post_proposal(author, center)
        clock.shift(timedelta(days=1, seconds=1))
        assert post_proposal(author, center).status == Status.RECEIVED


def test_support_counts_once_per_member(center):
    proposal = post_proposal(UserFactory(), center)
    neighbour, other = UserFactory(), UserFactory()

    proposal = proposal_support(proposal=proposal, member=neighbour)
    proposal = proposal_support(proposal=proposal, member=neighbour)
    proposal = proposal_support(proposal=proposal, member=other)

    assert proposal.supports == 2
    assert ProposalSupport.objects.filter(proposal=proposal).count() == 2
    assert visible_proposals(neighbour).get().supported_by_me is True
    assert visible_proposals(UserFactory()).get().supported_by_me is False

    proposal = proposal_unsupport(proposal=proposal, member=neighbour)
    proposal = proposal_unsupport(proposal=proposal, member=neighbour)  # nothing left to withdraw
    assert proposal.supports == 1
    assert list(ProposalSupport.objects.values_list("member", flat=True)) == [other.pk]


def test_the_database_keeps_one_support_per_member_and_counts_above_zero(center):
    proposal = post_proposal(UserFactory(), center)
    member = UserFactory()
    proposal_support(proposal=proposal, member=member)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalSupport.objects.create(proposal=proposal, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(supports=-1)


def test_staff_answer_and_every_supporter_is_told(center):
    author = wisher_factory()
    supporters = [wisher_factory() for _ in range(3)]
    desk = StaffAssignmentFactory(center=center).user
    proposal = post_proposal(author, center)
    for member in [*supporters, author]:
        proposal_support(proposal=proposal, member=member)

    proposal = proposal_respond(
        proposal=proposal, by=desk, status=Status.DISCUSSING, reply="已提交居委会讨论"
    )
    proposal = proposal_respond(
        proposal=proposal, by=desk, status=Status.ADOPTED, reply="下月安装四张长椅"
    )

    assert (proposal.status, proposal.reply) == (Status.ADOPTED, "下月安装四张长椅")
    history = [(e.to_status, e.reply) for e in proposal_history(proposal)]
    assert history == [
        (Status.RECEIVED, ""),
        (Status.DISCUSSING, "已提交居委会讨论"),
        (Status.ADOPTED, "下月安装四张长椅"),
    ]
    expected = ["proposal_discussing", "proposal_adopted"]
    assert told(proposal) == {m.pk: expected for m in [author, *supporters]}
    message = Message.objects.filter(kind__startswith="proposal_adopted").first()
    assert message.context["reply"] == "下月安装四张长椅"
    with pytest.raises(errors.ProposalClosed):
        proposal_support(proposal=proposal, member=UserFactory())
    with pytest.raises(errors.ProposalClosed):
        proposal_unsupport(proposal=proposal, member=supporters[0])
    assert Proposal.objects.get().supports == 4


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([Status.ADOPTED], Status.DISCUSSING),
        ([Status.NOT_ADOPTED], Status.ADOPTED),
        ([Status.DISCUSSING], Status.DISCUSSING),
    ],
)
def test_answers_only_move_forward(center, path, refused):
    desk = StaffAssignmentFactory(center=center).user
    proposal = post_proposal(UserFactory(), center)
    for status in path:
        proposal = proposal_respond(proposal=proposal, by=desk, status=status, reply="答复")

    with pytest.raises(errors.ProposalInvalidTransition):
        proposal_respond(proposal=proposal, by=desk, status=refused, reply="答复")
    assert Proposal.objects.get().status == path[-1]


def test_answer_refusals(center):
    desk = StaffAssignmentFactory(center=center).user
    proposal = post_proposal(UserFactory(), center)

    with pytest.raises(Invalid):
        proposal_respond(proposal=proposal, by=desk, status=Status.ADOPTED, reply=" ")
    with pytest.raises(Invalid):
        proposal_respond(proposal=proposal, by=desk, status=Status.HIDDEN, reply="藏起来")
    for stranger in (UserFactory(), StaffAssignmentFactory(center=CenterFactory()).user):
        with pytest.raises(NotFound):
            proposal_respond(proposal=proposal, by=stranger, status=Status.ADOPTED, reply="好")
    assert ProposalEvent.objects.filter(proposal=proposal).count() == 1


def test_hiding_tells_the_author_why_and_supporters_only_that_it_left(center):
    author = wisher_factory()
    supporter = wisher_factory()
    desk = StaffAssignmentFactory(center=center).user
    proposal = post_proposal(author, center)
    proposal_support(proposal=proposal, member=supporter)

    with pytest.raises(Invalid):
        proposal_hide(proposal=proposal, by=desk, reason="")
    proposal = proposal_hide(proposal=proposal, by=desk, reason="含有他人电话号码")

    assert (proposal.status, proposal.hidden_reason) == (Status.HIDDEN, "含有他人电话号码")
    assert not public_proposals().exists()
    assert told(proposal) == {
        author.pk: ["proposal_hidden"],
        supporter.pk: ["proposal_hidden_supported"],
    }
    # The reason is the author's alone: it may be about them.
    to_supporter = Message.objects.get(recipient=supporter, kind__startswith="proposal_hidden")
    text = render(to_supporter.kind, proposal, to_supporter.context, "zh-hans")
    assert proposal.title in text.body
    assert "含有他人电话号码" not in f"{text.subject} {text.body} {to_supporter.context}"
    with pytest.raises(errors.ProposalInvalidTransition):
        proposal_hide(proposal=proposal, by=desk, reason="再藏")
    draft = post_proposal(author, center, draft=True)
    with pytest.raises(errors.ProposalInvalidTransition):
        proposal_hide(proposal=draft, by=desk, reason="草稿")
