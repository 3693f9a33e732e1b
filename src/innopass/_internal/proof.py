"""Data Integrity 1.0 ``DataIntegrityProof``: add a proof, parse one, verify one.

Implements the JCS variant of the generic algorithms (VC Data Integrity §4, DI
EdDSA/ECDSA cryptosuites §3.3): the document's ``@context`` is copied into the
proof when signing; when verifying, the document's ``@context`` must start with
the proof's and the document is canonicalised with the proof's ``@context``.
Every proof field except ``proofValue`` is covered by the signature.

Verification is split into steps (:func:`parse_proof`, :func:`hash_data`,
suite ``verify``) so a verifier can look the suite up in its own allow-list and
resolve the key through its own trust store between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from multiformats import multibase

from innopass._internal.jsonio import JSONObject, JSONValue
from innopass._internal.suites import Cryptosuite
from innopass._internal.timestamps import format_datetime, parse_datetime
from innopass.errors import MalformedInputError, ProofError, UnsupportedSuiteError
from innopass.keys import PrivateKey, PublicKey

__all__ = [
    "DataIntegrityProof",
    "ProofOptions",
    "add_proof",
    "hash_data",
    "parse_proof",
    "verify_proof",
]

PROOF_TYPE = "DataIntegrityProof"


@dataclass(frozen=True, slots=True)
class ProofOptions:
    """What the signer puts in a proof besides the suite and the signature."""

    verification_method: str
    proof_purpose: str = "assertionMethod"
    created: datetime | None = None
    expires: datetime | None = None
    id: str | None = None
    domain: str | None = None
    challenge: str | None = None
    nonce: str | None = None


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


def _encode_signature(signature: bytes) -> str:
    return str(multibase.encode(signature, "base58btc"))


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_VALUE = {char: value for value, char in enumerate(_BASE58)}


def base58btc_decode(text: str) -> bytes:
    """Decode base58btc (Bitcoin alphabet; each leading ``1`` is a zero byte).

    On the verification hot path: one big-integer pass instead of the general
    multibase machinery (a property test checks it against ``multiformats``).
    Raises :class:`KeyError` for a character outside the alphabet.
    """
    number = 0
    for char in text:
        number = number * 58 + _BASE58_VALUE[char]
    zeros = len(text) - len(text.lstrip("1"))
    return bytes(zeros) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _decode_signature(value: JSONValue) -> bytes:
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 256:
        raise ProofError(
            "proofValue must be a base58btc multibase string", path="/proof/proofValue"
        )
    try:
        return base58btc_decode(value[1:])
    except KeyError as exc:
        raise ProofError("proofValue is not valid base58btc", path="/proof/proofValue") from exc


def add_proof(
    document: Mapping[str, Any],
    *,
    key: PrivateKey,
    suite: Cryptosuite,
    options: ProofOptions,
) -> JSONObject:
    """Return a copy of ``document`` secured with a ``DataIntegrityProof``."""
    if "proof" in document:
        raise ProofError("document already has a proof (proof sets are not issued by innopass)")
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
    for name in ("id", "domain", "challenge", "nonce"):
        value = getattr(options, name)
        if value is not None:
            config[name] = value
    if "@context" in document:
        if not isinstance(document["@context"], list | str | dict):
            raise ProofError("document @context is not a context value", path="/@context")
        config["@context"] = document["@context"]
    data = suite.hash(suite.canonical_config(config), suite.transform(document))
    proof = dict(config)
    proof["proofValue"] = _encode_signature(suite.sign(data, key))
    secured = dict(document)
    secured["proof"] = proof
    return secured


def _optional_time(proof: Mapping[str, JSONValue], name: str) -> datetime | None:
    if name not in proof:
        return None
    try:
        return parse_datetime(proof[name], path=f"/proof/{name}")
    except MalformedInputError as exc:
        raise ProofError(exc.message, path=exc.path) from exc


def parse_proof(document: Mapping[str, JSONValue]) -> DataIntegrityProof:
    """Check the shape of ``document["proof"]`` and return it parsed.

    Raises :class:`ProofError` (with a JSON pointer) for a missing or malformed
    proof and :class:`UnsupportedSuiteError` for a proof type other than
    ``DataIntegrityProof``. Does not look the suite up: that is the caller's
    allow-list.
    """
    proof = document.get("proof")
    if proof is None:
        raise ProofError("no proof", path="/proof")
    if isinstance(proof, list):
        raise ProofError("proof sets and chains are not accepted", path="/proof")
    if not isinstance(proof, dict):
        raise ProofError("proof is not an object", path="/proof")
    if proof.get("type") != PROOF_TYPE:
        raise UnsupportedSuiteError(str(proof.get("type")), "proof type is not DataIntegrityProof")
    for name in ("cryptosuite", "verificationMethod", "proofPurpose"):
        if not isinstance(proof.get(name), str) or not proof[name]:
            raise ProofError(f"proof {name} is missing or not a string", path=f"/proof/{name}")
    if "@context" in proof and not isinstance(proof["@context"], list | str | dict):
        raise ProofError("proof @context is not a context value", path="/proof/@context")
    signature = _decode_signature(proof.get("proofValue"))
    created = _optional_time(proof, "created")
    expires = _optional_time(proof, "expires")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    return DataIntegrityProof(
        cryptosuite=str(proof["cryptosuite"]),
        verification_method=str(proof["verificationMethod"]),
        proof_purpose=str(proof["proofPurpose"]),
        signature=signature,
        created=created,
        expires=expires,
        config=config,
    )


def _as_list(value: JSONValue) -> list[JSONValue]:
    return value if isinstance(value, list) else [value]


def hash_data(
    document: Mapping[str, JSONValue], proof: DataIntegrityProof, suite: Cryptosuite
) -> bytes:
    """``hashData`` for verifying ``proof`` over ``document`` (JCS verify steps 1–5).

    Raises :class:`ProofError` when the document's ``@context`` does not start
    with the proof's.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" in proof.config:
        proof_context = _as_list(proof.config["@context"])
        doc_context = _as_list(unsecured.get("@context"))
        if doc_context[: len(proof_context)] != proof_context:
            raise ProofError(
                "document @context does not start with the proof's @context", path="/@context"
            )
        unsecured["@context"] = proof.config["@context"]
    return suite.hash(suite.canonical_config(proof.config), suite.transform(unsecured))


def verify_proof(
    document: Mapping[str, JSONValue],
    *,
    suites: Mapping[str, Cryptosuite],
    key: PublicKey,
    expected_purpose: str = "assertionMethod",
) -> DataIntegrityProof:
    """Parse and verify the proof on ``document`` with ``key``; return the proof.

    ``suites`` is the caller's allow-list. Raises :class:`ProofError`,
    :class:`UnsupportedSuiteError` or :class:`~innopass.errors.InvalidSignatureError`.
    The caller is responsible for having resolved ``key`` from the proof's
    ``verificationMethod`` through its trust store.
    """
    proof = parse_proof(document)
    if proof.proof_purpose != expected_purpose:
        raise ProofError(
            f"proofPurpose is {proof.proof_purpose!r}, expected {expected_purpose!r}",
            path="/proof/proofPurpose",
        )
    suite = suites.get(proof.cryptosuite)
    if suite is None:
        raise UnsupportedSuiteError(proof.cryptosuite)
    suite.verify(hash_data(document, proof, suite), proof.signature, key)
    return proof
