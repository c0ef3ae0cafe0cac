"""WeChat mini-program login: exchange a ``wx.login`` code for the member's openid.

The server calls ``sns/jscode2session`` at ``WECHAT_API_BASE``. ``session_key`` comes back too;
it is never stored, returned or logged.
"""

import logging
import secrets
from dataclasses import dataclass
from functools import cache

import httpx
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import LinliError
from members.models import User, WeChatAccount

logger = logging.getLogger(__name__)


class WeChatCodeInvalid(LinliError):
    code = "wechat_code_invalid"
    message = _("The WeChat login code is invalid or used. Please try again.")


class WeChatRateLimited(LinliError):
    code = "wechat_rate_limited"
    status = 429
    message = _("Too many WeChat logins just now. Please wait a minute and try again.")


class WeChatUnavailable(LinliError):
    code = "wechat_unavailable"
    status = 503
    message = _("WeChat is busy right now. Please try again shortly.")


class AccountDisabled(LinliError):
    code = "account_disabled"
    status = 403
    message = _("This account is disabled. Please contact your service center.")


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str


@cache
def _http() -> httpx.Client:
    """One client per process: making one loads the CA bundle (tens of milliseconds a login),
    and it keeps the connection to WeChat open between logins."""
    return httpx.Client()


def code_to_identity(code: str) -> WeChatIdentity:
    """Call jscode2session; map WeChat's error codes to our errors."""
    try:
        response = _http().get(
            f"{settings.WECHAT_API_BASE.rstrip('/')}/sns/jscode2session",
            params={
                "appid": settings.WECHAT_APPID,
                "secret": settings.WECHAT_SECRET,
                "js_code": code,
                "grant_type": "authorization_code",
            },
            timeout=settings.WECHAT_TIMEOUT_SECONDS,
        )
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        logger.warning("jscode2session failed: %s", type(exc).__name__)
        raise WeChatUnavailable() from None
    if not isinstance(data, dict):
        logger.warning("jscode2session answered %s, not an object", type(data).__name__)
        raise WeChatUnavailable()
    errcode = data.get("errcode") or 0
    if errcode in (40029, 40163, 40226):  # invalid, already used, high-risk user blocked
        raise WeChatCodeInvalid()
    if errcode == 45011:
        raise WeChatRateLimited()
    if errcode or not data.get("openid"):
        # -1 (system busy) and anything unexpected: the client may retry later.
        logger.warning("jscode2session errcode %s", errcode)
        raise WeChatUnavailable()
    return WeChatIdentity(openid=data["openid"], unionid=data.get("unionid") or "")


def wechat_login(*, code: str) -> tuple[User, bool]:
    """Find or create the member for this mini-program user. Returns (member, created)."""
    identity = code_to_identity(code)
    appid = settings.WECHAT_APPID
    for _attempt in range(2):
        account = (
            WeChatAccount.objects.select_related("user")
            .filter(appid=appid, openid=identity.openid)
            .first()
        )
        if account is not None:
            if not account.user.is_active:
                # A token for a disabled account would not authenticate anyway (Django refuses
                # inactive users); say so instead of handing out a token that fails later.
                raise AccountDisabled()
            updates = {"last_login": timezone.now()}
            if identity.unionid and account.unionid != identity.unionid:
                updates["unionid"] = identity.unionid
            WeChatAccount.objects.filter(pk=account.pk).update(**updates)
            return account.user, False
        try:
            with transaction.atomic():
                user = User(username=f"wx_{secrets.token_hex(8)}")
                user.set_unusable_password()
                user.save()
                WeChatAccount.objects.create(
                    user=user,
                    appid=appid,
                    openid=identity.openid,
                    unionid=identity.unionid,
                    last_login=timezone.now(),
                )
            return user, True
        except IntegrityError:
            continue  # the same openid logged in twice at once; the other request created it
    raise WeChatUnavailable()


def session_token_for(user: User) -> str:
    """An app session token (the ``X-Session-Token`` of allauth's headless app client), made the
    way a login makes one, so every API endpoint accepts it alike."""
    from allauth.headless.internal.sessionkit import new_session

    session = new_session()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
