"""The outbox: write messages with the change that causes them, send them after commit, retry
with backoff, fall back to the member's next channel, and never send one twice."""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid, NotFound
from notifications import registry
from notifications.channels import Permanent, Refused
from notifications.channels import email as email_channel
from notifications.channels import sms as sms_channel
from notifications.channels import wechat as wechat_channel
from notifications.models import Message, WeChatConsent
from notifications.texts import render

# The recipient is the user model (``settings.AUTH_USER_MODEL``): it has ``phone``, ``email``,
# ``language``, ``notification_channels`` and ``wechat_openid(appid)``.
Recipient = Any

logger = logging.getLogger(__name__)
Status = Message.Status
Channel = Message.Channel

DEFAULT_CHANNELS = [Channel.WECHAT, Channel.SMS, Channel.EMAIL]
MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=10)
SENDERS = {
    Channel.WECHAT: wechat_channel.send,
    Channel.SMS: sms_channel.send,
    Channel.EMAIL: email_channel.send,
}


def recipient_fields(path: str) -> list[str]:
    """For ``QuerySet.only``: the fields of the member at ``path`` that ``channels_for`` reads
    (a reminder query loads thousands of members at a catch-up, narrow)."""
    return [f"{path}__{name}" for name in ("id", "phone", "email", "notification_channels")]


def channels_for(member: Recipient, kind: str) -> list[str]:
    """The member's channels in order of preference that could carry ``kind`` at all."""
    preferred = [c for c in (member.notification_channels or DEFAULT_CHANNELS) if c in SENDERS]
    possible = []
    for channel in preferred:
        if channel == Channel.WECHAT:
            # The account must belong to the mini-program we send from: an openid is per app.
            if (
                wechat_channel.template_for(kind)
                and settings.WECHAT_APPID
                and member.wechat_openid(settings.WECHAT_APPID) is not None
            ):
                possible.append(channel)
        elif (channel == Channel.SMS and member.phone) or (
            channel == Channel.EMAIL and member.email
        ):
            possible.append(channel)
    return possible


def message_enqueue(
    *,
    kind: str,
    recipient: Recipient,
    about: Any = None,
    context: dict | None = None,
    due_at: datetime | None = None,
    channel: str | None = None,
    readers: list[tuple[Recipient, str]] | None = None,
    fresh: bool = False,
) -> Message | None:
    """Write the message in the caller's transaction (or find the one already written). None
    when the member has no channel that could carry it. ``kind`` is a registered kind (with a
    ``@suffix`` or ``_<hours>h`` where the kind has them). ``readers``: the recipient's
    ``registry.copy_readers``, when the caller asked before taking a lock. ``fresh``: ``about``
    was created in this transaction, so no message about it exists and the insert needs no
    savepoint."""
    kind = str(kind)
    # A kind that may be sent more than once about the same object (a session moved twice)
    # gets a unique suffix when first written; a fallback keeps that suffix.
    if registry.kind_of(kind).repeatable and "@" not in kind:
        kind = f"{kind}@{int(timezone.now().timestamp() * 1000)}"
    if (
        channel is None
        and registry.kind_of(kind).copied
        and registry.COPY_FOR not in (context or {})
    ):
        _copy(
            kind=kind,
            recipient=recipient,
            about=about,
            context=context,
            due_at=due_at,
            readers=readers,
            fresh=fresh,
        )
    if channel is None:
        options = channels_for(recipient, kind)
        if not options:
            logger.info("no channel for %s to member %s", kind, recipient.pk)
            return None
        channel = options[0]
    key = {
        "recipient": recipient,
        "kind": kind,
        "channel": channel,
        "content_type": ContentType.objects.get_for_model(about) if about is not None else None,
        "object_id": about.pk if about is not None else None,
    }
    fields = {"context": context or {}, "due_at": due_at or timezone.now()}
    if about is None:
        # No constraint keeps these once (NULLs are distinct): look first.
        try:
            with transaction.atomic():
                return Message.objects.get_or_create(**key, defaults=fields)[0]
        except IntegrityError:
            return Message.objects.get(**key)
    if fresh:
        return Message.objects.create(**key, **fields)
    # The outbox's uniqueness says whether it was written already: insert first, and read only
    # when it was (three statements, not get_or_create's six).
    try:
        with transaction.atomic():
            return Message.objects.create(**key, **fields)
    except IntegrityError:
        return Message.objects.get(**key)


