"""The base of allauth's signup forms, web and app alike (``ACCOUNT_SIGNUP_FORM_CLASS``).

allauth can make phone and email each required or each optional, not "one of the two". Both are
optional in ``ACCOUNT_SIGNUP_FIELDS``; this base makes one of them required, for the web form
and for ``/_allauth/app/v1/auth/signup`` alike, because allauth builds both on top of it.

It must not import ``allauth.account.forms``: that module imports this one while it loads.
"""

from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class PhoneOrEmailSignupForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        # A field that failed its own checks already says what is wrong with it.
        typed_something = self.has_error("phone") or self.has_error("email")
        if not typed_something and not (cleaned_data.get("phone") or cleaned_data.get("email")):
            self.add_error(
                None,
                forms.ValidationError(
                    _("Enter a mobile number or an email address, so that you can log in."),
                    code="phone_or_email_required",
                ),
            )
        return cleaned_data

    def signup(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        """allauth's hook for extra signup fields; we have none."""
