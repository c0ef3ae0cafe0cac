"""A resident who walks in without an account: staff create one with the phone number only
(and a name if given), so the front desk can book for them at once. They log in later with an
SMS code to that phone."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from centers.models import Center
from centers.permissions import Action, staff_can
from core.errors import Conflict, Invalid, NotFound
from members.models import User
from members.phones import normalize_mainland_mobile


def member_create_walk_in(*, phone: str, by: User, center: Center, name: str = "") -> User:
    if not staff_can(by, Action.MANAGE_BOOKINGS, center.pk):
        raise NotFound()
    try:
        phone = normalize_mainland_mobile(phone)
    except ValidationError as error:
        raise Invalid(error.messages[0], fields={"phone": error.messages}) from None
    if User.objects.filter(phone=phone).exists():
        message = _("This phone number already has an account: find the member instead.")
        raise Conflict(message, fields={"phone": [message]})
    username = f"m{phone.removeprefix('+86')}"
    try:
        with transaction.atomic():
            member = User(username=username, phone=phone, display_name=name.strip()[:50])
            member.set_unusable_password()  # they log in with an SMS code
            member.save()
    except IntegrityError:
        message = _("This phone number already has an account: find the member instead.")
        raise Conflict(message, fields={"phone": [message]}) from None
    return member
