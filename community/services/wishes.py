"""Micro-wishes (微心愿): posted, reviewed by staff, claimed by one volunteer at a time,
fulfilled, confirmed; the volunteer earns points once.

Every move is a conditional UPDATE on the wish's status (the row decides, not what a request
read earlier), with its audit row and its messages in the same transaction. A claim is the
one race that matters: twenty volunteers pressing "claim" at once give one claimant, because
only one UPDATE finds the wish still ``published``.
"""

import logging
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Center
from centers.permissions import Action, staff_can
from community import errors
from community.messages import CommunityMessage
from community.models import Wish, WishEvent
from community.services.photos import photo_attach, photo_discard, photo_forget, photo_prepare
from core.errors import Invalid, NotFound
from core.locks import lock
from core.reasons import require_reason
from members.errors import NotEligible, VerificationRequired
from members.models import PointsEntry, Team, TeamMembership, User
from members.selectors import may_act_for
from members.services.points import points_earn
from notifications.notify import notify
from notifications.registry import clock_job

logger = logging.getLogger(__name__)
Status = Wish.Status

TEXT_MAX = Wish._meta.get_field("text").max_length
MAX_OPEN_WISHES = 3
MAX_ACTIVE_CLAIMS = 5


def _is_staff(by: User, wish: Wish) -> bool:
    return staff_can(by, Action.MANAGE_COMMUNITY, wish.center_id)


def _record(wish: Wish, action: str, before: str, actor: User | None, note: str = "") -> WishEvent:
    return WishEvent.objects.create(
        wish=wish,
        action=action,
        from_status=before,
        to_status=wish.status,
        actor=actor,
        note=note[:500],
    )


def _tell(
    kind: CommunityMessage, recipient: User | None, wish: Wish, event: WishEvent, **context
) -> None:
    """A wish can be claimed, lapse and be claimed again: each step is a message of its own
    (the event's id keeps the outbox from taking the second for the first)."""
    if recipient is None:
        return
    context = {"text": wish.text[:40], "center": wish.center.name, **context}
    notify(f"{kind}@{event.pk}", recipient=recipient, obj=wish, context=context)


def _move(
    wish: Wish,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    actor: User | None,
    note: str = "",
    error: type[Exception] = errors.InvalidTransition,
    **fields,
) -> tuple[Wish, WishEvent]:
    """Move ``wish`` to ``to`` if it is still in ``allowed_from``. Inside a transaction."""
    updated = Wish.objects.filter(pk=wish.pk, status__in=allowed_from).update(
        status=to, updated=timezone.now(), **fields
    )
    if not updated:
        raise error()
    before = wish.status
    wish.refresh_from_db()
    return wish, _record(wish, action, before, actor, note)


def _clean_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise Invalid(_("Say what you wish for."), fields={"text": [_("Required.")]})
    if len(text) > TEXT_MAX:
        message = _("At most %(n)d characters.") % {"n": TEXT_MAX}
        raise Invalid(message, fields={"text": [message]})
    return text


def wish_create(
    *,
    member: User,
    center: Center,
    category: str,
    text: str,
    details: str = "",
    photo: IO[bytes] | None = None,
    by: User | None = None,
) -> Wish:
    """Post a wish for ``member``: by the member, by someone who may act for them, or by staff
    of the center (for a resident living alone, say). Staff review it before anyone sees it.
    ``photo`` (optional) is checked and stored without its metadata (services.photos)."""
    by = by or member
    as_staff = not may_act_for(by, member) and staff_can(by, Action.MANAGE_COMMUNITY, center.pk)
    if not may_act_for(by, member) and not as_staff:
        raise NotEligible()
    if not center.is_active:
        raise Invalid(_("This center is closed."), fields={"center": [_("Closed.")]})
    if category not in Wish.Category.values:
        raise Invalid(fields={"category": [_("Choose one of the categories.")]})
    text = _clean_text(text)
    # Decoding a photo takes a moment: before the transaction, outside the member's lock.
    prepared = photo_prepare(photo) if photo is not None else None
    stored = ""
    try:
        with transaction.atomic():
            # The member's row serializes their posts, so the limit holds for a double click.
            lock(member)
            if Wish.objects.filter(wisher=member, status__in=Wish.OPEN).count() >= MAX_OPEN_WISHES:
                raise errors.TooManyOpenWishes()
            wish = Wish(
                center=center,
                wisher=member,
                category=category,
                text=text,
                details=details.strip(),
                created_by=by,
            )
            if prepared is not None:
                stored = photo_attach(wish, prepared)
            wish.save()
            _record(wish, "create_by_staff" if as_staff else "create", "", by)
    except BaseException:
        photo_forget(stored)
        raise
    logger.info("wish %s posted at center %s", wish.pk, center.pk)
    return wish


