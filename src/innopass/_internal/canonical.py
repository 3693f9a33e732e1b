"""RFC 8785 JSON Canonicalization Scheme: the only JSON-to-bytes path used for signing.

Every signature and digest in innopass (Data Integrity proofs, record digests,
trust lists, status lists) is computed over :func:`canonicalize`.

Two routes give the same bytes. Documents without floating-point numbers (every
document innopass writes: decimals travel as strings) take the fast route: keys
sorted by UTF-16 code units in one pass that also checks the I-JSON integer range,
then the standard library's C encoder, whose string escaping with
``ensure_ascii=False`` is exactly JCS's (short escapes for ``\\b \\t \\n \\f \\r``,
lower-case ``\\u00xx`` for other controls, everything else literal). A document
with a float takes the ``rfc8785`` package (Trail of Bits), which implements
ECMAScript number serialisation. A property test keeps the routes identical, and
both run the official vectors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import rfc8785

from innopass.errors import MalformedInputError

__all__ = ["canonicalize", "sha256_digest", "shared_canonical_forms"]

_MAX_SAFE_INTEGER = 2**53 - 1
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class _HasFloat(Exception):
    """The document needs ECMAScript number formatting: use the rfc8785 route."""


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


#: id(object) → (object, its sorted copy), while :func:`shared_canonical_forms` is active.
_SHARED: ContextVar[dict[int, tuple[Any, Any]] | None] = ContextVar("innopass_jcs", default=None)


@contextmanager
def shared_canonical_forms() -> Iterator[None]:
    """Within this block, an object canonicalised before (alone or inside another) is
    not sorted again: a verifier canonicalises a passport for its proof and then its
    record for the digest, and the second costs only the final encoding.

    The objects must not change inside the block (each entry keeps its object alive,
    so an ``id`` cannot be reused).
    """
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _sorted_copy(value: Any, shared: dict[int, tuple[Any, Any]] | None) -> Any:
    """A copy with every object's keys in JCS order; refuses what JCS refuses."""
    if isinstance(value, str) or value is None or value is True or value is False:
        return value
    if isinstance(value, dict):
        if shared is not None:
            seen = shared.get(id(value))
            if seen is not None and seen[0] is value:
                return seen[1]
        try:
            ascii_keys = "".join(value).isascii()
        except TypeError:
            raise MalformedInputError("object keys must be strings") from None
        # for ASCII keys code-point order is UTF-16 order, and plain sorting is faster
        keys = sorted(value) if ascii_keys else sorted(value, key=_utf16_key)
        ordered = {key: _sorted_copy(value[key], shared) for key in keys}
        if shared is not None:
            shared[id(value)] = (value, ordered)
        return ordered
    if isinstance(value, list | tuple):
        return [_sorted_copy(item, shared) for item in value]
    if isinstance(value, int):
        if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
            return value
        raise MalformedInputError(f"integer outside the interoperable range: {value}")
    if isinstance(value, float):
        raise _HasFloat
    raise MalformedInputError(f"not a JSON value: {type(value).__name__}")


def _rfc8785(value: Any) -> bytes:
    try:
        return rfc8785.dumps(value)
    except rfc8785.IntegerDomainError as exc:
        raise MalformedInputError(f"integer outside the interoperable range: {exc}") from exc
    except rfc8785.FloatDomainError as exc:
        raise MalformedInputError(f"number cannot be canonicalised: {exc}") from exc
    except rfc8785.CanonicalizationError as exc:
        raise MalformedInputError(f"value cannot be canonicalised: {exc}") from exc
    except UnicodeEncodeError as exc:
        raise MalformedInputError("string contains a lone surrogate") from exc


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value."""
    try:
        ordered = _sorted_copy(value, _SHARED.get())
    except _HasFloat:
        return _rfc8785(value)
    except RecursionError as exc:
        raise MalformedInputError("value nested too deeply to canonicalise") from exc
    try:
        return _ENCODER.encode(ordered).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedInputError("string contains a lone surrogate") from exc
    except RecursionError as exc:
        raise MalformedInputError("value nested too deeply to canonicalise") from exc


def sha256_digest(value: Any) -> str:
    """Hex SHA-256 of the canonical form of ``value``."""
    return hashlib.sha256(canonicalize(value)).hexdigest()