def messages_enqueue_many(items: list[tuple[str, Recipient, Any]], *, due_at: datetime) -> int:
    """``message_enqueue`` for many (kind, recipient, about) at once, in one INSERT per
    thousand: a clock catching up writes thousands of reminders. Messages already written are
    left as they are (the outbox's uniqueness). Returns how many had a channel."""
    types: dict[type, ContentType] = {}
    rows = []
    # Copies for those who read a recipient's messages too (family acting for them): one
    # query for all the recipients.
    readers = registry.copy_readers_many(
        [recipient for kind, recipient, _about in items if registry.kind_of(kind).copied]
    )
    for kind, recipient, about in items:
        model = type(about)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(about)
        copies = [
            (reader, {registry.COPY_FOR: name}) for reader, name in readers.get(recipient.pk, [])
        ]
        for reader, context in [(recipient, {}), *copies]:
            options = channels_for(reader, kind)
            if not options:
                continue
            rows.append(
                Message(
                    recipient=reader,
                    kind=kind,
                    channel=options[0],
                    content_type=types[model],
                    object_id=about.pk,
                    context=context,
                    due_at=due_at,
                )
            )
    Message.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _copy(
    *,
    kind: str,
    recipient: Recipient,
    about: Any,
    context: dict | None,
    due_at: datetime | None,
    readers: list[tuple[Recipient, str]] | None,
    fresh: bool,
) -> None:
    """The same message to each other reader of the recipient's messages (a family member who
    acts for them), in the same transaction, sent after commit."""
    for reader, name in registry.copy_readers(recipient) if readers is None else readers:
        copy = message_enqueue(
            kind=kind,
            recipient=reader,
            about=about,
            context={**(context or {}), registry.COPY_FOR: name},
            due_at=due_at,
            fresh=fresh,
        )
        if copy is not None and (due_at is None or due_at <= timezone.now()):
            transaction.on_commit(lambda pk=copy.pk: dispatch(pk))


def _claim(message_id: int, now: datetime) -> Message | None:
    """Take the message for sending; None if it is not due or someone else has it."""
    claimed = Message.objects.filter(pk=message_id, status=Status.PENDING, due_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, queued_at=None
    )
    if not claimed:
        return None
    return Message.objects.select_related("recipient").get(pk=message_id)


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** (2 * (attempts - 1)))  # 1, 4, 16, 64 minutes


def still_applies(message: Message, now: datetime) -> bool:
    """A message retried or delayed (broker down) must not remind of a cancelled booking or
    offer a seat whose offer has lapsed: the app that owns what it is about decides."""
    about = message.about
    if message.object_id is not None and about is None:
        return False  # what it was about is gone
    registered = registry.about_of(about)
    if registered is None:
        return True
    return registered.still_applies(about, registry.base_kind(message.kind), now)


