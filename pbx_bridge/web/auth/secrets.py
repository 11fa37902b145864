"""Passwords (argon2id) and random tokens (kept only as SHA-256 in the database)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's low-memory profile of argon2id.
_HASHER = PasswordHasher()

# Verifying against this when an account does not exist costs the same as a real check,
# so the answer time does not tell which account names exist.
_DUMMY_HASH = _HASHER.hash("pbx-bridge: no such account")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A URL-safe random token of 256 bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison for form tokens."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
