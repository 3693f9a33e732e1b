"""Strict text encodings of binary values: base64url without padding, base58btc, and the
SHA-384 ``digestSRI`` (W3C Subresource Integrity) of some bytes.

Each decoder accepts exactly one spelling of a value (canonical, alphabet only), so
an encoded signature or key can never be altered without changing its meaning.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from innopass.errors import KeyMaterialError

__all__ = [
    "b64url_decode",
    "b64url_encode",
    "base58btc_decode",
    "base58btc_encode",
    "sha384_sri",
]

_B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64URL_VALUE = {char: value for value, char in enumerate(_B64URL_ALPHABET)}
_URL_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
#: The bits a final character of a text of length 2 or 3 (mod 4) carries beyond the data.
_UNUSED_BITS = {2: 0x0F, 3: 0x03}


def b64url_decode(value: object, *, what: str) -> bytes:
    """Strict base64url without padding (canonical, alphabet only); :class:`KeyMaterialError`
    otherwise, naming ``what``.

    The decoder's strict mode refuses every character outside the alphabet (the
    standard alphabet's ``+`` and ``/``, and ``=``, are refused first); the text is
    canonical when the bits its last character carries beyond the data are zero (the
    one freedom left; what re-encoding the data and comparing would find).
    """
    if (
        not isinstance(value, str)
        or len(value) % 4 == 1
        or not value.isascii()
        or "+" in value
        or "/" in value
        or "=" in value
    ):
        raise KeyMaterialError(f"{what} is not base64url without padding")
    rest = len(value) % 4
    standard = value.encode("ascii").translate(_URL_TO_STANDARD) + b"=" * (-rest % 4)
    try:
        data = binascii.a2b_base64(standard, strict_mode=True)
    except binascii.Error:
        raise KeyMaterialError(f"{what} is not base64url without padding") from None
    if rest and _B64URL_VALUE[value[-1]] & _UNUSED_BITS[rest]:
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


def sha384_sri(data: bytes) -> str:
    """``sha384-`` and the base64 (standard, padded) SHA-384 of ``data``: a ``digestSRI``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
