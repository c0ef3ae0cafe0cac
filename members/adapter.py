"""How allauth reads and writes members' phone numbers and texts them (``ACCOUNT_ADAPTER``)."""

import contextlib
import logging
import math
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse

# allauth's own key and IP helpers, so that our limits count exactly what it counts.
from allauth.core.internal import ratelimit as ratelimit_internal
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import User
from members.phones import MainlandPhoneField, mask_phone, normalize_mainland_mobile
from members.sms import send_sms

logger = logging.getLogger(__name__)

# One message whatever was typed and whether or not an account exists: the login form must not
# tell anyone which phone numbers or email addresses are registered.
LOGIN_FAILED = _("The mobile number, email or password is not correct.")


def _language_of(user: AbstractBaseUser | None) -> str:
    language = getattr(user, "language", None)
    return language if language in dict(settings.LANGUAGES) else translation.get_language()


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": LOGIN_FAILED,
        "phone_password_mismatch": LOGIN_FAILED,
        # Text that is neither an email nor a mobile number ends up as a "username" login.
        "username_password_mismatch": LOGIN_FAILED,
    }

    def new_user(self, request: HttpRequest) -> AbstractBaseUser:
        user = super().new_user(request)
        # Texts and emails go out in the language the member signed up in.
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.language = language
        return user

    # --- Phone numbers ---------------------------------------------------------------------

    def phone_form_field(self, **kwargs: Any) -> MainlandPhoneField:
        return MainlandPhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        # allauth's own PhoneField (the app login) calls this; it makes that field as strict
        # about mainland numbers as ours.
        return normalize_mainland_mobile(phone)

    def get_phone(self, user: AbstractBaseUser) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone(self, user: AbstractBaseUser, phone: str, verified: bool) -> None:
        user.phone, user.phone_verified = phone, verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def set_phone_verified(self, user: AbstractBaseUser, phone: str) -> None:
        if user.phone == phone and not user.phone_verified:
            user.phone_verified = True
            user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str) -> User | None:
        # The web login form hands over what was typed; look up the number, not the spelling.
        try:
            phone = normalize_mainland_mobile(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=phone).first()

    # --- Text messages -----------------------------------------------------------------------

    def send_verification_code_sms(
        self, user: AbstractBaseUser, phone: str, code: str, **kwargs: Any
    ) -> None:
        # Login codes and phone verification codes share this text; promise the shorter life.
        minutes = (
            min(account_settings.LOGIN_BY_CODE_TIMEOUT, account_settings.PHONE_VERIFICATION_TIMEOUT)
            // 60
        )
        with translation.override(_language_of(user)):
            message = gettext(
                "Linli code: %(code)s. Valid for %(minutes)d minutes. "
                "Do not tell it to anyone, not even staff."
            ) % {"code": code, "minutes": minutes}
        send_sms(phone, message)

    def send_account_already_exists_sms(self, phone: str) -> None:
        # Someone signed up with a number that has an account: most often its owner, who forgot.
        # The signup page looks the same either way; the text tells the owner what to do.
        with translation.override(_language_of(self.get_user_by_phone(phone))):
            message = gettext(
                "Linli: this mobile number already has an account. "
                "Log in with a code sent to this phone instead of signing up again."
            )
        send_sms(phone, message)

    def send_unknown_account_sms(self, phone: str, **kwargs: Any) -> None:
        # Deliberately no text: the page already looks the same as for a known number, and
        # texting numbers nobody registered costs money and is how SMS-pumping fraud works.
        logger.info("Login code asked for %s, which has no account", mask_phone(phone))

    # --- Rate limiting ------------------------------------------------------------------------

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # Failed logins count per account AND address (see ACCOUNT_RATE_LIMITS): keyed on the
        # account alone, anyone could lock anyone out by typing wrong passwords.
        return f"{ratelimit_internal.get_ip(request)}|{self._account_key(request, **credentials)}"

    def _account_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys failed logins on the email or the username only: every phone login would
        # share one empty key, so five wrong passwords for anyone would lock every phone user
        # out. Key phone logins on the number itself.
        phone = credentials.get("phone")
        if phone and not credentials.get("email"):
            with contextlib.suppress(ValidationError):
                phone = normalize_mainland_mobile(phone)
            return f"{super()._get_login_attempts_cache_key(request)}phone:{phone}"
        return super()._get_login_attempts_cache_key(request, **credentials)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth answers a 400 form error here; a client needs a 429 and when to try again.
        key = self._get_login_attempts_cache_key(request, **credentials)
        self._login_failed_rl_usage = ratelimit_internal.consume(
            request, app="allauth.account", action="login_failed", key=key
        )
        if not self._login_failed_rl_usage:
            logger.info(
                "Failed-login limit reached for an account from %s", request.META.get("REMOTE_ADDR")
            )
            raise ImmediateHttpResponse(too_many_logins(request, key))


def login_retry_after(request: HttpRequest, key: str) -> int:
    """Seconds until the failed-login limits that are full let one more try through."""
    now = time.time()
    waits = [1.0]
    for rate in ratelimit_internal.get_rates(app="allauth.account", action="login_failed"):
        cache_key = ratelimit_internal.get_cache_key(
            request, app="allauth.account", action="login_failed", rate=rate, key=key
        )
        history = cache.get(cache_key, [])  # newest first
        if len(history) >= rate.amount:
            waits.append(history[rate.amount - 1] + rate.duration - now)
    return math.ceil(max(waits))


def too_many_logins(request: HttpRequest, key: str) -> HttpResponse:
    """allauth's 429 (JSON for the app, the friendly page on the web) with Retry-After."""
    response = ratelimit.respond_429(request)
    response["Retry-After"] = str(login_retry_after(request, key))
    return response
