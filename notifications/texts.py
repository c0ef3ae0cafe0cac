"""What each kind of message says, in the member's language.

Texts are gettext strings registered by the app that owns the kind (``<app>/messages.py``),
filled from the object the message is about (its registered ``fields``) and the message's
context, so the .po file holds both languages. ``fields`` also feeds WeChat subscribe-message
templates (short values).
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from notifications.registry import COPY_FOR, about_of, kind_of

# Every text may use these; an object that has no such field leaves it empty.
COMMON_FIELDS = ("reason", "note", "code", "position")


def kind_label(kind: str) -> str:
    """What staff call a kind of message: its subject line, in the active language."""
    try:
        return _(kind_of(kind).text.subject)
    except ValueError:
        return kind


@dataclass
class Rendered:
    subject: str
    body: str
    fields: dict[str, str]


def local_time(moment: datetime, tz: tzinfo) -> str:
    """A time as messages write it: ``2026-11-24 14:00`` in the center's zone."""
    return formats.date_format(timezone.localtime(moment, tz), "Y-m-d H:i")


def fields_of(about: Any, context: dict) -> dict[str, str]:
    fields: dict[str, str] = dict.fromkeys(COMMON_FIELDS, "")
    registered = about_of(about)
    if registered is not None:
        fields |= registered.fields(about)
    fields |= {k: str(v) for k, v in context.items()}
    return fields


def render(kind: str, about: Any, context: dict, language: str) -> Rendered:
    text = kind_of(kind).text
    with translation.override(language or "zh-hans"):
        fields = fields_of(about, context)
        body = _(text.body) % _Defaulting(fields)
        if context.get(COPY_FOR):
            # A copy to a family member who acts for the recipient: say whose it is.
            body = _("For %(member)s: %(message)s") % {"member": context[COPY_FOR], "message": body}
        return Rendered(
            subject=f"【{_('Linli')}】{_(text.subject)}",
            body=body,
            fields=fields,
        )


class _Defaulting(dict):
    """Missing placeholders print as empty rather than failing a whole message."""

    def __missing__(self, key: str) -> str:
        return ""
