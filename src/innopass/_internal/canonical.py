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

orjson writes NaN and the infinities as ``null``. Text read by the strict reader
cannot hold them, so for such a value (``from_json=True``) the fast route's output
is taken as it is; for any other value whose output holds ``null`` it is read back
and compared, so a non-finite number (which JCS refuses) is never signed as
``null``. (Tuples are arrays on both routes.)
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import orjson
import rfc8785

from innopass._internal.jsonio import may_hold_float, may_hold_null
from innopass.errors import MalformedInputError

__all__ = ["canonicalize", "content_digest", "sha256_digest"]

_OPTIONS: Final = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_STRICT_INTEGER  # refuses integers beyond ±(2**53 - 1), as I-JSON does
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


_DIGEST_OPTIONS: Final = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
)


def _not_json(value: Any) -> Any:
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _fast(value: Any, *, from_json: bool = False) -> bytes | None:
    """JCS by orjson, or ``None`` when the exact route must decide (module docstring)."""
    try:
        out = orjson.dumps(value, default=_not_json, option=_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return None
    if not out.isascii() and max(out.decode("utf-8")) > "\uffff":
        return None  # UTF-16 key order differs from code-point order beyond the BMP
    if may_hold_float(out):
        return None  # a float: ECMAScript number formatting is the exact route's
    if not from_json and may_hold_null(out) and orjson.loads(out) != value:
        return None  # NaN or an infinity written as null: JCS refuses it
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


def canonicalize(value: Any, *, from_json: bool = False) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    ``from_json`` says ``value`` (or the document it is part of) was read by the
    strict reader, so it holds no non-finite number. Raises
    :class:`~innopass.errors.MalformedInputError` for what JCS refuses: a value that
    is not JSON, a non-string key, a lone surrogate, an integer outside
    ±(2**53 - 1), NaN or an infinity.
    """
    fast = _fast(value, from_json=from_json)
    return fast if fast is not None else _exact(value)


def sha256_digest(value: Any, *, from_json: bool = False) -> str:
    """Hex SHA-256 of the canonical form of ``value`` (``from_json``: see :func:`canonicalize`)."""
    return hashlib.sha256(canonicalize(value, from_json=from_json)).hexdigest()


def content_digest(value: Any, *, from_json: bool = False) -> bytes | None:
    """A SHA-256 that identifies a JSON value's content (for caches), or ``None``.

    Equal content gives equal digests whatever the key order, and different content
    different digests; it is not JCS (nothing is signed over it). ``None`` for a
    value that is not JSON, or (unless ``from_json``: see :func:`canonicalize`)
    holds a number orjson would write as ``null``.
    """
    try:
        out = orjson.dumps(value, default=_not_json, option=_DIGEST_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return None
    if not from_json and may_hold_null(out) and orjson.loads(out) != value:
        return None
    return hashlib.sha256(out).digest()
