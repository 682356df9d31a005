"""Passwords (argon2), random tokens, and their hashes for storage."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check so that timing tells nothing.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is too weak, in the current language, or None."""
    from app.i18n import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if len(set(password)) < 5:
        return _("Use a password with more different characters.")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in password.lower():
        return _("Do not use your email address in your password.")
    return None


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
