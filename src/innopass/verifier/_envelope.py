"""The ``parse`` check: the input, read once, into one :class:`Envelope` every other check reads.

A passport arrives as text, bytes or parsed JSON: a Data Integrity credential, a
compact ``vc+jwt`` JWS, or a bundle carrying either. :func:`open_envelope` reads it
strictly (size and depth limits, duplicate keys, lone surrogates, NaN), unwraps a
bundle (without parsing its unsigned issuer description, which nothing uses),
checks the VC 2.0 envelope, and parses the proof. No later check parses,
canonicalises or derives again what the envelope holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from innopass._internal.contexts import CREDENTIALS_V2, PASSPORT_CONTEXT
from innopass._internal.credential import (
    ADOPTION_TYPE,
    PASSPORT_TYPE,
    VC_TYPE,
    credential_types,
    issuer_id,
)
from innopass._internal.jose import JWT_TYPE, ParsedJws, looks_like_compact_jws, parse_compact_jws
from innopass._internal.jsonio import JsonLimits, JSONObject, JSONValue, loads_strict, pointer
from innopass._internal.proof import DataIntegrityProof, parse_proofs
from innopass.errors import CheckFailed, FailureCode, MalformedInputError
from innopass.trust import BUNDLE_TYPE, FORMAT_VERSION, MAX_BUNDLE_STATUS_LISTS

__all__ = ["Envelope", "open_envelope"]

_PASSPORT_CONTEXT = list(PASSPORT_CONTEXT)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A credential as the checks see it: parsed once, with what they all need."""

    credential: JSONObject
    """The credential: the Data Integrity document (with its proof), or the JWT payload."""
    types: frozenset[str]
    issuer: str | None
    id: str | None
    is_passport: bool
    """``@context`` exactly the passport context and ``type`` including InnovatorPassport."""
    is_adoption: bool = False
    """``@context`` exactly the innopass context and ``type`` including InnopassAdoption."""
    jws: ParsedJws | None = None
    proofs: tuple[DataIntegrityProof, ...] = ()
    """The Data Integrity proofs, parsed (empty for a JWT or when they cannot be parsed)."""
    proof_problem: CheckFailed | None = None
    """Why the proofs could not be parsed (reported by the proof check)."""
    bundle_status_lists: tuple[JSONObject, ...] = ()
    bundle_trust_list: JSONObject | None = None
    from_bundle: bool = False

    @property
    def format(self) -> str | None:
        """``vc+jwt``, or the cryptosuite of the (first) proof; ``None`` when unknown."""
        if self.jws is not None:
            return JWT_TYPE
        return self.proofs[0].cryptosuite if self.proofs else None


