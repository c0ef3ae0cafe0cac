"""allauth's web login and signup forms, worded for residents (``ACCOUNT_FORMS``)."""

from typing import Any

from allauth.account import forms as allauth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.phones import normalize_mainland_mobile


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Mobile number or email")
        login.widget.attrs.update(
            {
                "placeholder": _("For example 138 1234 5678"),
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        )
        # allauth repeats the label as placeholder; with a visible label it is only noise.
        self.fields["password"].widget.attrs.pop("placeholder", None)

    def clean_login(self) -> str:
        # A phone number goes on as E.164, so the account lookup and the per-account rate limit
        # see "138 1234 5678" and "+8613812345678" as the same login.
        login = super().clean_login()
        try:
            return normalize_mainland_mobile(login)
        except ValidationError:
            return login


class SignupForm(allauth_forms.SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phone, email = self.fields["phone"], self.fields["email"]
        phone.label = _("Mobile number")
        phone.help_text = _("We will text a code to this number to confirm it.")
        email.label = _("Email")
        email.help_text = _("Fill in a mobile number, an email address, or both.")
        for name in ("email", "password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Most residents have a mobile phone; fewer read email.
        self.order_fields(["phone", "email"])
        self.fields["email"].label = _("Or your email address")
        self.fields["email"].widget.attrs.pop("placeholder", None)


class _DigitCodeMixin:
    """Codes are six digits (``ALLAUTH_USER_CODE_FORMAT``): phones show the number pad."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = _("Verification code")
        code.widget.attrs.update({"inputmode": "numeric", "placeholder": "123456"})


class ConfirmLoginCodeForm(_DigitCodeMixin, allauth_forms.ConfirmLoginCodeForm):
    pass


class VerifyPhoneForm(_DigitCodeMixin, allauth_forms.VerifyPhoneForm):
    pass