def message_send(message_id: int, now: datetime | None = None) -> str:
    """Send one message if it is due and nobody else is sending it. Returns the new status."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return "skipped"
    if not still_applies(message, now):
        _finish(message, Status.OBSOLETE, "no longer applies")
        return Status.OBSOLETE
    try:
        rendered = render(message.kind, message.about, message.context, message.recipient.language)
        SENDERS[message.channel](message, rendered)
    except Refused as refusal:
        # The refused row is not retried: a later row on the member's next channel carries
        # the message. With no channel left it is dead (staff can resend it from the admin,
        # say after the member gave WeChat consent again).
        if _fall_back(message) is None:
            _finish(message, Status.DEAD, f"{refusal}; no other channel")
            return Status.DEAD
        _finish(message, Status.FELL_BACK, str(refusal))
        return Status.FELL_BACK
    except Permanent as error:
        _finish(message, Status.DEAD, str(error))
        return Status.DEAD
    except Exception as error:  # a passing failure of the channel: try again later
        logger.warning("message %s attempt %s failed: %s", message.pk, message.attempts, error)
        if message.attempts >= MAX_ATTEMPTS:
            _finish(message, Status.DEAD, repr(error))
            return Status.DEAD
        Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.PENDING,
            due_at=now + backoff(message.attempts),
            last_error=repr(error)[:500],
        )
        return Status.PENDING
    _finish(message, Status.SENT, "", sent_at=timezone.now())
    return Status.SENT


def _finish(message: Message, status: str, error: str, **fields: Any) -> None:
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=status, last_error=error[:500], **fields
    )


def _fall_back(message: Message) -> Message | None:
    options = channels_for(message.recipient, message.kind)
    later = (
        options[options.index(message.channel) + 1 :]
        if message.channel in options
        else [c for c in options if c != message.channel]
    )
    tried = set(
        Message.objects.filter(
            recipient=message.recipient,
            kind=message.kind,
            content_type=message.content_type,
            object_id=message.object_id,
        ).values_list("channel", flat=True)
    )
    channel = next((c for c in later if c not in tried), None)
    if channel is None:
        logger.info("message %s: no channel left", message.pk)
        return None
    fallback = message_enqueue(
        kind=message.kind,
        recipient=message.recipient,
        about=message.about,
        context=message.context,
        channel=channel,
    )
    transaction.on_commit(lambda: dispatch(fallback.pk))
    return fallback


def dispatch(message_id: int) -> None:
    """Ask a worker to send now. A broker outage must not fail the member's request: the
    message is safe in the outbox and the clock picks it up."""
    from notifications.tasks import send_message  # the task module imports this one

    try:
        send_message.delay(message_id)
    except Exception:
        logger.warning("broker unavailable; message %s waits for the clock", message_id)


# A message handed to the workers and still pending this long after (its task lost with the
# broker, say) is handed over again.
HAND_OVER_AGAIN = timedelta(minutes=10)


def messages_hand_over(now: datetime | None = None, limit: int = 50_000) -> list[int]:
    """The due messages the workers should send, each marked as handed over now: after a
    catch-up of thousands of reminders, the ticks of the next minutes do not hand the same
    backlog over again while the workers work through it. Two clocks at once take different
    rows (skip locked). Handing a message over twice is harmless: sending claims it first."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Message.objects.filter(
                Q(queued_at__isnull=True) | Q(queued_at__lte=now - HAND_OVER_AGAIN),
                status=Status.PENDING,
                due_at__lte=now,
            )
            .order_by("due_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        for start in range(0, len(ids), 5000):
            Message.objects.filter(pk__in=ids[start : start + 5000]).update(queued_at=now)
    return ids


def messages_recover_stale(now: datetime | None = None) -> int:
    """Messages a worker claimed and never finished (it was killed) go back to the queue."""
    now = now or timezone.now()
    return Message.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Status.PENDING
    )


def message_resend(message: Message) -> bool:
    """Staff give a dead message another round of attempts, on the same channel. False when it
    was not dead (sent or resent meanwhile)."""
    resent = Message.objects.filter(pk=message.pk, status=Status.DEAD).update(
        status=Status.PENDING, attempts=0, due_at=timezone.now(), last_error=""
    )
    if resent:
        logger.info("message %s resent", message.pk)
        transaction.on_commit(lambda: dispatch(message.pk))
    return bool(resent)


def wechat_consents_record(*, member: Recipient, template_ids: list[str]) -> list[WeChatConsent]:
    """The member accepted these templates in the mini-program (wx.requestSubscribeMessage):
    each acceptance lets one more message of its template through. A template named twice in
    one report counts once, as WeChat grants it once."""
    known = {t["id"] for t in settings.WECHAT_TEMPLATES.values() if t.get("id")}
    unknown = [t for t in template_ids if t not in known]
    if unknown:
        message = _("Not a template of this service: %(ids)s") % {"ids": ", ".join(unknown)}
        raise Invalid(message, fields={"template_ids": [message]})
    wanted = list(dict.fromkeys(template_ids))
    with transaction.atomic():
        for template_id in wanted:
            consent, created = WeChatConsent.objects.get_or_create(
                member=member, template_id=template_id, defaults={"remaining": 1}
            )
            if not created:
                WeChatConsent.objects.filter(pk=consent.pk).update(remaining=F("remaining") + 1)
    logger.info("member %s gave WeChat consent for %s", member.pk, ", ".join(wanted))
    consents = WeChatConsent.objects.filter(member=member, template_id__in=wanted)
    return sorted(consents, key=lambda c: wanted.index(c.template_id))


def wechat_consent_withdraw(*, member: Recipient, template_id: str) -> None:
    """The member wants no more messages of this template through WeChat: the consents they have
    left for it are dropped, and those messages go by their next channel. Agreeing again in the
    mini-program lets them through again. Not the member's consent: ``NotFound``."""
    withdrawn, _counts = WeChatConsent.objects.filter(
        member=member, template_id=template_id
    ).delete()
    if not withdrawn:
        raise NotFound(_("You have not agreed to this WeChat message."))
    logger.info("member %s withdrew WeChat consent for %s", member.pk, template_id)
