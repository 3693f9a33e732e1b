"""The ``parse`` check: the input, read once, into one :class:`Envelope` every other check reads.

A passport arrives as text, bytes or parsed JSON: a Data Integrity credential, a
compact ``vc+jwt`` JWS, an ``EnvelopedVerifiableCredential`` whose ``data:`` URL
holds one, or a bundle carrying any of these. :func:`open_envelope` reads it
strictly (size and depth limits, duplicate keys, lone surrogates, NaN), unwraps a
bundle (without parsing its unsigned issuer description, which nothing uses) and
an envelope, checks the VC Data Model 2.0 rules (:mod:`innopass._internal.datamodel`),
and parses the proof. No later check parses,
canonicalises or derives again what the envelope holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from innopass._internal.contexts import PASSPORT_CONTEXT
from innopass._internal.credential import ADOPTION_TYPE, PASSPORT_TYPE, credential_types, issuer_id
from innopass._internal.datamodel import (
    ENVELOPED_CREDENTIAL_TYPE,
    ENVELOPED_PRESENTATION_TYPE,
    Held,
    credential_problems,
    data_url_content,
    data_url_parts,
    envelope_problems,
    held_resource,
)
from innopass._internal.jose import JWT_TYPE, ParsedJws, looks_like_compact_jws, parse_compact_jws
from innopass._internal.jsonio import (
    JsonLimits,
    JSONObject,
    JSONValue,
    as_list,
    parse_strict,
    pointer,
)
from innopass._internal.proof import DataIntegrityProof, parse_proofs
from innopass.errors import CheckFailed, FailureCode, MalformedInputError
from innopass.trust import BUNDLE_TYPE, FORMAT_VERSION, MAX_BUNDLE_STATUS_LISTS

__all__ = [
    "Envelope",
    "load_input",
    "open_envelope",
    "unwrap_enveloped",
]

_PASSPORT_CONTEXT = list(PASSPORT_CONTEXT)
#: The media types of enveloped credentials innopass reads (VC-JOSE-COSE §3.1.1).
ENVELOPED_MEDIA_TYPES: Final = ("application/vc+jwt",)
ENVELOPED_PRESENTATION_MEDIA_TYPES: Final = ("application/vp+jwt",)


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
    plain: bool = False
    """The credential is known plain JSON without a float (canonicalised without a walk)."""
    enveloped: bool = False
    """The JWS came in an ``EnvelopedVerifiableCredential`` (a ``data:`` URL)."""

    @property
    def format(self) -> str | None:
        """``vc+jwt``, or the cryptosuite of the (first) proof; ``None`` when unknown."""
        if self.jws is not None:
            return JWT_TYPE
        return self.proofs[0].cryptosuite if self.proofs else None


def load_input(passport: object, limits: JsonLimits) -> tuple[JSONValue | ParsedJws, bool]:
    """JSON or a compact JWS from the input, and whether it is JSON known to be plain
    and float-free (:func:`parse_strict`); raises :class:`MalformedInputError`."""
    if isinstance(passport, Mapping):
        try:
            text = json.dumps(dict(passport), allow_nan=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise MalformedInputError(f"not JSON data: {exc}") from exc
        return parse_strict(text, limits=limits)
    if not isinstance(passport, str | bytes | bytearray):
        raise MalformedInputError(f"cannot verify a {type(passport).__name__}")
    if len(passport) > limits.max_bytes:
        raise MalformedInputError(f"input is over the limit of {limits.max_bytes} bytes")
    # A passport saved by an editor that writes a UTF-8 byte order mark is read as if it
    # had none: RFC 8259 §8.1 lets a parser ignore one, and the proof covers the parsed
    # credential (or the compact JWS), never the file's bytes (FORMATS.md §1).
    if isinstance(passport, str):
        passport = passport.removeprefix("\ufeff")
    else:
        passport = bytes(passport).removeprefix(b"\xef\xbb\xbf")
    text = passport if isinstance(passport, str) else bytes(passport).decode("utf-8", "replace")
    if looks_like_compact_jws(text):
        return parse_compact_jws(text, limits=limits), False
    return parse_strict(passport, limits=limits)


@dataclass(frozen=True, slots=True)
class _BundleParts:
    passport: JSONValue
    status_lists: tuple[JSONObject, ...]
    trust_list: JSONObject | None


def _bundle_parts(value: JSONObject) -> _BundleParts:
    """What the verifier uses of a bundle (FORMATS.md §6); its issuer description is unsigned
    and supplies nothing, so it is only required to be an object."""
    version = value.get("formatVersion")
    if type(version) is not int or version != FORMAT_VERSION:  # not True, not 1.0
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


def _json_value(value: object) -> JSONValue:
    assert value is None or isinstance(value, str | int | float | list | dict)
    return value


def unwrap_enveloped(
    value: JSONObject, limits: JsonLimits, *, presentation: bool = False
) -> tuple[ParsedJws | None, list[CheckFailed]]:
    """The compact JWS an ``EnvelopedVerifiableCredential`` (or, with ``presentation``, an
    ``EnvelopedVerifiablePresentation``) carries, and the envelope's problems."""
    expected = ENVELOPED_PRESENTATION_TYPE if presentation else ENVELOPED_CREDENTIAL_TYPE
    media_types = ENVELOPED_PRESENTATION_MEDIA_TYPES if presentation else ENVELOPED_MEDIA_TYPES
    problems = envelope_problems(value, expected)
    identifier = value.get("id")
    if not isinstance(identifier, str) or not identifier.startswith("data:"):
        return None, problems
    try:
        media_type, encoded, data = data_url_parts(identifier)
        if media_type not in media_types:
            problems.append(
                CheckFailed(
                    FailureCode.UNSUPPORTED_SUITE,
                    f"an {expected} of media type {media_type[:60]!r} is not supported "
                    f"(innopass reads {', '.join(media_types)})",
                    "/id",
                )
            )
            return None, problems
        return parse_compact_jws(data_url_content(encoded, data), limits=limits), problems
    except (MalformedInputError, UnicodeError, ValueError) as exc:
        message = exc.message if isinstance(exc, MalformedInputError) else str(exc)
        problems.append(CheckFailed(FailureCode.MALFORMED, f"{expected}: {message}", "/id"))
        return None, problems


