"""Settings for the test suite. DATABASE_URL picks SQLite (default) or PostgreSQL."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Uploaded photos of a test run never land in the checkout's var/media (the community tests
# give each test a folder of its own).
MEDIA_ROOT = Path(tempfile.gettempdir()) / "linli-test-media"
# Tasks run inline in the test process; a real worker started by a test turns this off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
LANGUAGE_CODE = "zh-hans"


def _dev_key(purpose: str) -> str:
    """Deterministic keys for development only, derived from the (dev) SECRET_KEY."""
    import base64
    import hashlib

    raw = hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()


ID_NUMBER_KEYS = ID_NUMBER_KEYS or [_dev_key("id-number")]  # noqa: F405
ID_NUMBER_HMAC_KEY = ID_NUMBER_HMAC_KEY or _dev_key("id-number-hmac")  # noqa: F405