def _load(passport: object, limits: JsonLimits) -> JSONValue | ParsedJws:
    """JSON or a compact JWS from the input (raises :class:`MalformedInputError`)."""
    if isinstance(passport, Mapping):
        try:
            text = json.dumps(dict(passport), allow_nan=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise MalformedInputError(f"not JSON data: {exc}") from exc
        return loads_strict(text, limits=limits)
    if not isinstance(passport, str | bytes | bytearray):
        raise MalformedInputError(f"cannot verify a {type(passport).__name__}")
    if len(passport) > limits.max_bytes:
        raise MalformedInputError(f"input is over the limit of {limits.max_bytes} bytes")
    text = passport if isinstance(passport, str) else bytes(passport).decode("utf-8", "replace")
    if looks_like_compact_jws(text):
        return parse_compact_jws(text, limits=limits)
    return loads_strict(passport, limits=limits)


@dataclass(frozen=True, slots=True)
class _BundleParts:
    passport: JSONValue
    status_lists: tuple[JSONObject, ...]
    trust_list: JSONObject | None


def _bundle_parts(value: JSONObject) -> _BundleParts:
    """What the verifier uses of a bundle (FORMATS.md §6); its issuer description is unsigned
    and supplies nothing, so it is only required to be an object."""
    version = value.get("formatVersion")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise MalformedInputError(f"formatVersion must be {FORMAT_VERSION}", path="/formatVersion")
    passport = value.get("passport")
    if not isinstance(passport, dict | str):
        raise MalformedInputError(
            "passport must be a credential or a compact JWS", path="/passport"
        )
    if "issuer" in value and not isinstance(value["issuer"], dict):
        raise MalformedInputError("issuer must be an organisation description", path="/issuer")
    lists = value.get("statusLists", [])
    if not isinstance(lists, list):
        raise MalformedInputError("statusLists is not a list", path="/statusLists")
    if len(lists) > MAX_BUNDLE_STATUS_LISTS:
        raise MalformedInputError(
            f"statusLists has {len(lists)} lists, over the limit of {MAX_BUNDLE_STATUS_LISTS}",
            path="/statusLists",
        )
    for i, item in enumerate(lists):
        if not isinstance(item, dict):
            raise MalformedInputError(
                "status list is not an object", path=pointer("statusLists", i)
            )
    trust_list = value.get("trustList")
    if trust_list is not None and not isinstance(trust_list, dict):
        raise MalformedInputError("trustList is not an object", path="/trustList")
    return _BundleParts(passport, tuple(lists), trust_list)  # type: ignore[arg-type]


def _envelope_problems(credential: JSONObject) -> list[tuple[str, str]]:
    """VC 2.0 envelope problems as ``(message, path)``."""
    problems: list[tuple[str, str]] = []
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != CREDENTIALS_V2:
        problems.append(
            (f"not a VC 2.0 credential: @context must start with {CREDENTIALS_V2}", "/@context")
        )
    if VC_TYPE not in credential_types(credential):
        problems.append((f"type must include {VC_TYPE}", "/type"))
    if issuer_id(credential) is None:
        problems.append(("issuer must be a URL or an object with an id", "/issuer"))
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) and not (
        isinstance(subject, list) and subject and all(isinstance(s, dict) for s in subject)
    ):
        problems.append(
            ("credentialSubject must be an object or a list of objects", "/credentialSubject")
        )
    if "id" in credential and not isinstance(credential["id"], str):
        problems.append(("id must be a string", "/id"))
    return problems


def open_envelope(
    passport: object, *, limits: JsonLimits, max_proofs: int
) -> tuple[Envelope | None, list[CheckFailed]]:
    """Read ``passport``: its envelope (``None`` when nothing usable was read) and the
    ``parse`` failures."""
    try:
        value = _load(passport, limits)
    except MalformedInputError as exc:
        return None, [CheckFailed(FailureCode.MALFORMED, exc.message, exc.path)]
    parts: _BundleParts | None = None
    if isinstance(value, dict) and value.get("type") == BUNDLE_TYPE:
        try:
            parts = _bundle_parts(value)
            inner = parts.passport
            value = parse_compact_jws(inner, limits=limits) if isinstance(inner, str) else inner
        except MalformedInputError as exc:
            where = "/passport" if parts is not None else exc.path
            return None, [
                CheckFailed(FailureCode.MALFORMED, f"not a valid bundle: {exc.message}", where)
            ]
    jws = value if isinstance(value, ParsedJws) else None
    credential = jws.payload if jws is not None else value
    if not isinstance(credential, dict):
        return None, [
            CheckFailed(
                FailureCode.MALFORMED, "not a credential: expected a JSON object or a compact JWS"
            )
        ]
    failures = [
        CheckFailed(FailureCode.MALFORMED, message, path)
        for message, path in _envelope_problems(credential)
    ]
    proofs: tuple[DataIntegrityProof, ...] = ()
    problem: CheckFailed | None = None
    if jws is None:
        try:
            proofs = parse_proofs(credential, max_proofs=max_proofs)
        except CheckFailed as exc:
            problem = exc
    raw_id = credential.get("id")
    types = frozenset(credential_types(credential))
    envelope = Envelope(
        credential=credential,
        types=types,
        issuer=issuer_id(credential),
        id=raw_id if isinstance(raw_id, str) else None,
        is_passport=credential.get("@context") == _PASSPORT_CONTEXT and PASSPORT_TYPE in types,
        is_adoption=credential.get("@context") == _PASSPORT_CONTEXT
        and ADOPTION_TYPE in types
        and PASSPORT_TYPE not in types,
        jws=jws,
        proofs=proofs,
        proof_problem=problem,
        bundle_status_lists=() if parts is None else parts.status_lists,
        bundle_trust_list=None if parts is None else parts.trust_list,
        from_bundle=parts is not None,
    )
    return envelope, failures
