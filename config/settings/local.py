"""Developer and demo settings: SQLite, no Redis, console email."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-do-not-deploy")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}


def _dev_key(purpose: str) -> str:
    """Deterministic keys for development only, derived from the (dev) SECRET_KEY."""
    import base64
    import hashlib

    raw = hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()


ID_NUMBER_KEYS = ID_NUMBER_KEYS or [_dev_key("id-number")]  # noqa: F405
ID_NUMBER_HMAC_KEY = ID_NUMBER_HMAC_KEY or _dev_key("id-number-hmac")  # noqa: F405

ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"  # runserver has no TLS