def wish_photo_remove(*, wish: Wish, by: User, reason: str) -> Wish:
    """Staff take a wish's photo away (it shows a face, a door number, a document), with a
    reason for the trail that the wisher is told; the file goes once this commits. The wish
    itself stays as it is."""
    if not _is_staff(by, wish):
        raise NotFound()
    reason = require_reason(reason)
    with transaction.atomic():
        name = Wish.objects.filter(pk=wish.pk).values_list("photo", flat=True).first()
        # Conditional, as every move of a wish: of two staff removing it at once, one does.
        if not name or not Wish.objects.filter(pk=wish.pk, photo=name).update(
            photo="", updated=timezone.now()
        ):
            raise errors.NoPhoto()
        wish.refresh_from_db()
        event = _record(wish, "photo_removed", wish.status, by, reason)
        _tell(CommunityMessage.PHOTO_REMOVED, wish.wisher, wish, event, reason=reason[:200])
        photo_discard(name)
    logger.info("photo of wish %s removed by staff", wish.pk)
    return wish


def wish_publish(*, wish: Wish, by: User) -> Wish:
    if not _is_staff(by, wish):
        raise NotFound()
    with transaction.atomic():
        wish, event = _move(
            wish, allowed_from=(Status.SUBMITTED,), to=Status.PUBLISHED, action="publish", actor=by
        )
        _tell(CommunityMessage.PUBLISHED, wish.wisher, wish, event)
    return wish


def wish_decline(*, wish: Wish, by: User, reason: str) -> Wish:
    if not _is_staff(by, wish):
        raise NotFound()
    reason = require_reason(reason)
    with transaction.atomic():
        wish, event = _move(
            wish,
            allowed_from=(Status.SUBMITTED,),
            to=Status.DECLINED,
            action="decline",
            actor=by,
            note=reason,
            decline_reason=reason[:200],
        )
        _tell(CommunityMessage.DECLINED, wish.wisher, wish, event, reason=reason)
    return wish


def wish_claim(
    *,
    wish: Wish,
    member: User,
    team: Team | None = None,
    by: User | None = None,
    now: datetime | None = None,
) -> Wish:
    """``member`` (for ``team``, if given) takes the wish on. One claimant at a time; the claim
    lapses after ``WISH_CLAIM_DAYS`` unless fulfilled."""
    by = by or member
    now = now or timezone.now()
    if not may_act_for(by, member):
        raise NotFound()
    if wish.wisher_id == member.pk:
        raise errors.OwnWish()
    # Volunteers may go to the home of someone living alone: they are known by their real name.
    if not member.is_verified:
        raise VerificationRequired()
    if team is not None and not TeamMembership.objects.filter(team=team, member=member).exists():
        raise NotEligible(_("You are not a member of this team."))
    if Wish.objects.filter(claimed_by=member, status=Status.CLAIMED).count() >= MAX_ACTIVE_CLAIMS:
        raise errors.TooManyClaims()
    with transaction.atomic():
        try:
            wish, event = _move(
                wish,
                allowed_from=(Status.PUBLISHED,),
                to=Status.CLAIMED,
                action="claim",
                actor=by,
                claimed_by=member,
                claimed_team=team,
                claimed_at=now,
                claim_expires_at=now + timedelta(days=settings.WISH_CLAIM_DAYS),
            )
        except errors.InvalidTransition:
            status = Wish.objects.values_list("status", flat=True).get(pk=wish.pk)
            if status in Wish.HELD:
                raise errors.AlreadyClaimed() from None
            raise
        _tell(CommunityMessage.CLAIMED, wish.wisher, wish, event)
    logger.info("wish %s claimed by member %s", wish.pk, member.pk)
    return wish


