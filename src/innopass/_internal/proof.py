"""Data Integrity 1.0 ``DataIntegrityProof``: the one engine that adds and verifies proofs.

Implements the JCS variant of the generic algorithms (VC Data Integrity §4, DI
EdDSA/ECDSA cryptosuites §3.3): the document's ``@context`` is copied into the
proof when signing; when verifying, the document's ``@context`` must start with
the proof's and the document is canonicalised with the proof's ``@context``.
Every proof field except ``proofValue`` is covered by the signature.

:func:`verify_data_integrity` is the only way innopass checks a proof, for
passports, trust lists, status lists and the official vectors alike. The verifier
chooses everything: the suite comes from *its* allow-list, the key from *its*
resolver, the key must be a DID URL of the expected issuer listed under the
expected verification relationship, and the expected purpose, challenge and
domain are its own. Every problem is a :class:`~innopass.errors.CheckFailed`
carrying a :class:`~innopass.errors.FailureCode` and a JSON pointer.

Proof sets and chains (Data Integrity §4.3–4.5) are verified as the
specification's algorithm says: every proof must verify; a proof with
``previousProof`` is checked over the document whose ``proof`` is exactly the
proofs it names, and a name that matches no proof present fails.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from innopass._internal.encoding import base58btc_decode, base58btc_encode
from innopass._internal.jsonio import JSONObject, JSONValue, as_list, pointer
from innopass._internal.suites import Cryptosuite
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.did import (
    DidDocument,
    Resolver,
    StaticResolver,
    VerificationMethod,
    resolve_verification_method,
    split_did_url,
)
from innopass.errors import (
    CheckFailed,
    FailureCode,
    InvalidSignatureError,
    KeyNotAuthorisedError,
    KeyNotFoundError,
    MalformedInputError,
    ProofError,
    ResolutionError,
)
from innopass.keys import KeyType, PrivateKey

__all__ = [
    "ASSERTION",
    "AUTHENTICATION",
    "DEFAULT_MAX_PROOFS",
    "PROOF_TYPE",
    "DataIntegrityProof",
    "ProofOptions",
    "SignedBy",
    "add_proof",
    "hash_data",
    "parse_proofs",
    "resolve_key",
    "verify_data_integrity",
]

PROOF_TYPE: Final = "DataIntegrityProof"
ASSERTION: Final = "assertionMethod"
AUTHENTICATION: Final = "authentication"
#: The most proofs one document may carry (a set or a chain); more is refused unread.
DEFAULT_MAX_PROOFS: Final = 8
_MAX_PROOF_VALUE: Final = 256


@dataclass(frozen=True, slots=True)
class ProofOptions:
    """What the signer puts in a proof besides the suite and the signature."""

    verification_method: str
    proof_purpose: str = ASSERTION
    created: datetime | None = None
    expires: datetime | None = None
    id: str | None = None
    domain: str | None = None
    challenge: str | None = None
    nonce: str | None = None
    previous_proof: str | None = None


@dataclass(frozen=True, slots=True)
class DataIntegrityProof:
    """A parsed, structurally checked proof (not yet verified)."""

    cryptosuite: str
    verification_method: str
    proof_purpose: str
    signature: bytes
    created: datetime | None
    expires: datetime | None
    config: JSONObject
    """The proof without ``proofValue``: exactly what is canonicalised and hashed."""
    path: str = "/proof"
    """Where the proof is in its document (``/proof`` or ``/proof/<n>``)."""
    id: str | None = None
    previous: tuple[str, ...] = ()
    """The ids named by ``previousProof`` (a chain), in order."""
    challenge: str | None = None
    domain: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SignedBy:
    """What a verified proof was made with."""

    proof: DataIntegrityProof
    method: VerificationMethod
    document: DidDocument


# --- encodings ---------------------------------------------------------------------------


def _encode_signature(signature: bytes) -> str:
    return "z" + base58btc_encode(signature)


# --- adding a proof ---------------------------------------------------------------------


def add_proof(
    document: Mapping[str, Any],
    *,
    key: PrivateKey,
    suite: Cryptosuite,
    options: ProofOptions,
) -> JSONObject:
    """Return a copy of ``document`` secured with a ``DataIntegrityProof``.

    With ``options.previous_proof`` the new proof is chained to the existing proof
    of that id (Data Integrity §4.4); otherwise a document that already has a
    proof gets a second, independent one (a proof set).
    """
    existing = _proof_list(document.get("proof"))
    config: JSONObject = {
        "type": PROOF_TYPE,
        "cryptosuite": suite.name,
        "verificationMethod": options.verification_method,
        "proofPurpose": options.proof_purpose,
    }
    if options.created is not None:
        config["created"] = format_datetime(options.created)
    if options.expires is not None:
        config["expires"] = format_datetime(options.expires)
    for name, value in (
        ("id", options.id),
        ("domain", options.domain),
        ("challenge", options.challenge),
        ("nonce", options.nonce),
        ("previousProof", options.previous_proof),
    ):
        if value is not None:
            config[name] = value
    if "@context" in document:
        if not isinstance(document["@context"], list | str | dict):
            raise ProofError("document @context is not a context value", path="/@context")
        config["@context"] = copy.deepcopy(document["@context"])
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if options.previous_proof is not None:
        named = [
            p for p in existing if isinstance(p, dict) and p.get("id") == options.previous_proof
        ]
        if not named:
            raise ProofError(f"no proof with id {options.previous_proof!r} to chain to")
        unsecured["proof"] = named
    data = suite.hash(
        suite.canonical_config(config), suite.transform(unsecured), key_type=key.key_type
    )
    proof = dict(config)
    proof["proofValue"] = _encode_signature(suite.sign(data, key))
    secured = {k: v for k, v in document.items() if k != "proof"}
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


def _proof_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# --- parsing ------------------------------------------------------------------------------


def _malformed(message: str, path: str) -> CheckFailed:
    return CheckFailed(FailureCode.MALFORMED, message, path)


def _optional_time(proof: Mapping[str, JSONValue], name: str, path: str) -> datetime | None:
    if name not in proof:
        return None
    try:
        return parse_datetime(proof[name], path=f"{path}/{name}")
    except MalformedInputError as exc:
        raise _malformed(exc.message, exc.path) from exc


def _strings(value: JSONValue, what: str, path: str) -> tuple[str, ...]:
    """A string or a non-empty list of strings (``previousProof``, ``domain``)."""
    items = as_list(value)
    if not items or not all(isinstance(i, str) and i for i in items):
        raise _malformed(f"{what} must be a string or a list of strings", path)
    return tuple(str(i) for i in items)


def _parse_one(proof: JSONValue, path: str) -> DataIntegrityProof:
    if not isinstance(proof, dict):
        raise _malformed("proof is not an object", path)
    if proof.get("type") != PROOF_TYPE:
        raise CheckFailed(
            FailureCode.UNSUPPORTED_SUITE,
            f"proof type {str(proof.get('type'))[:40]!r} is not {PROOF_TYPE}",
            f"{path}/type",
        )
    for name in ("cryptosuite", "verificationMethod", "proofPurpose"):
        if not isinstance(proof.get(name), str) or not proof[name]:
            raise _malformed(f"proof {name} is missing or not a string", f"{path}/{name}")
    if "@context" in proof and not isinstance(proof["@context"], list | str | dict):
        raise _malformed("proof @context is not a context value", f"{path}/@context")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z") or len(value) > _MAX_PROOF_VALUE:
        raise _malformed("proofValue must be a base58btc multibase string", f"{path}/proofValue")
    try:
        signature = base58btc_decode(value[1:])
    except KeyError:
        raise _malformed("proofValue is not valid base58btc", f"{path}/proofValue") from None
    proof_id = proof.get("id")
    if proof_id is not None and (not isinstance(proof_id, str) or not proof_id):
        raise _malformed("proof id must be a non-empty string", f"{path}/id")
    challenge = proof.get("challenge")
    if challenge is not None and not isinstance(challenge, str):
        raise _malformed("proof challenge must be a string", f"{path}/challenge")
    return DataIntegrityProof(
        cryptosuite=str(proof["cryptosuite"]),
        verification_method=str(proof["verificationMethod"]),
        proof_purpose=str(proof["proofPurpose"]),
        signature=signature,
        created=_optional_time(proof, "created", path),
        expires=_optional_time(proof, "expires", path),
        config={k: v for k, v in proof.items() if k != "proofValue"},
        path=path,
        id=proof_id if isinstance(proof_id, str) else None,
        previous=()
        if "previousProof" not in proof
        else _strings(proof["previousProof"], "previousProof", f"{path}/previousProof"),
        challenge=challenge,
        domain=()
        if "domain" not in proof
        else _strings(proof["domain"], "domain", f"{path}/domain"),
    )


def parse_proofs(
    document: Mapping[str, JSONValue], *, max_proofs: int = DEFAULT_MAX_PROOFS
) -> tuple[DataIntegrityProof, ...]:
    """Check the shape of ``document["proof"]`` (one proof, a set or a chain) and parse it.

    Raises :class:`~innopass.errors.CheckFailed`: ``malformed`` for a missing or
    malformed proof (an empty set, more than ``max_proofs``, duplicate proof ids, a
    ``previousProof`` naming no proof present), ``unsupported-suite`` for a proof
    type other than ``DataIntegrityProof``. Does not look the suite up: that is
    the verifier's allow-list.
    """
    value = document.get("proof")
    if value is None:
        raise _malformed("no proof", "/proof")
    if not isinstance(value, list):
        proofs: tuple[DataIntegrityProof, ...] = (_parse_one(value, "/proof"),)
        if not proofs[0].previous:
            return proofs
    elif not value:
        raise _malformed("proof is an empty set", "/proof")
    elif len(value) > max_proofs:
        raise _malformed(f"{len(value)} proofs, over the limit of {max_proofs}", "/proof")
    else:
        proofs = tuple(_parse_one(item, pointer("proof", i)) for i, item in enumerate(value))
    ids = [p.id for p in proofs if p.id is not None]
    if len(ids) != len(set(ids)):
        raise _malformed("two proofs have the same id", "/proof")
    for proof in proofs:
        missing = next((name for name in proof.previous if name not in ids), None)
        if missing is not None:
            raise _malformed(
                f"previousProof {missing[:80]!r} names no proof in this document",
                f"{proof.path}/previousProof",
            )
        if proof.id is not None and proof.id in proof.previous:
            raise _malformed("a proof names itself as previousProof", f"{proof.path}/previousProof")
    return proofs


# --- verifying --------------------------------------------------------------------------


def hash_data(
    document: Mapping[str, JSONValue],
    proof: DataIntegrityProof,
    suite: Cryptosuite,
    *,
    previous: Sequence[JSONValue] = (),
    plain: bool = False,
    key_type: KeyType | None = None,
) -> bytes:
    """``hashData`` for verifying ``proof`` over ``document`` (JCS verify steps 1–5).

    ``previous`` are the proof objects ``proof`` is chained to (its document's
    ``proof`` while it was made); ``plain``: the document (and ``previous``) pass
    :func:`~innopass._internal.jsonio.plain_without_floats`, as the caller knows;
    ``key_type`` the type of the key that checks it (it chooses the hash: SHA-384 for
    P-384). Raises :class:`~innopass.errors.CheckFailed`
    (``malformed``) when the document's ``@context`` does not start with the
    proof's, or the document cannot be canonicalised.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if previous:
        unsecured["proof"] = list(previous)
    if "@context" in proof.config:
        proof_context = as_list(proof.config["@context"])
        doc_context = as_list(unsecured.get("@context"))
        if doc_context[: len(proof_context)] != proof_context:
            raise _malformed(
                "document @context does not start with the proof's @context", "/@context"
            )
        unsecured["@context"] = proof.config["@context"]
    try:
        return suite.hash(
            suite.canonical_config(proof.config),
            suite.transform(unsecured, plain=plain),
            key_type=key_type,
        )
    except MalformedInputError as exc:
        raise _malformed(exc.message, exc.path) from exc


