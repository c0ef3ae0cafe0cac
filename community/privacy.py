"""The member's wishes (and claims) in their data export, and what deleting the account does
to them: open wishes are withdrawn and claims given back, and the words and pictures that may
name or locate the person (the wish, its private details, its photo, a volunteer's note) are
cleared; a photo's file is deleted once the deletion commits. The rows stay, so the center's
counts stay right."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from community.models import Proposal, ProposalSupport, Wish, WishEvent
from community.services.photos import photo_discard
from members.models import User
from members.services.privacy import anonymizer, export_section

Status = Wish.Status


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


@export_section("wishes")
def wishes_export(member: User) -> list[dict[str, Any]]:
    wishes = Wish.objects.filter(wisher=member).select_related("center").order_by("created")
    return [
        {
            "id": w.pk,
            "center": w.center.name,
            "category": w.category,
            "text": w.text,
            "details": w.details,
            "status": w.status,
            "decline_reason": w.decline_reason,
            "fulfil_note": w.fulfil_note,
            # The file itself is the member's to download while logged in (it is not copied
            # into the export, which would carry a picture of their home wherever it goes).
            "photo": reverse("wish-photo", args=[w.pk]) if w.photo else None,
            "created": _when(w.created),
            "closed_at": _when(w.closed_at),
        }
        for w in wishes
    ]


@export_section("wish_claims")
def claims_export(member: User) -> list[dict[str, Any]]:
    claims = Wish.objects.filter(claimed_by=member).select_related("center").order_by("claimed_at")
    return [
        {
            "id": w.pk,
            "center": w.center.name,
            "text": w.text,
            "status": w.status,
            "claimed_at": _when(w.claimed_at),
            "fulfil_note": w.fulfil_note,
        }
        for w in claims
    ]


@anonymizer
def wishes_anonymize(member: User) -> None:
    """Runs inside member_delete's transaction."""
    now = timezone.now()
    for wish in Wish.objects.filter(wisher=member, status__in=Wish.OPEN):
        before = wish.status
        Wish.objects.filter(pk=wish.pk).update(status=Status.CLOSED, closed_at=now)
        WishEvent.objects.create(
            wish=wish, action="account_deleted", from_status=before, to_status=Status.CLOSED
        )
    photos = list(
        Wish.objects.filter(wisher=member).exclude(photo="").values_list("photo", flat=True)
    )
    Wish.objects.filter(wisher=member).update(text="", details="", decline_reason="", photo="")
    for name in photos:
        photo_discard(name)
    for wish in Wish.objects.filter(claimed_by=member, status=Status.CLAIMED):
        Wish.objects.filter(pk=wish.pk, status=Status.CLAIMED).update(
            status=Status.PUBLISHED,
            claimed_by=None,
            claimed_team=None,
            claimed_at=None,
            claim_expires_at=None,
        )
        WishEvent.objects.create(
            wish=wish,
            action="account_deleted",
            from_status=Status.CLAIMED,
            to_status=Status.PUBLISHED,
        )
    Wish.objects.filter(claimed_by=member).update(fulfil_note="")


@export_section("proposals")
def proposals_export(member: User) -> list[dict[str, Any]]:
    proposals = Proposal.objects.filter(author=member).select_related("center").order_by("created")
    return [
        {
            "id": p.pk,
            "center": p.center.name,
            "title": p.title,
            "text": p.text,
            "status": p.status,
            "supports": p.supports,
            "reply": p.reply,
            "hidden_reason": p.hidden_reason,
            "created": _when(p.created),
        }
        for p in proposals
    ]


@export_section("proposal_supports")
def supports_export(member: User) -> list[dict[str, Any]]:
    supports = ProposalSupport.objects.filter(member=member).select_related("proposal")
    return [
        {"proposal": s.proposal_id, "title": s.proposal.title, "created": _when(s.created)}
        for s in supports.order_by("created")
    ]


@anonymizer
def proposals_anonymize(member: User) -> None:
    """Drafts were never public: they go. Proposals on the wall stay (the wall never named
    their author), and so do supports, which only count."""
    Proposal.objects.filter(author=member, status=Proposal.Status.DRAFT).delete()
