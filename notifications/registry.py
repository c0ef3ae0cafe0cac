"""What the domain apps tell the outbox about themselves. Imports no domain app.

Each app registers what it owns, from its ``AppConfig.ready`` (``<app>/messages.py``):

- its message kinds, an enum of ``StrEnum`` members with their texts (``register_kinds``);
- the models its messages are about (``register_about``): the text fields an object of the
  model fills in, whether a message about it still applies when it is finally sent, the path to
  its center (staff see the messages of their centers), and any attachment;
- its reminder query (``reminder_source``): what is due for a reminder now;
- its clock jobs (``clock_job``, every minute; ``daily_job``, once a day at 8:00);
- who else reads a member's messages (``copies_to``: a family member acting for them);
- who may see which centers' messages in the admin (``staff_scope``, registered by centers).

The outbox (``notifications.services``), its texts, its admin and the clock task read only
this registry, so a new kind of message, or a new app, changes no module of notifications.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Text:
    """A kind's subject and body as gettext_noop strings (the .po holds both languages);
    ``%(name)s`` placeholders are filled from the fields of the object the message is about
    and the message's context."""

    subject: str
    body: str


@dataclass(frozen=True)
class Kind:
    name: str
    text: Text
    # May be sent more than once about the same object (a session moved twice): each message
    # gets a unique ``@suffix`` when first written.
    repeatable: bool = False
    # Copied to whoever reads the recipient's messages too (``copies_to``); not for messages
    # that already go to both, such as a family link's own.
    copied: bool = True


KINDS: dict[str, Kind] = {}


def register_kinds(
    kinds: type[StrEnum],
    texts: dict[StrEnum, Text],
    *,
    repeatable: Iterable[StrEnum] = (),
    not_copied: Iterable[StrEnum] = (),
) -> None:
    """Register every member of ``kinds``; each needs its text."""
    missing = [kind for kind in kinds if kind not in texts]
    if missing:
        raise ValueError(f"no text for message kinds {missing}")
    repeatable, not_copied = set(repeatable), set(not_copied)
    for kind in kinds:
        if kind.value in KINDS and KINDS[kind.value].text != texts[kind]:
            raise ValueError(f"message kind {kind.value!r} registered twice")
        KINDS[kind.value] = Kind(
            kind.value, texts[kind], kind in repeatable, copied=kind not in not_copied
        )


def base_kind(kind: str) -> str:
    """``reminder_24h`` → ``reminder``; ``session_changed@17...`` → ``session_changed``."""
    kind = str(kind).split("@", 1)[0]
    return REMINDER if kind.startswith(f"{REMINDER}_") else kind


def kind_of(kind: str) -> Kind:
    try:
        return KINDS[base_kind(kind)]
    except KeyError:
        raise ValueError(f"no text for message kind {kind!r}") from None


# --- What messages are about ---------------------------------------------------------------------


def _always(about: Any, kind: str, now: datetime) -> bool:
    return True


@dataclass(frozen=True)
class About:
    model: type[Model]
    # The text fields an object fills in (``place``, ``when``, ``code``...), in the member's
    # language (rendering runs under it).
    fields: Callable[[Any], dict[str, str]]
    # Whether a message of ``kind`` about the object should still go out at ``now`` (a
    # reminder of a cancelled booking, an offer that has lapsed should not).
    still_applies: Callable[[Any, str, datetime], bool] = _always
    # The lookup from the model to its center's id (``space__center_id``); None: not shown to
    # center staff, only to superusers.
    center: str | None = None
    # An attachment for the email of ``kind``: (filename, content, media type), or None.
    attachment: Callable[[Any, str], tuple[str, str, str] | None] | None = None


ABOUT: dict[str, About] = {}


def register_about(
    model: type[Model],
    *,
    fields: Callable[[Any], dict[str, str]],
    still_applies: Callable[[Any, str, datetime], bool] = _always,
    center: str | None = None,
    attachment: Callable[[Any, str], tuple[str, str, str] | None] | None = None,
) -> None:
    ABOUT[model._meta.label] = About(model, fields, still_applies, center, attachment)