def resolve_key(
    resolver: Resolver, vm_url: str, *, issuer: str, path: str, relationship: str = ASSERTION
) -> tuple[VerificationMethod, DidDocument]:
    """Resolve ``vm_url``, a key of ``issuer``, under ``relationship``; else ``CheckFailed``.

    The key must be a DID URL of the issuer's own DID (``key-not-authorised``
    otherwise); its document comes from ``resolver`` only (``key-unresolvable``
    when none is held); the method must exist (``key-not-found``), be listed under
    ``relationship`` (``key-not-authorised``) and hold a key innopass can use
    (``unsupported-suite``).
    """
    try:
        did, _ = split_did_url(vm_url)
    except ResolutionError as exc:
        raise CheckFailed(FailureCode.KEY_NOT_FOUND, f"not a DID URL: {exc}", path) from exc
    if did != issuer:
        raise CheckFailed(
            FailureCode.KEY_NOT_AUTHORISED,
            f"key {vm_url[:120]!r} does not belong to the issuer {issuer[:120]!r}",
            path,
        )
    try:
        document = resolver.resolve(did)
    except ResolutionError as exc:
        raise CheckFailed(
            FailureCode.KEY_UNRESOLVABLE, f"cannot resolve the issuer's DID document: {exc}", path
        ) from exc
    try:
        method = resolve_verification_method(
            StaticResolver({did: document}), vm_url, relationship=relationship
        )
    except (KeyNotFoundError, KeyNotAuthorisedError) as exc:
        raise CheckFailed(FailureCode(exc.code), str(exc), path) from exc
    except ResolutionError as exc:  # a method whose key type innopass cannot use
        raise CheckFailed(FailureCode.UNSUPPORTED_SUITE, str(exc), path) from exc
    return method, document


