from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from notifications import registry
from notifications.models import Message, WeChatConsent


def member_messages(member: Any) -> QuerySet[Message]:
    """The member's messages, newest first (one query per page: no related rows)."""
    return Message.objects.filter(recipient=member).order_by("-created", "-id")


def wechat_consents_left(member: Any) -> QuerySet[WeChatConsent]:
    """The member's WeChat consents that still let a message through."""
    return WeChatConsent.objects.filter(member=member, remaining__gt=0).order_by("template_id")


@dataclass(frozen=True)
class ConsentShown:
    """A WeChat consent as a member reads it: what the messages are about, not a template id."""

    template_id: str
    remaining: int
    about: str


def member_wechat_consents(member: Any) -> list[ConsentShown]:
    """The member's WeChat consents with messages left, each named by the kinds of message its
    template carries ("Booking confirmed", "Reminder"), in the member's language; a template no
    longer configured keeps its id."""
    kinds_by_template: dict[str, list[str]] = {}
    for kind, template in settings.WECHAT_TEMPLATES.items():
        if template.get("id") and kind in registry.KINDS:
            kinds_by_template.setdefault(template["id"], []).append(kind)
    # "、" in Chinese.
    separator = pgettext("list of message kinds", ", ")
    shown = [
        ConsentShown(
            template_id=consent.template_id,
            remaining=consent.remaining,
            about=separator.join(_(registry.KINDS[kind].text.subject) for kind in kinds)
            if (kinds := kinds_by_template.get(consent.template_id))
            else consent.template_id,
        )
        for consent in wechat_consents_left(member)
    ]
    return sorted(shown, key=lambda consent: consent.about)
