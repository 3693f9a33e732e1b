"""VC-JOSE-COSE: a credential (``typ: vc+jwt``) or presentation (``typ: vp+jwt``) secured as a
compact JWS. Every JOSE rule.

Signing uses PyJWT with an explicit header (PyJWT's default ``typ: JWT`` is
replaced). Verification never lets the token choose: the header and payload are
parsed with the strict JSON reader; ``alg: none``, HMAC, ``b64``, ``crit`` and
key-bearing headers are refused; ``alg`` must be in the verifier's allow-list
*and* match the key the verifier resolved from ``kid`` through its trust store;
and the signature is checked with innopass's own key objects (the same
primitives the Wycheproof vectors test). :func:`verify_vc_jwt` and
:func:`verify_vp_jwt` check a JWS (one function, :func:`_verify_jws`, under both);
:func:`jwt_claims` reads the registered claims. A presentation is bound to the
verifier's challenge by ``nonce`` and to its domain by ``aud`` (the registered
claims keep their IANA meaning, VC-JOSE-COSE §3.1.2), and its key is the holder's,
listed under ``authentication``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from innopass._internal.encoding import b64url_decode
from innopass._internal.jsonio import (
    DEFAULT_LIMITS,
    JsonLimits,
    JSONObject,
    JSONValue,
    as_list,
    loads_strict,
    parse_strict,
)
from innopass._internal.proof import ASSERTION, AUTHENTICATION, resolve_key
from innopass._internal.timestamps import beyond, format_datetime, parse_datetime
from innopass.did import Resolver, VerificationMethod
from innopass.errors import (
    CheckFailed,
    FailureCode,
    InvalidSignatureError,
    KeyMaterialError,
    MalformedInputError,
    ProofError,
)
from innopass.keys import KeyType, PrivateKey

__all__ = [
    "JWT_TYPE",
    "KEY_BEARING_HEADERS",
    "VP_JWT_TYPE",
    "JwtClaims",
    "ParsedJws",
    "is_vp_jwt",
    "jwt_claims",
    "looks_like_compact_jws",
    "parse_compact_jws",
    "sign_vc_jwt",
    "sign_vp_jwt",
    "verify_vc_jwt",
    "verify_vp_jwt",
]

JWT_TYPE: Final = "vc+jwt"
VP_JWT_TYPE: Final = "vp+jwt"
#: ``typ`` values that mean ``application/vc+jwt`` (RFC 7515 §4.1.9 allows the short form).
_TYPES: Final = frozenset({"vc+jwt", "application/vc+jwt"})
_VP_TYPES: Final = frozenset({"vp+jwt", "application/vp+jwt"})
#: Header parameters that would let a token carry or point at its own key.
KEY_BEARING_HEADERS: Final = ("jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256")
#: The largest NumericDate a ``datetime`` can hold (9999-12-31T23:59:59Z).
MAX_NUMERIC_DATE: Final = 253402300799
_PAYLOAD: Final = ""  # JSON pointers into a JWT point into its payload
_HEADER: Final = "/header"


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A strictly parsed compact JWS (signature not yet checked)."""

    header: JSONObject
    payload: JSONObject
    signing_input: bytes
    signature: bytes
    payload_plain: bool = field(default=False, compare=False)
    """The payload is known plain JSON without a float (learnt while parsing it)."""


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
    payload, plain = parse_strict(_b64decode(parts[1], "payload"), limits=limits)
    if not isinstance(header, dict):
        raise MalformedInputError("JWS header is not a JSON object")
    if not isinstance(payload, dict):
        raise MalformedInputError("JWS payload is not a JSON object")
    return ParsedJws(
        header=header,
        payload=payload,
        signing_input=f"{parts[0]}.{parts[1]}".encode("ascii"),
        signature=_b64decode(parts[2], "signature"),
        payload_plain=plain,
    )


#: The JOSE ``alg`` of each key type, learnt from the first key of that type that signs.
_JOSE_ALGS: dict[KeyType, str] = {}


def _jose_alg(key: PrivateKey) -> str:
    """``key.public_key().jose_alg``, without deriving (and checking) the public key each time:
    the algorithm is the key type's."""
    alg = _JOSE_ALGS.get(key.key_type)
    if alg is None:
        alg = _JOSE_ALGS[key.key_type] = key.public_key().jose_alg
    return alg


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
    return _encode(payload, key, typ=JWT_TYPE, cty="vc", kid=kid)


def sign_vp_jwt(
    presentation: Mapping[str, Any],
    key: PrivateKey,
    *,
    kid: str,
    issued_at: datetime,
    challenge: str | None = None,
    domain: str | None = None,
    expires: datetime | None = None,
) -> str:
    """Secure ``presentation`` as a ``vp+jwt``: ``iss`` the holder, ``nonce`` the verifier's
    challenge, ``aud`` its domain, ``iat``/``exp`` the signature's lifetime."""
    if "proof" in presentation:
        raise ProofError("a vp+jwt payload carries no Data Integrity proof")
    payload = dict(presentation)
    holder = presentation.get("holder")
    holder_id = holder.get("id") if isinstance(holder, dict) else holder
    if holder_id is not None:
        payload["iss"] = holder_id
    payload["iat"] = int(issued_at.timestamp())
    if expires is not None:
        payload["exp"] = int(expires.timestamp())
    if challenge is not None:
        payload["nonce"] = challenge
    if domain is not None:
        payload["aud"] = domain
    if "id" in presentation:
        payload["jti"] = presentation["id"]
    return _encode(payload, key, typ=VP_JWT_TYPE, cty="vp", kid=kid)


