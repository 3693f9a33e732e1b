"""RFC 8785 JSON Canonicalization Scheme: the only JSON-to-bytes path used for signing.

Every signature and digest in innopass (Data Integrity proofs, record digests,
trust lists, status lists) is computed over :func:`canonicalize`. The work is done
by the ``rfc8785`` package (Trail of Bits), which implements the UTF-16 key order
and ECMAScript number serialisation exactly and refuses integers outside the
IEEE-754 safe range and non-finite floats; this module turns its errors into
:class:`~innopass.errors.MalformedInputError`.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from innopass.errors import MalformedInputError

__all__ = ["canonicalize", "sha256_digest"]


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value."""
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


def sha256_digest(value: Any) -> str:
    """Hex SHA-256 of the canonical form of ``value``."""
    return hashlib.sha256(canonicalize(value)).hexdigest()