def open_envelope(
    passport: object,
    *,
    limits: JsonLimits,
    max_proofs: int,
    held: Held = held_resource,
    loaded: bool = False,
    plain: bool = False,
) -> tuple[Envelope | None, list[CheckFailed]]:
    """Read ``passport``: its envelope (``None`` when nothing usable was read) and the
    ``parse`` failures: the VC Data Model 2.0 problems of the credential (see
    :mod:`innopass._internal.datamodel`; ``held`` gives related resources to check).

    ``loaded``: ``passport`` is what :func:`load_input` returned (a value the strict
    reader produced, such as a credential inside a presentation), not read again;
    ``plain`` then says whether it is known plain and float-free.
    """
    if loaded:
        value = passport if isinstance(passport, ParsedJws) else _json_value(passport)
    else:
        try:
            value, plain = load_input(passport, limits)
        except MalformedInputError as exc:
            return None, [CheckFailed(FailureCode.MALFORMED, exc.message, exc.path)]
    parts: _BundleParts | None = None
    if isinstance(value, dict) and value.get("type") == BUNDLE_TYPE:
        try:
            parts = _bundle_parts(value)
            inner = parts.passport
            if isinstance(inner, str):
                value, plain = parse_compact_jws(inner, limits=limits), False
            else:
                value = inner
        except MalformedInputError as exc:
            where = "/passport" if parts is not None else exc.path
            return None, [
                CheckFailed(FailureCode.MALFORMED, f"not a valid bundle: {exc.message}", where)
            ]
    failures: list[CheckFailed] = []
    enveloped = isinstance(value, dict) and ENVELOPED_CREDENTIAL_TYPE in as_list(value.get("type"))
    if isinstance(value, dict) and enveloped:
        value, failures = unwrap_enveloped(value, limits)
        if value is None:
            return None, failures
    jws = value if isinstance(value, ParsedJws) else None
    credential = jws.payload if jws is not None else value
    if not isinstance(credential, dict):
        return None, [
            CheckFailed(
                FailureCode.MALFORMED, "not a credential: expected a JSON object or a compact JWS"
            )
        ]
    failures += credential_problems(credential, held=held)
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
        enveloped=enveloped,
        plain=jws.payload_plain if jws is not None else plain,
    )
    return envelope, failures
