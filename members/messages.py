"""What the no-show policy tells members: the kinds of message, their texts and fields."""

from enum import StrEnum

from django.utils.translation import gettext_noop

from members.models import ProxyLink, Suspension, User
from members.selectors import member_name
from notifications import registry
from notifications.registry import Text
from notifications.texts import local_time


class MemberMessage(StrEnum):
    NO_SHOW_WARNING = "no_show_warning"
    SUSPENDED = "suspended"


registry.register_kinds(
    MemberMessage,
    {
        # About the booking or registration missed: its own fields name the place and time.
        MemberMessage.NO_SHOW_WARNING: Text(
            gettext_noop("You missed a booking"),
            gettext_noop(
                "You did not come to %(place)s on %(when)s. Please cancel in time if you cannot come: repeated no-shows suspend booking."
            ),
        ),
        MemberMessage.SUSPENDED: Text(
            gettext_noop("Booking suspended"),
            gettext_noop(
                "After several missed visits, booking and registering are suspended until %(until)s."
            ),
        ),
    },
)


def suspension_fields(suspension: Suspension) -> dict[str, str]:
    return {"until": local_time(suspension.ends_at, suspension.center.tz)}


registry.register_about(Suspension, fields=suspension_fields, center="center_id")


class ProxyMessage(StrEnum):
    LINKED = "proxy_linked"
    ENDED = "proxy_ended"


registry.register_kinds(
    ProxyMessage,
    {
        ProxyMessage.LINKED: Text(
            gettext_noop("Family link made"),
            gettext_noop(
                "%(proxy)s can now book, sign up and post wishes for %(relative)s on Linli. Either of you can end this at any time."
            ),
        ),
        ProxyMessage.ENDED: Text(
            gettext_noop("Family link ended"),
            gettext_noop("%(proxy)s no longer acts for %(relative)s on Linli."),
        ),
    },
    # Both of them get these already.
    not_copied=list(ProxyMessage),
)
registry.register_about(ProxyLink, fields=lambda link: {})


@registry.copies_to
def family_readers(recipients: list[User]) -> dict[int, list[tuple[User, str]]]:
    """Family members who act for a recipient read their messages too. Asked with every
    message written (a registration asks under its session's lock), and most members have no
    family link: a narrow query of the links first, the users' rows only when there are some."""
    links = list(
        ProxyLink.objects.filter(
            member__in=recipients, status=ProxyLink.Status.ACTIVE, proxy__is_active=True
        ).values_list("member_id", "proxy_id")
    )
    if not links:
        return {}
    # The members too, whole: the clock's recipients come narrow (``recipient_fields``).
    users = User.objects.in_bulk({user_id for link in links for user_id in link})
    readers: dict[int, list[tuple[User, str]]] = {}
    for member_id, proxy_id in links:
        readers.setdefault(member_id, []).append((users[proxy_id], member_name(users[member_id])))
    return readers
