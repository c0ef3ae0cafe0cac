"""Lotteries for oversubscribed programs: entries collected during the window, then drawn
with a recorded seed. Anyone can replay the draw from the seed and the entrant list and get
the same order, so staff can show it was fair."""

import random
import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.permissions import Action, staff_can
from core.audit import transition
from core.errors import Conflict, NotFound
from members.errors import InsufficientPoints
from members.models import User
from notifications.notify import notify
from services import errors
from services.messages import DRAWN
from services.models import LotteryDraw, Program, Registration, Session
from services.services.common import lock_session
from services.services.registration import _next_position, _spend

Status = Registration.Status


def draw_order(entrant_ids: list[int], seed: str) -> list[int]:
    """The drawn order: a shuffle by Python's Mersenne Twister seeded with ``seed``."""
    order = sorted(entrant_ids)
    random.Random(seed).shuffle(order)
    return order


def session_draw_lottery(
    *, session: Session, by: User | None, seed: str | None = None, now: datetime | None = None
) -> LotteryDraw:
    """Draw once registration has closed: winners get seats (and pay their points) while
    seats last; everyone else joins the waitlist in drawn order. ``by`` is the manager who
    draws, or None for the clock."""
    now = now or timezone.now()
    if by is not None and not staff_can(by, Action.MANAGE_SESSIONS, session.program.center_id):
        raise NotFound()
    seed = seed or secrets.token_hex(16)
    with transaction.atomic():
        session = lock_session(session)
        if session.program.mode != Program.Mode.LOTTERY:
            raise Conflict(_("This session is first come, first served."))
        if session.lottery_drawn_at is not None:
            raise Conflict(_("The lottery for this session has already been drawn."))
        if now < session.registration_closes:
            raise errors.RegistrationClosed(_("Draw after registration closes."))
        entries = {
            r.pk: r
            for r in Registration.objects.filter(
                session=session, status=Status.ENTERED
            ).select_related("member")
        }
        order = draw_order(list(entries), seed)
        for registration_id in order:
            registration = entries[registration_id]
            session.refresh_from_db(fields=["seats_taken", "capacity"])
            seated = False
            if registration.party_size <= session.seats_left:
                try:
                    with transaction.atomic():
                        _spend(registration, session)
                        Session.objects.filter(pk=session.pk).update(
                            seats_taken=F("seats_taken") + registration.party_size
                        )
                        transition(
                            registration,
                            to=Status.CONFIRMED,
                            allowed_from=[Status.ENTERED],
                            action="lottery_win",
                            actor=by,
                            error=errors.InvalidTransition,
                        )
                        seated = True
                except InsufficientPoints:
                    seated = False
            if not seated:
                transition(
                    registration,
                    to=Status.WAITLISTED,
                    allowed_from=[Status.ENTERED],
                    action="lottery_waitlist",
                    actor=by,
                    error=errors.InvalidTransition,
                    fields={"position": _next_position(session)},
                )
            notify(DRAWN[registration.status], recipient=registration.member, obj=registration)
        draw = LotteryDraw.objects.create(
            session=session,
            seed=seed,
            entrant_ids=sorted(entries),
            drawn_ids=order,
            drawn_by=by,
        )
        Session.objects.filter(pk=session.pk).update(lottery_seed=seed, lottery_drawn_at=now)
    return draw