def about_of(obj: Any) -> About | None:
    """The registration of ``obj``'s model; None for an object of an unregistered model."""
    if obj is None:
        return None
    return ABOUT.get(obj._meta.label)


# --- Reminders -----------------------------------------------------------------------------------

# The kind of every reminder, written ``reminder_<hours>h`` (one per offset before the start).
REMINDER = "reminder"
KINDS[REMINDER] = Kind(
    REMINDER,
    Text(
        gettext_noop("Reminder"),
        gettext_noop("Reminder: %(place)s on %(when)s. Check-in code: %(code)s."),
    ),
)


@dataclass(frozen=True)
class Reminder:
    """A reminder due now: ``hours`` before the start of ``about``, to ``recipient``."""

    recipient: Any
    about: Any
    hours: int

    @property
    def kind(self) -> str:
        return f"{REMINDER}_{self.hours}h"


ReminderSource = Callable[[datetime], Iterable[Reminder]]
REMINDER_SOURCES: list[ReminderSource] = []


def reminder_source(fn: ReminderSource) -> ReminderSource:
    """Register an app's reminder query: ``fn(now)`` yields the reminders due at ``now``.

    It runs every minute and should yield only what has no reminder of that kind yet (each row
    it yields again costs the outbox a query); yielding one twice is harmless, as the outbox
    writes a message once. The app's ``still_applies`` decides at sending time whether the
    reminder still makes sense (the booking may have been cancelled meanwhile)."""
    REMINDER_SOURCES.append(fn)
    return fn


# --- Copies --------------------------------------------------------------------------------------

# The context key that marks a copy, naming the member it was written for.
COPY_FOR = "for_member"
# fn(recipients) -> {recipient id: [(reader, how the copy names the recipient), ...]}.
CopySource = Callable[[list[Any]], dict[int, list[tuple[Any, str]]]]
COPY_SOURCES: list[CopySource] = []


def copies_to(fn: CopySource) -> CopySource:
    """Register who else reads members' messages: each gets a copy of every message of a
    ``copied`` kind, written with it, that names the member it is for. ``fn`` answers for
    many recipients at once (the clock writes reminders in bulk)."""
    COPY_SOURCES.append(fn)
    return fn


def copy_readers_many(recipients: list[Any]) -> dict[int, list[tuple[Any, str]]]:
    readers: dict[int, list[tuple[Any, str]]] = {}
    if not recipients:
        return readers
    for source in COPY_SOURCES:
        for recipient_id, found in source(recipients).items():
            readers.setdefault(recipient_id, []).extend(found)
    return readers


def copy_readers(recipient: Any) -> list[tuple[Any, str]]:
    return copy_readers_many([recipient]).get(recipient.pk, [])


# --- The clock -----------------------------------------------------------------------------------

ClockJob = Callable[[], int]
CLOCK_JOBS: list[ClockJob] = []
DAILY_JOBS: list[ClockJob] = []


def clock_job(fn: ClockJob) -> ClockJob:
    """Run ``fn()`` every minute (beat's ``tick``). It finds its own due work, claims it with a
    conditional update or ``select_for_update(skip_locked=True)`` and is safe to run twice at
    once; it returns how much it did (logged by the tick)."""
    CLOCK_JOBS.append(fn)
    return fn


def daily_job(fn: ClockJob) -> ClockJob:
    """Run ``fn()`` once a day at 8:00 (beat's ``daily``), on the same terms as ``clock_job``."""
    DAILY_JOBS.append(fn)
    return fn


# --- Staff ---------------------------------------------------------------------------------------


@dataclass
class _StaffScope:
    # (user, action) -> ids of the centers where the user may do ``action``; None: everywhere.
    centers_where: Callable[[Any, str], set[int] | None] = field(
        default=lambda user, action: None if user.is_superuser else set()
    )


STAFF_SCOPE = _StaffScope()


def staff_scope(fn: Callable[[Any, str], set[int] | None]) -> Callable[[Any, str], set[int] | None]:
    """Register who may see (``"view"``) and resend (``"manage_bookings"``) the messages about
    which centers' objects."""
    STAFF_SCOPE.centers_where = fn
    return fn
