"""Strict text encodings of binary values: base64url without padding, and base58btc.

Each decoder accepts exactly one spelling of a value (canonical, alphabet only), so
an encoded signature or key can never be altered without changing its meaning.
"""

from __future__ import annotations

import base64
import re

from innopass.errors import KeyMaterialError

__all__ = ["b64url_decode", "b64url_encode", "base58btc_decode", "base58btc_encode"]

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(value: object, *, what: str) -> bytes:
    """Strict base64url without padding (canonical, alphabet only); :class:`KeyMaterialError`
    otherwise, naming ``what``."""
    if not isinstance(value, str) or not _B64URL.fullmatch(value) or len(value) % 4 == 1:
        raise KeyMaterialError(f"{what} is not base64url without padding")
    data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if b64url_encode(data) != value:
        raise KeyMaterialError(f"{what} is not canonical base64url")
    return data


def b64url_encode(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_VALUE = {char: value for value, char in enumerate(_BASE58)}


def base58btc_decode(text: str) -> bytes:
    """Decode base58btc (Bitcoin alphabet; each leading ``1`` is a zero byte).

    On the verification hot path: one big-integer pass instead of the general
    multibase machinery (a property test checks it against ``multiformats``).
    Raises :class:`KeyError` for a character outside the alphabet.
    """
    number = 0
    for char in text:
        number = number * 58 + _BASE58_VALUE[char]
    zeros = len(text) - len(text.lstrip("1"))
    return bytes(zeros) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def base58btc_encode(data: bytes) -> str:
    """base58btc of ``data`` (each leading zero byte is a ``1``), without the multibase ``z``.

    One big-integer pass; a property test checks it against ``multiformats``, which
    takes milliseconds for a 64-byte signature where this takes microseconds.
    """
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(_BASE58[digit])
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * zeros + "".join(reversed(digits))