def _same_key(method: VerificationMethod, other: VerificationMethod) -> bool:
    a, b = method.public_key, other.public_key
    return method.id == other.id and a.key_type is b.key_type and a.raw_bytes() == b.raw_bytes()


def verify_data_integrity(
    document: Mapping[str, JSONValue],
    *,
    issuer: str,
    resolver: Resolver,
    suites: Mapping[str, Cryptosuite],
    purpose: str = ASSERTION,
    challenge: str | None = None,
    domain: str | None = None,
    proofs: tuple[DataIntegrityProof, ...] | None = None,
    known: tuple[SignedBy, ...] | None = None,
    max_proofs: int = DEFAULT_MAX_PROOFS,
    plain: bool = False,
) -> tuple[SignedBy, ...]:
    """Verify every Data Integrity proof on ``document`` as made by ``issuer``.

    Returns what each proof was made with, in document order. Raises
    :class:`~innopass.errors.CheckFailed` for the first proof that fails:

    - ``malformed``: a missing or malformed proof or set (see :func:`parse_proofs`),
      a ``@context`` the proof does not cover;
    - ``challenge-mismatch``, ``domain-mismatch``: a ``challenge`` or ``domain``
      other than the one expected (or missing when one is expected);
    - ``unsupported-suite``: a suite outside ``suites`` (the caller's allow-list);
    - ``key-not-authorised``: a purpose other than ``purpose``, a key of another
      DID or one not listed under ``purpose``; ``key-not-found``,
      ``key-unresolvable``: see :func:`resolve_key`;
    - ``signature-invalid``: the signature does not verify.

    ``proofs`` are the document's proofs when the caller has parsed them already.
    ``known`` is an earlier successful check of this exact document (the same
    canonical bytes): suite, purpose and key are still checked now, the key
    resolved through ``resolver``; only when each proof's key is the very key its
    signature was checked with is the signature not checked again. ``plain``: see
    :func:`hash_data`.
    """
    if known is not None:
        proofs = tuple(k.proof for k in known)
    if proofs is None:
        proofs = parse_proofs(document, max_proofs=max_proofs)
    raw = _proof_list(document.get("proof"))
    by_id = {p.id: raw[i] for i, p in enumerate(proofs) if p.id is not None and i < len(raw)}
    signed: list[SignedBy] = []
    for position, proof in enumerate(proofs):
        path = proof.path
        suite = suites.get(proof.cryptosuite)
        if suite is None:
            raise CheckFailed(
                FailureCode.UNSUPPORTED_SUITE,
                f"cryptosuite {proof.cryptosuite[:60]!r} is not accepted by this verifier",
                f"{path}/cryptosuite",
            )
        if proof.proof_purpose != purpose:
            raise CheckFailed(
                FailureCode.KEY_NOT_AUTHORISED,
                f"proofPurpose is {proof.proof_purpose[:60]!r}, not {purpose!r}",
                f"{path}/proofPurpose",
            )
        _check_binding(proof, challenge=challenge, domain=domain)
        method, did_document = resolve_key(
            resolver,
            proof.verification_method,
            issuer=issuer,
            path=f"{path}/verificationMethod",
            relationship=purpose,
        )
        earlier = None if known is None else known[position]
        if earlier is None or not _same_key(method, earlier.method):
            data = hash_data(
                document,
                proof,
                suite,
                previous=[by_id[n] for n in proof.previous],
                plain=plain,
                key_type=method.public_key.key_type,
            )
            try:
                suite.verify(data, proof.signature, method.public_key)
            except InvalidSignatureError as exc:
                raise CheckFailed(
                    FailureCode.SIGNATURE_INVALID,
                    f"signature does not verify: {exc}",
                    f"{path}/proofValue",
                ) from exc
        signed.append(SignedBy(proof=proof, method=method, document=did_document))
    return tuple(signed)


def _check_binding(proof: DataIntegrityProof, *, challenge: str | None, domain: str | None) -> None:
    """A proof bound to a verifier's challenge and domain must carry exactly those."""
    if challenge is not None and proof.challenge != challenge:
        raise CheckFailed(
            FailureCode.CHALLENGE_MISMATCH,
            "the proof's challenge is not the one this verifier issued",
            f"{proof.path}/challenge",
        )
    if domain is not None and proof.domain != (domain,):
        raise CheckFailed(
            FailureCode.DOMAIN_MISMATCH,
            "the proof's domain is not this verifier's domain",
            f"{proof.path}/domain",
        )
