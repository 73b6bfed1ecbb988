"""Channel signing secrets, encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256, from the
`cryptography` package) so a copy of the database or a backup does not hand out the group robots.

The key comes from NOTIFICATION_SECRET_KEY (default: SECRET_KEY), stretched by HKDF to a Fernet key.
Several keys separated by commas rotate it: the first encrypts, each of them decrypts.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

KEY_PURPOSE = b"branchtrack notification channel secrets"


class UnreadableSecret(Exception):
    """The stored secret was encrypted with a key that is no longer configured."""


def _fernet_key(key: str) -> bytes:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=KEY_PURPOSE).derive(key.encode())
    return base64.urlsafe_b64encode(derived)


def _box() -> MultiFernet:
    keys = [key.strip() for key in str(settings.NOTIFICATION_SECRET_KEY).split(",") if key.strip()]
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def encrypt(secret: str) -> str:
    """The stored form of a secret; an empty secret stays empty (the channel signs nothing)."""
    return _box().encrypt(secret.encode()).decode() if secret else ""


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    try:
        return _box().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret(
            _(
                "The signing secret cannot be read with the current NOTIFICATION_SECRET_KEY: "
                "remove the channel and add it again with its secret."
            )
        ) from None
