"""Chat tokens at rest: Fernet (AES-128-CBC with HMAC-SHA256), keyed by HEARTH_CHAT_KEYS.

The first key encrypts; every key decrypts, so keys rotate without a migration: add
the new key in front, run `manage.py rotate_chat_keys`, then drop the old one. Without
the setting one key is derived from SECRET_KEY (HKDF), so a database copy alone does
not give a workspace's bot token away.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"hearth.chat.tokens"
        ).derive(secret_key.encode())
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            f"HEARTH_CHAT_KEYS holds a key that is not a Fernet key: {error}"
        ) from None


def _current() -> MultiFernet:
    return _fernet(tuple(settings.HEARTH_CHAT_KEYS), settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """The plain token; ImproperlyConfigured when no configured key opens it."""
    try:
        return _current().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored chat token opens with none of HEARTH_CHAT_KEYS (or SECRET_KEY changed)."
        ) from None


def rotate(stored: str) -> str:
    """The same token under the newest key."""
    return _current().rotate(stored.encode()).decode()
