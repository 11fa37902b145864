"""The supervisor's PIN: only its scrypt hash is kept (bridge.yaml `supervisor.pin_hash`).

Format: `scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>`. scrypt (hashlib, OpenSSL) makes
each guess cost memory and tens of milliseconds; the phone dialog also allows three tries
per call. A PIN is 4 to 12 digits, what a phone keypad can send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

_PIN = re.compile(r"^[0-9]{4,12}$")
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES, _HASH_BYTES = 16, 32


class PinFormatError(ValueError):
    pass


def check_pin_format(pin: str) -> None:
    if not _PIN.match(pin):
        raise PinFormatError("a supervisor PIN is 4 to 12 digits (0-9), what a phone can dial")


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    check_pin_format(pin)
    salt = salt if salt is not None else os.urandom(_SALT_BYTES)
    digest = _scrypt(pin, salt, _N, _R, _P)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def check_hash_format(stored: str) -> None:
    """ValueError with a sentence when `stored` is not a hash made by `hash_pin`."""
    _parse(stored)


def verify_pin(pin: str, stored: str) -> bool:
    """True only for the PIN the hash was made from (a malformed entry is simply wrong)."""
    if not _PIN.match(pin):
        return False
    n, r, p, salt, expected = _parse(stored)
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p), expected)


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.split("$")
    try:
        if len(parts) != 6 or parts[0] != "scrypt":
            raise ValueError
        n, r, p = (int(x) for x in parts[1:4])
        salt, digest = (
            base64.b64decode(parts[4], validate=True),
            base64.b64decode(parts[5], validate=True),
        )
        if n < 2**10 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16 or not salt:
            raise ValueError
    except ValueError:
        raise ValueError(
            "supervisor.pin_hash is not a PIN hash; make one with `pbx-bridge close --hash-pin`"
        ) from None
    return n, r, p, salt, digest


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2**20, dklen=_HASH_BYTES
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
