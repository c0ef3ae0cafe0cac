"""What the no-show policy tells members: the kinds of message, their texts and fields."""

from enum import StrEnum

from django.utils.translation import gettext_noop

from members.models import Suspension
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
