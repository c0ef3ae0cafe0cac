"""亲友代办: a family member links a relative who agrees (a code texted to the relative's
phone, read out to them; or staff who see the relative at the front desk), then acts for
them. Nobody acts for a member without an active link (``members.selectors.may_act_for``).

The code is kept only as a keyed digest, lives 30 minutes and allows five tries. Confirming
is a conditional UPDATE from ``pending``, so two confirmations at once link once; the
database allows one live link per pair.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from centers.models import Center
from centers.permissions import Action, centers_where, staff_can
from core.codes import short_code
from core.errors import Conflict, Invalid, LinliError, NotFound
from core.locks import lock
from members import errors
from members.messages import ProxyMessage
from members.models import ProxyLink, User
from members.phones import mask_phone, normalize_mainland_mobile
from members.selectors import member_name as _name
from members.sms import send_sms
from notifications.notify import notify

logger = logging.getLogger(__name__)
Status = ProxyLink.Status

CODE_LIFE = timedelta(minutes=30)
MAX_ATTEMPTS = 5
MAX_REQUESTS_PER_DAY = 3


class AlreadyLinked(Conflict):
    code = "already_linked"
    message = _("You can already act for this relative.")


class WrongCode(LinliError):
    code = "wrong_code"
    message = _("This code is not right. Ask your relative to read it out again.")


class CodeExpired(LinliError):
    code = "code_expired"
    message = _("This code has expired. Ask for a new one.")


class TooManyRequests(LinliError):
    code = "quota_exceeded"
    message = _("You have asked for enough codes today. Try again tomorrow, or come to a center.")


def _digest(link_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"proxy:{link_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _require_verified(proxy: User) -> None:
    # Acting for an elderly parent is trusted with their bookings and points: the family
    # member is known by their real name.
    if not proxy.is_verified:
        raise errors.VerificationRequired()


def proxy_request(
    *, proxy: User, phone: str, relative_name: str = "", now: datetime | None = None
) -> ProxyLink:
    """Ask to act for the relative with this mobile number: a code goes to that phone."""
    now = now or timezone.now()
    _require_verified(proxy)
    try:
        phone = normalize_mainland_mobile(phone)
    except ValidationError as error:
        raise Invalid(error.messages[0], fields={"phone": error.messages}) from None
    if phone == proxy.phone:
        message = _("This is your own number.")
        raise Invalid(message, fields={"phone": [message]})
    relative = User.objects.filter(phone=phone, is_active=True).first()
    code = short_code(6)
    with transaction.atomic():
        lock(proxy)  # serializes the proxy's requests: the daily limit holds for a double click
        if (
            relative
            and ProxyLink.objects.filter(
                proxy=proxy, member=relative, status=Status.ACTIVE
            ).exists()
        ):
            raise AlreadyLinked()
        # Each request texts a number the member typed: a few a day, or it is a way to send
        # texts to strangers at our cost.
        if (
            ProxyLink.objects.filter(proxy=proxy, created__gte=now - timedelta(days=1))
            .exclude(via=ProxyLink.Via.DESK)
            .count()
            >= MAX_REQUESTS_PER_DAY
        ):
            raise TooManyRequests()
        # A new code replaces one still waiting for this number.
        ProxyLink.objects.filter(proxy=proxy, phone=phone, status=Status.PENDING).update(
            status=Status.ENDED, ended_at=now, ended_by=proxy
        )
        link = ProxyLink.objects.create(
            proxy=proxy,
            phone=phone,
            relative_name=" ".join(relative_name.split())[:50],
            code_expires_at=now + CODE_LIFE,
        )
        ProxyLink.objects.filter(pk=link.pk).update(code_digest=_digest(link.pk, code))
    language = relative.language if relative else settings.LANGUAGE_CODE
    with translation.override(language):
        text = _(
            "Linli: %(name)s (%(phone)s) asks to book and sign up for you. If you agree, tell "
            "them this code: %(code)s (valid 30 minutes). If not, ignore this message."
        ) % {"name": _name(proxy), "phone": mask_phone(proxy.phone or ""), "code": code}
    transaction.on_commit(lambda: send_sms(phone, text))
    logger.info("member %s asked to act for %s", proxy.pk, mask_phone(phone))
    link.refresh_from_db()
    return link


def relative_for_phone(*, phone: str, name: str, proven: bool) -> User:
    """The member with this number; a new account for a relative who has none (an elderly
    parent without a smartphone), texted by SMS. ``proven``: the number is known to be theirs
    (they read out a code sent to it)."""
    relative = User.objects.filter(phone=phone).first()
    if relative is not None:
        if not relative.is_active:
            raise NotFound()
        return relative
    relative = User.objects.create_user(
        username=f"m{secrets.token_hex(6)}",
        password=None,
        phone=phone,
        phone_verified=proven,
        display_name=name,
        notification_channels=["sms"],
    )
    logger.info("account %s made for a relative (%s)", relative.pk, mask_phone(phone))
    return relative


def proxy_confirm(
    *, link: ProxyLink, by: User, code: str, now: datetime | None = None
) -> ProxyLink:
    """The code the relative read out, typed by the family member (or by the relative, if
    they use the app): the link becomes active."""
    now = now or timezone.now()
    if by.pk not in (link.proxy_id, link.member_id):
        raise NotFound()
    link = ProxyLink.objects.get(pk=link.pk)
    if link.status != Status.PENDING:
        raise errors.InvalidTransition()
    if link.code_expires_at is None or link.code_expires_at <= now:
        raise CodeExpired()
    if not hmac.compare_digest(_digest(link.pk, code.strip()), link.code_digest):
        with transaction.atomic():
            ProxyLink.objects.filter(pk=link.pk, status=Status.PENDING).update(
                attempts=F("attempts") + 1
            )
            ProxyLink.objects.filter(
                pk=link.pk, status=Status.PENDING, attempts__gte=MAX_ATTEMPTS
            ).update(status=Status.ENDED, ended_at=now)
        raise WrongCode()
    try:
        with transaction.atomic():
            relative = relative_for_phone(phone=link.phone, name=link.relative_name, proven=True)
            if relative.pk == link.proxy_id:
                raise Invalid(_("This is your own number."))
            updated = ProxyLink.objects.filter(
                pk=link.pk, status=Status.PENDING, attempts__lt=MAX_ATTEMPTS
            ).update(status=Status.ACTIVE, member=relative, confirmed_at=now, code_digest="")
            if not updated:
                raise errors.InvalidTransition()
            link.refresh_from_db()
            _tell_both(ProxyMessage.LINKED, link)
    except IntegrityError:
        raise AlreadyLinked() from None
    logger.info("member %s now acts for member %s", link.proxy_id, link.member_id)
    return link


def proxy_link_at_desk(*, proxy: User, member: User, by: User, center: Center) -> ProxyLink:
    """Staff saw the relative in person and heard them agree."""
    if not staff_can(by, Action.MANAGE_COMMUNITY, center.pk):
        raise NotFound()
    _require_verified(proxy)
    if proxy.pk == member.pk:
        raise Invalid(_("A member cannot act for themselves."))
    now = timezone.now()
    try:
        with transaction.atomic():
            link = ProxyLink.objects.create(
                proxy=proxy,
                member=member,
                phone=member.phone or "",
                relative_name=_name(member),
                status=Status.ACTIVE,
                via=ProxyLink.Via.DESK,
                center=center,
                confirmed_by=by,
                confirmed_at=now,
            )
            _tell_both(ProxyMessage.LINKED, link)
    except IntegrityError:
        raise AlreadyLinked() from None
    return link


def proxy_end(*, link: ProxyLink, by: User, now: datetime | None = None) -> ProxyLink:
    """Either of the two ends the link, whenever they like; so does the front desk of any
    center, for a relative who comes in without a phone."""
    now = now or timezone.now()
    as_staff = by.pk not in (link.proxy_id, link.member_id)
    if as_staff and centers_where(by, Action.MANAGE_COMMUNITY) == set():
        raise NotFound()
    with transaction.atomic():
        updated = ProxyLink.objects.filter(
            pk=link.pk, status__in=[Status.PENDING, Status.ACTIVE]
        ).update(status=Status.ENDED, ended_at=now, ended_by=by)
        if not updated:
            raise errors.InvalidTransition()
        was_active = link.member_id is not None
        link.refresh_from_db()
        if was_active:
            _tell_both(ProxyMessage.ENDED, link)
    logger.info("family link %s ended by %s", link.pk, by.pk)
    return link


def _tell_both(kind: ProxyMessage, link: ProxyLink) -> None:
    context = {"proxy": _name(link.proxy), "relative": _name(link.member)}
    for recipient in (link.member, link.proxy):
        notify(kind, recipient=recipient, obj=link, context=context)
