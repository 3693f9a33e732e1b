"""VC-JOSE-COSE: a credential secured as a compact JWS with ``typ: vc+jwt``.

Signing uses PyJWT with an explicit header (PyJWT's default ``typ: JWT`` is
replaced). Verification never lets the token choose: the header and payload are
parsed with the strict JSON reader, ``typ``, ``crit`` and key-bearing headers are
checked, ``alg`` must be in the caller's allow-list *and* match the key the
caller resolved from ``kid`` through its trust store, and the signature is checked
with innopass's own key objects (the same primitives the Wycheproof vectors test).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from innopass._internal.jsonio import DEFAULT_LIMITS, JsonLimits, JSONObject, loads_strict
from innopass.errors import (
    InvalidSignatureError,
    KeyMaterialError,
    MalformedInputError,
    ProofError,
    UnsupportedSuiteError,
)
from innopass.keys import PrivateKey, PublicKey, b64url_decode

__all__ = [
    "JWT_TYPE",
    "KEY_BEARING_HEADERS",
    "ParsedJws",
    "check_vc_jwt_header",
    "looks_like_compact_jws",
    "parse_compact_jws",
    "sign_vc_jwt",
    "verify_vc_jwt",
]

JWT_TYPE = "vc+jwt"
#: Header parameters that would let a token carry or point at its own key.
KEY_BEARING_HEADERS = ("jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256")


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A strictly parsed compact JWS (signature not yet checked)."""

    header: JSONObject
    payload: JSONObject
    signing_input: bytes
    signature: bytes


def _b64decode(part: str, what: str) -> bytes:
    """Strict, canonical base64url without padding (one encoding per value: no malleability)."""
    try:
        return b64url_decode(part, what=f"JWS {what}")
    except KeyMaterialError as exc:
        raise MalformedInputError(f"JWS {what} is not canonical base64url without padding") from exc


_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def looks_like_compact_jws(text: str) -> bool:
    """Cheap shape test: three dot-separated base64url segments (the last may be empty)."""
    return _COMPACT_JWS.fullmatch(text.strip()) is not None


def parse_compact_jws(token: str, *, limits: JsonLimits = DEFAULT_LIMITS) -> ParsedJws:
    """Split and strictly parse a compact JWS; raise :class:`MalformedInputError`."""
    token = token.strip()
    if len(token) > limits.max_bytes * 2:
        raise MalformedInputError("JWS is over the size limit")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedInputError("not a compact JWS (expected three dot-separated parts)")
    header = loads_strict(_b64decode(parts[0], "header"), limits=limits)
    payload = loads_strict(_b64decode(parts[1], "payload"), limits=limits)
    if not isinstance(header, dict):
        raise MalformedInputError("JWS header is not a JSON object")
    if not isinstance(payload, dict):
        raise MalformedInputError("JWS payload is not a JSON object")
    return ParsedJws(
        header=header,
        payload=payload,
        signing_input=f"{parts[0]}.{parts[1]}".encode("ascii"),
        signature=_b64decode(parts[2], "signature"),
    )


def sign_vc_jwt(
    credential: Mapping[str, Any], key: PrivateKey, *, kid: str, issued_at: datetime
) -> str:
    """Secure ``credential`` (without ``proof``) as a ``vc+jwt`` compact JWS (FORMATS.md §2)."""
    if "proof" in credential:
        raise ProofError("a vc+jwt payload carries no Data Integrity proof")
    payload = dict(credential)
    issuer = credential.get("issuer")
    payload["iss"] = issuer.get("id") if isinstance(issuer, dict) else issuer
    payload["iat"] = int(issued_at.timestamp())
    if "id" in credential:
        payload["jti"] = credential["id"]
    alg = key.public_key().jose_alg
    return jwt.encode(
        payload,
        key.crypto_key,
        algorithm=alg,
        headers={"alg": alg, "typ": JWT_TYPE, "cty": "vc", "kid": kid},
    )


def check_vc_jwt_header(parsed: ParsedJws, *, algorithms: Collection[str]) -> str:
    """Check the protected header; return ``alg``.

    ``alg: none`` and the HMAC algorithms are refused outright (a credential is
    never secured with a shared secret): :class:`ProofError`. Any other algorithm
    outside ``algorithms`` is :class:`UnsupportedSuiteError`.
    """
    header = parsed.header
    if header.get("typ") != JWT_TYPE:
        raise ProofError(f"JWS typ must be {JWT_TYPE!r}", path="/header/typ")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise ProofError("JWS alg missing", path="/header/alg")
    if alg.lower() == "none" or alg.upper().startswith("HS"):
        raise ProofError(f"JWS alg {alg!r} provides no issuer signature", path="/header/alg")
    if alg not in algorithms:
        raise UnsupportedSuiteError(alg)
    if "crit" in header:
        raise ProofError("JWS crit extensions are not understood", path="/header/crit")
    for name in KEY_BEARING_HEADERS:
        if name in header:
            raise ProofError(
                f"JWS header {name!r} is refused: keys come from the trust store",
                path=f"/header/{name}",
            )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ProofError("JWS kid missing", path="/header/kid")
    return alg


def verify_vc_jwt(parsed: ParsedJws, key: PublicKey, *, algorithms: Collection[str]) -> None:
    """Verify a parsed ``vc+jwt`` with ``key`` (resolved by the caller from ``kid``).

    Raises :class:`ProofError` (format), :class:`UnsupportedSuiteError` (algorithm
    not allowed) or :class:`InvalidSignatureError`.
    """
    alg = check_vc_jwt_header(parsed, algorithms=algorithms)
    if alg != key.jose_alg:
        raise InvalidSignatureError(f"JWS alg {alg!r} does not match the {key.key_type} key")
    payload = parsed.payload
    for claim in ("vc", "vp"):
        if claim in payload:
            raise ProofError(f"vc+jwt payload must not carry a {claim!r} claim", path=f"/{claim}")
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if "iss" in payload and payload["iss"] != issuer_id:
        raise ProofError("JWT iss does not equal the credential issuer", path="/iss")
    key.verify(parsed.signature, parsed.signing_input)
