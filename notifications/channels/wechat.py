"""WeChat subscribe messages (订阅消息) through ``cgi-bin/message/subscribe/send``.

The access token is cached until shortly before it expires and fetched again when WeChat says
it is invalid. Each message uses up one of the member's one-time consents for its template.
"""

import logging

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db.models import F

from notifications.channels import Permanent, Refused
from notifications.models import Message, WeChatConsent
from notifications.registry import base_kind
from notifications.texts import Rendered

logger = logging.getLogger(__name__)
THING_MAX = 20  # WeChat's limit for a `thing` value
# Answers that no retry can change: the message itself (or our template setting) is wrong.
PERMANENT_ERRORS = {
    47003: "template data invalid",
    40037: "template_id invalid",
    41030: "page invalid",
    40003: "openid invalid",
}


class TokenInvalid(Exception):
    pass


def template_for(kind: str) -> dict | None:
    """``WECHAT_TEMPLATES[kind]``: {"id": "...", "fields": {"thing1": "place", "time2": "when"}}."""
    return settings.WECHAT_TEMPLATES.get(base_kind(kind))


def fit(key: str, value: str) -> str:
    """Make a value fit its WeChat field type (thing ≤ 20 characters, and so on)."""
    value = " ".join(str(value).split())
    kind = key.rstrip("0123456789")
    limits = {"thing": THING_MAX, "phrase": 5, "name": 10, "character_string": 32, "number": 32}
    limit = limits.get(kind)
    if limit and len(value) > limit:
        value = value[: limit - 1] + "…"
    return value


def _client() -> httpx.Client:
    return httpx.Client(base_url=settings.WECHAT_API_BASE, timeout=settings.WECHAT_TIMEOUT_SECONDS)


def _token_cache_key() -> str:
    return f"wechat:access_token:{settings.WECHAT_APPID}"


def access_token(*, refresh: bool = False) -> str:
    if not refresh:
        token = cache.get(_token_cache_key())
        if token:
            return token
    with _client() as client:
        data = client.get(
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": settings.WECHAT_APPID,
                "secret": settings.WECHAT_SECRET,
            },
        ).json()
    token = data.get("access_token")
    if not token:
        raise RuntimeError(f"WeChat token errcode {data.get('errcode')}: {data.get('errmsg', '')}")
    ttl = max(int(data.get("expires_in", 7200)) - 300, 60)
    cache.set(_token_cache_key(), token, ttl)
    return token


def _post(payload: dict, token: str) -> dict:
    with _client() as client:
        data = client.post(
            "/cgi-bin/message/subscribe/send", params={"access_token": token}, json=payload
        ).json()
    if data.get("errcode") in (40001, 40014, 42001):
        raise TokenInvalid()
    return data


def send(message: Message, rendered: Rendered) -> None:
    template = template_for(message.kind)
    if template is None or not settings.WECHAT_APPID:
        raise Refused("no template for this kind")
    openid = message.recipient.wechat_openid(settings.WECHAT_APPID)
    if openid is None:
        raise Refused("no WeChat account")
    values = {
        key: fit(key, rendered.fields.get(source, "")) for key, source in template["fields"].items()
    }
    # WeChat rejects an empty value (47003); another channel can carry the message as it is.
    empty = [key for key, value in values.items() if not value]
    if empty:
        raise Refused(f"no value for {', '.join(empty)}")
    consents = WeChatConsent.objects.filter(member=message.recipient, template_id=template["id"])
    # Use up one consent; none left means the member has not agreed to this message.
    if not consents.filter(remaining__gt=0).update(remaining=F("remaining") - 1):
        raise Refused("no consent left")
    payload = {
        "touser": openid,
        "template_id": template["id"],
        "page": template.get("page", "pages/index/index"),
        "data": {key: {"value": value} for key, value in values.items()},
    }
    try:
        try:
            answer = _post(payload, access_token())
        except TokenInvalid:
            answer = _post(payload, access_token(refresh=True))
    except Exception:
        # No answer (network, timeout, no token): the retry needs the consent again. Had the
        # message gone out after all, WeChat answers the retry with 43101 and it falls back.
        consents.update(remaining=F("remaining") + 1)
        raise
    errcode = answer.get("errcode") or 0
    if errcode == 0:
        return
    if errcode == 43101:
        # WeChat holds no consent for this template, whatever we counted.
        consents.update(remaining=0)
        raise Refused("43101 user refused")
    # Not sent: the consent is still the member's.
    consents.update(remaining=F("remaining") + 1)
    if errcode in PERMANENT_ERRORS:
        raise Permanent(f"{errcode} {PERMANENT_ERRORS[errcode]}: {answer.get('errmsg', '')}"[:200])
    raise RuntimeError(f"WeChat errcode {errcode}: {answer.get('errmsg', '')}"[:200])
