"""Mainland China mobile numbers: from what a person types to the one stored form, E.164.

Residents type numbers the way they say them ("138 1234 5678"), copy them with the country code
("+86 138-1234-5678") or type them with a Chinese input method in full-width digits
("１３８１２３４５６７８"). All of these are one number, so everything that looks a member up by
phone (login, signup, SMS codes, rate limits) works on ``+8613812345678``.
"""

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 11 digits, 1 then 3-9: every mainland mobile range (MIIT numbering plan). Landlines, Hong Kong,
# Macao and Taiwan numbers cannot receive our SMS codes, so they are not accepted.
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-().·]")

INVALID_MOBILE = _("Enter a mainland China mobile number, for example 138 1234 5678.")


def normalize_mainland_mobile(value: str) -> str:
    """``"+8613812345678"`` for any usual way of writing a mainland mobile number.

    Raises ``ValidationError`` (code ``invalid_phone``) for anything else.
    """
    # NFKC turns full-width digits and "＋" from Chinese keyboards into ASCII.
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text.removeprefix(prefix)
            break
    else:
        if len(text) == 13 and text.startswith("86"):
            text = text.removeprefix("86")
    if not _MAINLAND_MOBILE.fullmatch(text):
        raise ValidationError(INVALID_MOBILE, code="invalid_phone")
    return f"+86{text}"


def mask_phone(phone: str) -> str:
    """``138****5678``: enough for a person to recognise their number, not to dial it."""
    digits = (phone or "").removeprefix("+86")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"


class MainlandPhoneField(forms.CharField):
    """A form field for a mainland mobile number as typed; it cleans to E.164."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            # type=tel brings up the digit keypad on phones.
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return normalize_mainland_mobile(value) if value else value