def _encode(payload: dict[str, Any], key: PrivateKey, *, typ: str, cty: str, kid: str) -> str:
    """The compact JWS of ``payload``, with the explicit header (PyJWT's ``typ: JWT`` replaced)."""
    import jwt  # PyJWT signs; verification never loads it

    alg = _jose_alg(key)
    return jwt.encode(
        payload,
        key.crypto_key,
        algorithm=alg,
        headers={"alg": alg, "typ": typ, "cty": cty, "kid": kid},
    )


def is_vp_jwt(parsed: ParsedJws) -> bool:
    """The JWS says it is a presentation (``typ`` ``vp+jwt``)."""
    typ = parsed.header.get("typ")
    return isinstance(typ, str) and typ.lower() in _VP_TYPES


def _malformed(message: str, path: str) -> CheckFailed:
    return CheckFailed(FailureCode.MALFORMED, message, path)


def _check_header(
    header: Mapping[str, JSONValue],
    algorithms: Collection[str],
    types: frozenset[str] = _TYPES,
) -> tuple[str, str]:
    """The protected header's ``alg`` and ``kid``, or :class:`CheckFailed`."""
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        raise CheckFailed(
            FailureCode.SIGNATURE_INVALID,
            f"JWS alg {str(alg)[:20]!r} carries no issuer signature (unsigned or a shared MAC)",
            f"{_HEADER}/alg",
        )
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in types:
        expected = JWT_TYPE if types is _TYPES else VP_JWT_TYPE
        raise _malformed(f"JWS typ must be {expected!r}", f"{_HEADER}/typ")
    if "b64" in header:  # RFC 7797 unencoded payloads: a vc+jwt signs the encoded payload
        raise _malformed("a vc+jwt must not use the JWS b64 header", f"{_HEADER}/b64")
    if "crit" in header:
        raise _malformed("JWS crit extensions are not understood", f"{_HEADER}/crit")
    for name in KEY_BEARING_HEADERS:
        if name in header:
            raise _malformed(
                f"JWS header {name!r} is refused: keys come from the trust store",
                f"{_HEADER}/{name}",
            )
    if alg not in algorithms:
        raise CheckFailed(
            FailureCode.UNSUPPORTED_SUITE,
            f"JWS alg {alg[:20]!r} is not accepted by this verifier",
            f"{_HEADER}/alg",
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _malformed("JWS kid missing", f"{_HEADER}/kid")
    return alg, kid


def verify_vc_jwt(
    parsed: ParsedJws, *, issuer: str, resolver: Resolver, algorithms: Collection[str]
) -> VerificationMethod:
    """Verify a parsed ``vc+jwt`` as made by ``issuer``; return the key it was signed with.

    The key is the ``kid`` DID URL of ``issuer``, resolved through ``resolver``
    (the verifier's trust store) under ``assertionMethod``. Raises
    :class:`~innopass.errors.CheckFailed`: ``signature-invalid`` for ``alg: none``,
    HMAC, an ``alg`` that is not the key's, or a bad signature;
    ``unsupported-suite`` for an ``alg`` outside ``algorithms``; ``malformed`` for
    a wrong ``typ``, ``b64``, ``crit``, a key-bearing header, a missing ``kid``, a
    ``vc``/``vp``/``proof`` member in the payload or an ``iss`` that is not the
    issuer; and the key failures of :func:`~innopass._internal.proof.resolve_key`.
    """
    return _verify_jws(
        parsed, signer=issuer, resolver=resolver, algorithms=algorithms, presentation=False
    )


def verify_vp_jwt(
    parsed: ParsedJws,
    *,
    holder: str,
    resolver: Resolver,
    algorithms: Collection[str],
    challenge: str | None = None,
    domain: str | None = None,
) -> VerificationMethod:
    """Verify a parsed ``vp+jwt`` as made by ``holder``; return the key it was signed with.

    As :func:`verify_vc_jwt`, with ``typ`` ``vp+jwt``, ``iss`` (when present) the
    holder and the key listed under ``authentication``; ``challenge-mismatch`` unless
    ``nonce`` is the ``challenge`` expected, ``domain-mismatch`` unless ``aud`` is (or
    holds) the ``domain`` expected. Both are the caller's, never the token's.
    """
    method = _verify_jws(
        parsed, signer=holder, resolver=resolver, algorithms=algorithms, presentation=True
    )
    payload = parsed.payload
    if challenge is not None and payload.get("nonce") != challenge:
        raise CheckFailed(
            FailureCode.CHALLENGE_MISMATCH,
            "the presentation's nonce is not the challenge this verifier issued",
            "/nonce",
        )
    if domain is not None:
        audience = payload.get("aud")
        if domain not in as_list(audience):
            raise CheckFailed(
                FailureCode.DOMAIN_MISMATCH,
                "the presentation's aud is not this verifier's domain",
                "/aud",
            )
    return method


def _verify_jws(
    parsed: ParsedJws,
    *,
    signer: str,
    resolver: Resolver,
    algorithms: Collection[str],
    presentation: bool,
) -> VerificationMethod:
    what = "vp+jwt" if presentation else "vc+jwt"
    alg, kid = _check_header(parsed.header, algorithms, _VP_TYPES if presentation else _TYPES)
    payload = parsed.payload
    for claim in ("vc", "vp"):
        if claim in payload:
            raise _malformed(f"a {what} payload must not carry a {claim!r} claim", f"/{claim}")
    if "proof" in payload:
        raise _malformed(f"a {what} payload must not carry a Data Integrity proof", "/proof")
    if "iss" in payload and payload["iss"] != signer:
        whose = "the presentation's holder" if presentation else "the credential issuer"
        raise _malformed(f"JWT iss does not equal {whose}", "/iss")
    method, _ = resolve_key(
        resolver,
        kid,
        issuer=signer,
        path=f"{_HEADER}/kid",
        relationship=AUTHENTICATION if presentation else ASSERTION,
    )
    key = method.public_key
    if alg != key.jose_alg:
        raise CheckFailed(
            FailureCode.SIGNATURE_INVALID,
            f"JWS alg {alg!r} does not match the {key.key_type} key {kid[:120]}",
            f"{_HEADER}/alg",
        )
    try:
        key.verify(parsed.signature, parsed.signing_input)
    except InvalidSignatureError as exc:
        raise CheckFailed(
            FailureCode.SIGNATURE_INVALID, f"signature does not verify: {exc}", _PAYLOAD
        ) from exc
    return method


@dataclass(frozen=True, slots=True)
class JwtClaims:
    """The registered time claims of a ``vc+jwt`` payload, read strictly."""

    iat: datetime | None
    nbf: datetime | None
    exp: datetime | None
    valid_from: datetime | None
    """The credential's own ``validFrom`` (for a JWT without ``iat`` and ``nbf``)."""

    @property
    def signing_time(self) -> datetime | None:
        """When the JWT was signed: ``iat``, else ``nbf``, else the credential's ``validFrom``.

        ``iat`` is optional in VC-JOSE-COSE (the jose reference omits it).
        """
        return self.iat or self.nbf or self.valid_from

    @property
    def signing_time_path(self) -> str:
        """The JSON pointer of the claim :attr:`signing_time` came from."""
        if self.iat is not None:
            return "/iat"
        return "/nbf" if self.nbf is not None else "/validFrom"


def jwt_claims(
    payload: Mapping[str, JSONValue], *, now: datetime, skew: timedelta
) -> tuple[JwtClaims, list[CheckFailed]]:
    """Read ``iat``/``nbf``/``exp``/``jti`` and check them at ``now``: the claims and the problems.

    Problems: ``malformed`` for a claim that is not a NumericDate or a ``jti`` that
    is not the credential ``id``; ``not-yet-valid`` for an ``nbf`` or an ``iat``
    in the future; ``expired`` past ``exp`` (each beyond ``skew``).
    """
    problems: list[CheckFailed] = []
    times: dict[str, datetime] = {}
    for claim in ("iat", "nbf", "exp"):
        value = payload.get(claim)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= MAX_NUMERIC_DATE
        ):
            problems.append(
                _malformed(
                    f"{claim} must be a NumericDate (whole seconds, 0 to {MAX_NUMERIC_DATE})",
                    f"/{claim}",
                )
            )
            continue
        times[claim] = datetime.fromtimestamp(value, UTC)
    if "jti" in payload and payload["jti"] != payload.get("id"):
        problems.append(_malformed("jti does not equal the credential id", "/jti"))
    if "nbf" in times and beyond(times["nbf"], now, skew):
        problems.append(
            CheckFailed(FailureCode.NOT_YET_VALID, "the JWT is not valid yet (nbf)", "/nbf")
        )
    if "iat" in times and beyond(times["iat"], now, skew):
        problems.append(
            CheckFailed(
                FailureCode.NOT_YET_VALID,
                f"the JWT was issued in the future ({format_datetime(times['iat'])})",
                "/iat",
            )
        )
    if "exp" in times and beyond(now, times["exp"], skew):
        problems.append(
            CheckFailed(
                FailureCode.EXPIRED, f"the JWT expired at {format_datetime(times['exp'])}", "/exp"
            )
        )
    valid_from: datetime | None = None
    if "iat" not in times and "nbf" not in times:
        try:
            valid_from = parse_datetime(payload.get("validFrom"), path="/validFrom")
        except MalformedInputError:
            valid_from = None  # reported by the validity check
    claims = JwtClaims(
        iat=times.get("iat"), nbf=times.get("nbf"), exp=times.get("exp"), valid_from=valid_from
    )
    return claims, problems
