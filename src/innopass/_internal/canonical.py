"""RFC 8785 JSON Canonicalization Scheme: the only JSON-to-bytes path used for signing.

Every signature and digest in innopass (Data Integrity proofs, record digests,
trust lists, status lists) is computed over :func:`canonicalize`.

Two routes give the same bytes. The fast route is orjson with sorted keys: for a
document whose strings are within the Basic Multilingual Plane, whose numbers are
integers within I-JSON's range, and that holds only JSON values, its output is
exactly JCS (keys sorted by code point, which is UTF-16 order for such keys;
UTF-8 written as is; the short escapes ``\\b \\t \\n \\f \\r`` and lower-case
``\\u00xx`` for other controls; integers as themselves). Anything else (a float, a
large integer, a character beyond U+FFFF, a value that is not JSON) takes the exact
route, the ``rfc8785`` package (Trail of Bits), which implements ECMAScript number
serialisation and UTF-16 key order. Both run the official vectors, and a property
test keeps them identical on generated documents.

Which route a value takes is decided on the value, not on its text: the fast
route takes only plain dicts, lists, tuples (arrays on both routes), strings,
integers, booleans and ``None``, with no float anywhere
(:func:`~innopass._internal.jsonio.plain_without_floats`; orjson would write NaN
and the infinities as ``null``, which JCS refuses).
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import orjson
import rfc8785

from innopass._internal.jsonio import plain_without_floats
from innopass.errors import MalformedInputError

__all__ = ["canonicalize", "content_digest", "sha256_digest"]

_OPTIONS: Final = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_STRICT_INTEGER  # refuses integers beyond ±(2**53 - 1), as I-JSON does
)


_DIGEST_OPTIONS: Final = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
)


def _not_json(value: Any) -> Any:
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _fast(value: Any, plain: bool) -> bytes | None:
    """JCS by orjson, or ``None`` when the exact route must decide (module docstring)."""
    if not plain and not plain_without_floats(value):
        return None  # a float (ECMAScript formatting, NaN) or a type JCS must judge
    try:
        out = orjson.dumps(value, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return None  # a non-string key, a large integer, a lone surrogate, depth
    if not out.isascii() and max(out.decode("utf-8")) > "\uffff":
        return None  # UTF-16 key order differs from code-point order beyond the BMP
    return out


def _exact(value: Any) -> bytes:
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
    except RecursionError as exc:
        raise MalformedInputError("value nested too deeply to canonicalise") from exc


def canonicalize(value: Any, *, plain: bool = False) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    ``plain`` says the caller knows ``value`` passes
    :func:`~innopass._internal.jsonio.plain_without_floats` (for example, it is part
    of a document :func:`~innopass._internal.jsonio.parse_strict` said so of), so it
    is not walked again. Raises
    :class:`~innopass.errors.MalformedInputError` for what JCS refuses: a value that
    is not JSON, a non-string key, a lone surrogate, an integer outside
    ±(2**53 - 1), NaN or an infinity.
    """
    fast = _fast(value, plain)
    return fast if fast is not None else _exact(value)


def sha256_digest(value: Any, *, plain: bool = False) -> str:
    """Hex SHA-256 of the canonical form of ``value`` (``plain``: see :func:`canonicalize`)."""
    return hashlib.sha256(canonicalize(value, plain=plain)).hexdigest()


def content_digest(value: Any, *, from_json: bool = False) -> bytes | None:
    """A SHA-256 that identifies a JSON value's content (for caches), or ``None``.

    Equal content gives equal digests whatever the key order, and different content
    different digests; it is not JCS (nothing is signed over it). ``None`` for a
    value that is not JSON, or (unless ``from_json``: it was read by the strict
    reader, which refuses NaN and the infinities) that may hold a number orjson
    would write as ``null``.
    """
    if not from_json and not plain_without_floats(value):
        return None
    try:
        out = orjson.dumps(value, default=_not_json, option=_DIGEST_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return None
    return hashlib.sha256(out).digest()
