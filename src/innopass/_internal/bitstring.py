"""Pure Bitstring Status List 1.0 codec: GZIP + multibase base64url, MSB-first bits.

Decompression is bounded: the GZIP trailer's ISIZE must agree with what actually
inflates, and neither may exceed ``max_bytes``, so a small hostile list cannot
inflate into gigabytes.
"""

from __future__ import annotations

import gzip
import struct
import zlib

from innopass._internal.encoding import b64url_decode, b64url_encode
from innopass.errors import KeyMaterialError, StatusListError

__all__ = [
    "DEFAULT_MAX_LIST_BYTES",
    "MIN_ENTRIES",
    "bit_at",
    "decode_bitstring",
    "encode_bitstring",
    "new_bitstring",
    "value_at",
    "with_bit",
    "with_value",
]

#: Bitstring Status List §6.1: at least 131,072 entries (16 KiB) for herd privacy.
MIN_ENTRIES = 131_072
#: A decoded list larger than this is refused (a setting: pass your own).
DEFAULT_MAX_LIST_BYTES = 4 * 1024 * 1024


def new_bitstring(entries: int = MIN_ENTRIES, size: int = 1) -> bytes:
    """An all-zero bitstring of ``entries`` entries of ``size`` bits (rounded up to whole bytes)."""
    return bytes((entries * size + 7) // 8)


def encode_bitstring(bits: bytes) -> str:
    """``u`` + base64url-no-pad of the GZIP of ``bits`` (the ``encodedList`` value)."""
    compressed = gzip.compress(bits, compresslevel=9, mtime=0)
    return "u" + b64url_encode(compressed)


def decode_bitstring(encoded: object, *, max_bytes: int = DEFAULT_MAX_LIST_BYTES) -> bytes:
    """Expand an ``encodedList``; raise :class:`StatusListError` on anything malformed.

    Only multibase base64url without padding is valid (Bitstring Status List 1.0
    §2.1: the ``u`` prefix, RFC 4648 §5 alphabet, no ``=``): padding, the standard
    alphabet's ``+`` and ``/``, white space and non-canonical trailing bits are refused.
    """
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError(
            'encodedList must be a string starting with "u" (multibase base64url)'
        )
    body = encoded[1:]
    if len(body) > max_bytes * 2:  # compressed text can't sensibly exceed this
        raise StatusListError("encodedList is too long")
    try:
        compressed = b64url_decode(body, what="encodedList")
    except KeyMaterialError as exc:
        raise StatusListError(
            "encodedList is not multibase base64url without padding ('u' prefix)"
        ) from exc
    if len(compressed) < 18 or compressed[:2] != b"\x1f\x8b":
        raise StatusListError("encodedList is not GZIP data")
    (declared,) = struct.unpack("<I", compressed[-4:])
    if declared > max_bytes:
        raise StatusListError(
            f"status list declares {declared} bytes, over the limit of {max_bytes}"
        )
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(compressed, declared + 1)
    except zlib.error as exc:
        raise StatusListError(f"encodedList does not decompress: {exc}") from exc
    if len(bits) != declared or inflater.unconsumed_tail or not inflater.eof:
        raise StatusListError("status list inflates past the size its GZIP trailer declares")
    if inflater.unused_data:
        raise StatusListError("trailing data after the GZIP member")
    return bits


def bit_at(bits: bytes, index: int) -> bool:
    """The status bit at ``index`` (index 0 = most significant bit of byte 0)."""
    if index < 0 or index >= len(bits) * 8:
        raise StatusListError(
            f"status index {index} is outside the list of {len(bits) * 8} entries"
        )
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def with_bit(bits: bytes, index: int, value: bool) -> bytes:
    """A copy of ``bits`` with the bit at ``index`` set or cleared."""
    if index < 0 or index >= len(bits) * 8:
        raise StatusListError(
            f"status index {index} is outside the list of {len(bits) * 8} entries"
        )
    out = bytearray(bits)
    mask = 0x80 >> (index % 8)
    out[index // 8] = (out[index // 8] | mask) if value else (out[index // 8] & ~mask)
    return bytes(out)


def _check_slot(bits: bytes, index: int, size: int) -> None:
    if size < 1:
        raise StatusListError(f"status size {size} is not a positive number of bits")
    entries = len(bits) * 8 // size
    if index < 0 or index >= entries:
        raise StatusListError(f"status index {index} is outside the list of {entries} entries")


def value_at(bits: bytes, index: int, size: int = 1) -> int:
    """The ``size``-bit status value of entry ``index`` (BSL 1.0 §3.2: bits ``index*size`` to
    ``index*size + size - 1``, most significant first)."""
    _check_slot(bits, index, size)
    value = 0
    for position in range(index * size, index * size + size):
        value = (value << 1) | bool(bits[position // 8] & (0x80 >> (position % 8)))
    return value


def with_value(bits: bytes, index: int, size: int, value: int) -> bytes:
    """A copy of ``bits`` with entry ``index`` (``size`` bits) set to ``value``."""
    _check_slot(bits, index, size)
    if not 0 <= value < (1 << size):
        raise StatusListError(f"status value {value} does not fit in {size} bit(s)")
    out = bytearray(bits)
    for offset in range(size):
        position = index * size + offset
        mask = 0x80 >> (position % 8)
        if value & (1 << (size - 1 - offset)):
            out[position // 8] |= mask
        else:
            out[position // 8] &= ~mask
    return bytes(out)
