"""The proposal wall (提案墙): members post proposals and support them, once each; staff
answer with a status and a public reply, and every supporter hears of it; staff hide what
does not belong on the wall.

The support count is kept on the proposal by the same transaction that writes or deletes the
member's support row. The row is unique per (proposal, member), so of two supports by one
member at once the second fails on the constraint and counts nothing; each count change is
an UPDATE ``supports = supports ± 1`` that also checks the proposal is still open, so two
hundred members at once give exactly two hundred.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Center
from centers.permissions import Action, staff_can
from community import errors
from community.messages import ANSWERED, ProposalMessage
from community.models import Proposal, ProposalEvent, ProposalSupport
from core.errors import Invalid, NotFound
from core.locks import lock
from core.reasons import require_reason
from members.models import User
from members.selectors import may_act_for
from notifications.notify import notify

logger = logging.getLogger(__name__)
Status = Proposal.Status

TITLE_MAX = Proposal._meta.get_field("title").max_length
TEXT_MAX = Proposal._meta.get_field("text").max_length
MAX_PER_DAY = 3


def _record(
    proposal: Proposal, action: str, before: str, actor: User | None, reply: str = ""
) -> ProposalEvent:
    return ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=before,
        to_status=proposal.status,
        actor=actor,
        reply=reply,
    )


def _clean(title: str, text: str) -> tuple[str, str]:
    title, text = " ".join(title.split()), text.strip()
    fields = {}
    if not title:
        fields["title"] = [_("Give the proposal a title.")]
    elif len(title) > TITLE_MAX:
        fields["title"] = [_("At most %(n)d characters.") % {"n": TITLE_MAX}]
    if not text:
        fields["text"] = [_("Say what you propose.")]
    elif len(text) > TEXT_MAX:
        fields["text"] = [_("At most %(n)d characters.") % {"n": TEXT_MAX}]
    if fields:
        raise Invalid(next(iter(fields.values()))[0], fields=fields)
    return title, text


def proposal_create(
    *,
    member: User,
    center: Center,
    title: str,
    text: str,
    draft: bool = False,
    by: User | None = None,
    now: datetime | None = None,
) -> Proposal:
    """A proposal on the center's wall at once (``received``), or a draft only its author
    sees until they submit it."""
    by = by or member
    now = now or timezone.now()
    if not may_act_for(by, member):
        raise NotFound()
    if not center.is_active:
        raise Invalid(_("This center is closed."), fields={"center": [_("Closed.")]})
    title, text = _clean(title, text)
    with transaction.atomic():
        lock(member)
        posted_today = Proposal.objects.filter(
            author=member, created__gte=now - timedelta(days=1)
        ).count()
        if posted_today >= MAX_PER_DAY:
            raise errors.TooManyProposals()
        proposal = Proposal.objects.create(
            center=center,
            author=member,
            title=title,
            text=text,
            status=Status.DRAFT if draft else Status.RECEIVED,
            created_by=by,
        )
        _record(proposal, "draft" if draft else "create", "", by)
    logger.info("proposal %s posted at center %s", proposal.pk, center.pk)
    return proposal


def proposal_edit(
    *, proposal: Proposal, member: User, title: str, text: str, by: User | None = None
) -> Proposal:
    """The author changes a draft (what others may have supported stays as they saw it)."""
    by = by or member
    if proposal.author_id != member.pk or not may_act_for(by, member):
        raise NotFound()
    title, text = _clean(title, text)
    updated = Proposal.objects.filter(pk=proposal.pk, status=Status.DRAFT).update(
        title=title, text=text, updated=timezone.now()
    )
    if not updated:
        raise errors.ProposalInvalidTransition()
    proposal.refresh_from_db()
    return proposal


def proposal_submit(*, proposal: Proposal, member: User, by: User | None = None) -> Proposal:
    """A draft goes on the wall."""
    by = by or member
    if proposal.author_id != member.pk or not may_act_for(by, member):
        raise NotFound()
    with transaction.atomic():
        updated = Proposal.objects.filter(pk=proposal.pk, status=Status.DRAFT).update(
            status=Status.RECEIVED, created=timezone.now(), updated=timezone.now()
        )
        if not updated:
            raise errors.ProposalInvalidTransition()
        proposal.refresh_from_db()
        _record(proposal, "submit", Status.DRAFT, by)
    return proposal


def proposal_support(*, proposal: Proposal, member: User, by: User | None = None) -> Proposal:
    """Support an open proposal; supporting again changes nothing."""
    by = by or member
    if not may_act_for(by, member):
        raise NotFound()
    try:
        with transaction.atomic():
            ProposalSupport.objects.create(proposal=proposal, member=member, created_by=by)
            counted = Proposal.objects.filter(pk=proposal.pk, status__in=Proposal.OPEN).update(
                supports=F("supports") + 1
            )
            if not counted:
                raise errors.ProposalClosed()  # and the support row goes with the rollback
    except IntegrityError:
        pass  # this member's support is already counted
    proposal.refresh_from_db()
    return proposal


def proposal_unsupport(*, proposal: Proposal, member: User, by: User | None = None) -> Proposal:
    """Withdraw a support while the proposal is open; without one, nothing changes."""
    by = by or member
    if not may_act_for(by, member):
        raise NotFound()
    with transaction.atomic():
        deleted, _rows = ProposalSupport.objects.filter(proposal=proposal, member=member).delete()
        if deleted:
            counted = Proposal.objects.filter(pk=proposal.pk, status__in=Proposal.OPEN).update(
                supports=F("supports") - 1
            )
            if not counted:
                raise errors.ProposalClosed()
    proposal.refresh_from_db()
    return proposal


def _require_staff(by: User, proposal: Proposal) -> None:
    if not staff_can(by, Action.MANAGE_COMMUNITY, proposal.center_id):
        raise NotFound()


def proposal_respond(*, proposal: Proposal, by: User, status: str, reply: str) -> Proposal:
    """Staff answer: under discussion, adopted or not adopted, each with a reply the wall
    shows. The author and every supporter are told."""
    _require_staff(by, proposal)
    reply = reply.strip()
    if not reply:
        raise Invalid(_("Write the reply the wall will show."), fields={"reply": [_("Required.")]})
    allowed_from = [before for before, answers in Proposal.ANSWERS.items() if status in answers]
    if not allowed_from:
        raise Invalid(fields={"status": [_("Choose under discussion, adopted or not adopted.")]})
    with transaction.atomic():
        before = Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk)
        now = timezone.now()
        updated = Proposal.objects.filter(pk=proposal.pk, status__in=allowed_from).update(
            status=status, reply=reply, replied_at=now, updated=now
        )
        if not updated:
            raise errors.ProposalInvalidTransition()
        proposal.refresh_from_db()
        event = _record(proposal, "respond", before, by, reply)
        _tell(proposal, f"{ANSWERED[proposal.status]}@{event.pk}", author_too=True)
    logger.info("proposal %s: %s", proposal.pk, status)
    return proposal


def _tell(proposal: Proposal, kind: str, *, author_too: bool) -> None:
    """Tell the proposal's supporters (and its author, when ``author_too``), each once, what
    ``kind`` (one per event: each reads in the member's own language) says of it."""
    context = {
        "title": proposal.title[:40],
        "center": proposal.center.name,
        "reply": proposal.reply[:200],
    }
    supporters = ProposalSupport.objects.filter(proposal=proposal).select_related("member")
    told = set() if author_too else {proposal.author_id}
    for member in [proposal.author, *(s.member for s in supporters.order_by("id"))]:
        if member.pk in told or not member.is_active:
            continue
        told.add(member.pk)
        notify(kind, recipient=member, obj=proposal, context=context)


def proposal_hide(*, proposal: Proposal, by: User, reason: str) -> Proposal:
    """Take a proposal off the wall; its author reads why, its supporters only that it left
    the wall (the reason may be about the author: a phone number, a name)."""
    _require_staff(by, proposal)
    reason = require_reason(reason)
    with transaction.atomic():
        before = Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk)
        updated = Proposal.objects.filter(pk=proposal.pk, status__in=Proposal.PUBLIC).update(
            status=Status.HIDDEN, hidden_reason=reason[:200], updated=timezone.now()
        )
        if not updated:
            raise errors.ProposalInvalidTransition()
        proposal.refresh_from_db()
        event = _record(proposal, "hide", before, by)
        context = {"title": proposal.title[:40], "reason": reason[:200]}
        notify(
            f"{ProposalMessage.HIDDEN}@{event.pk}",
            recipient=proposal.author,
            obj=proposal,
            context=context,
        )
        _tell(proposal, f"{ProposalMessage.HIDDEN_SUPPORTED}@{event.pk}", author_too=False)
    return proposal