def wish_fulfil(
    *, wish: Wish, member: User, note: str, by: User | None = None, now: datetime | None = None
) -> Wish:
    """The claimant says it is done, and how; the wisher is asked to confirm."""
    by = by or member
    now = now or timezone.now()
    if wish.claimed_by_id != member.pk or not may_act_for(by, member):
        raise NotFound()
    note = note.strip()
    if not note:
        raise Invalid(_("Say briefly what was done."), fields={"note": [_("Required.")]})
    with transaction.atomic():
        updated = Wish.objects.filter(pk=wish.pk, status=Status.CLAIMED, claimed_by=member).update(
            status=Status.FULFILLED, fulfil_note=note[:500], fulfilled_at=now, updated=now
        )
        if not updated:
            raise errors.InvalidTransition()
        wish.refresh_from_db()
        event = _record(wish, "fulfil", Status.CLAIMED, by, note)
        _tell(CommunityMessage.FULFILLED, wish.wisher, wish, event, note=note[:100])
    return wish


def wish_confirm(*, wish: Wish, by: User, now: datetime | None = None) -> Wish:
    """The wisher (or staff, who heard from them) confirms the wish was fulfilled: it closes,
    and the volunteer earns the wish's points, once."""
    now = now or timezone.now()
    as_wisher = may_act_for(by, wish.wisher)
    if not as_wisher and not _is_staff(by, wish):
        raise NotFound()
    with transaction.atomic():
        wish, event = _move(
            wish,
            allowed_from=(Status.FULFILLED,),
            to=Status.CLOSED,
            action="confirm" if as_wisher else "confirm_by_staff",
            actor=by,
            closed_at=now,
        )
        # The status move above lets one confirmation through; the ledger's unique (cause,
        # kind) would refuse a second grant even so.
        points = settings.WISH_POINTS
        if points:
            points_earn(
                member=wish.claimed_by,
                amount=points,
                kind=PointsEntry.Kind.VOLUNTEER,
                reason=_("Micro-wish fulfilled: %(text)s") % {"text": wish.text[:40]},
                center=wish.center,
                cause=wish,
                by=None if as_wisher else by,
            )
        _tell(CommunityMessage.THANKS, wish.claimed_by, wish, event, points=points)
        if not as_wisher:
            # Someone who could not confirm themselves still hears that their wish is closed.
            _tell(CommunityMessage.CLOSED_BY_STAFF, wish.wisher, wish, event)
    return wish


def wish_withdraw(
    *, wish: Wish, member: User, by: User | None = None, now: datetime | None = None
) -> Wish:
    """The claimant gives the wish back (it is open again), or the wisher takes it off the
    wall (it closes; a claimant is told)."""
    by = by or member
    now = now or timezone.now()
    if not may_act_for(by, member):
        raise NotFound()
    with transaction.atomic():
        if wish.claimed_by_id == member.pk and wish.wisher_id != member.pk:
            return _release(wish, by=by, action="release", allowed_from=(Status.CLAIMED,))
        if wish.wisher_id != member.pk:
            raise NotFound()
        claimant = wish.claimed_by if wish.status in Wish.HELD else None
        wish, event = _move(
            wish,
            allowed_from=(Status.SUBMITTED, Status.PUBLISHED, Status.CLAIMED),
            to=Status.CLOSED,
            action="withdraw",
            actor=by,
            closed_at=now,
        )
        _tell(CommunityMessage.WITHDRAWN, claimant, wish, event)
    return wish


def _release(wish: Wish, *, by: User | None, action: str, allowed_from: tuple) -> Wish:
    claimant = wish.claimed_by
    wish, event = _move(
        wish,
        allowed_from=allowed_from,
        to=Status.PUBLISHED,
        action=action,
        actor=by,
        claimed_by=None,
        claimed_team=None,
        claimed_at=None,
        claim_expires_at=None,
    )
    _tell(CommunityMessage.REOPENED, wish.wisher, wish, event)
    if action == "claim_lapsed":
        _tell(CommunityMessage.CLAIM_LAPSED, claimant, wish, event)
    return wish


@clock_job
def wishes_release_stale(now: datetime | None = None) -> int:
    """Clock job: claims not fulfilled by their deadline lapse, and the wish is open again.
    Safe to run twice at once: rows another run holds are skipped, and the move is
    conditional."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = list(
            Wish.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Status.CLAIMED, claim_expires_at__lte=now)
            .select_related("center", "wisher", "claimed_by")
            .order_by("claim_expires_at")[:200]
        )
        for wish in due:
            _release(wish, by=None, action="claim_lapsed", allowed_from=(Status.CLAIMED,))
            count += 1
    if count:
        logger.info("%d stale wish claims lapsed", count)
    return count
