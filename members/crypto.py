"""Encryption at rest for identity data (PIPL: sensitive personal information).

``ID_NUMBER_KEYS`` is a list of Fernet keys, newest first: data is encrypted with the first and
decrypted with any, so a new key can be put in front and ``manage.py rotate_identity_keys``
re-encrypts everything before the old key is dropped. ``ID_NUMBER_HMAC_KEY`` keys the digest
that finds an ID number without decrypting (one ID, one account).
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.ID_NUMBER_KEYS))


def encrypt(text: str) -> str:
    return _keys().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    return _keys().decrypt(token.encode()).decode() if token else ""


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (no-op on an empty value)."""
    return _keys().rotate(token.encode()).decode() if token else ""


def digest(text: str) -> str:
    key = settings.ID_NUMBER_HMAC_KEY.encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
