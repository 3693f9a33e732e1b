"""Checking one Data Integrity proof against a key the verifier chose, with coded failures.

Used for passports, trust lists and status lists alike: the suite comes from the
verifier's allow-list, the verification method must belong to the expected issuer
and be listed under its ``assertionMethod``, and the DID document comes from a
resolver the verifier built from its trust store (never from the document).
Every problem is a :class:`CheckFailed` carrying a :class:`FailureCode`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from innopass._internal.jsonio import JSONValue
from innopass._internal.proof import DataIntegrityProof, hash_data, parse_proof
from innopass._internal.suites import Cryptosuite
from innopass.did import (
    DidDocument,
    Resolver,
    StaticResolver,
    VerificationMethod,
    resolve_verification_method,
    split_did_url,
)
from innopass.errors import (
    InvalidSignatureError,
    KeyNotAuthorisedError,
    KeyNotFoundError,
    MalformedInputError,
    ProofError,
    ResolutionError,
    UnsupportedSuiteError,
)
from innopass.trust import KeyWindow
from innopass.verifier.result import FailureCode

__all__ = ["CheckFailed", "SignedBy", "check_key_window", "resolve_key", "verify_data_integrity"]

ASSERTION = "assertionMethod"


class CheckFailed(Exception):
    """One coded failure inside a check (internal: turned into a ``Failure``)."""

    def __init__(self, code: FailureCode, message: str, path: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path


@dataclass(frozen=True, slots=True)
class SignedBy:
    """What a verified proof was made with."""

    proof: DataIntegrityProof
    method: VerificationMethod
    document: DidDocument


def resolve_key(
    resolver: Resolver, vm_url: str, *, issuer: str, path: str
) -> tuple[VerificationMethod, DidDocument]:
    """Resolve ``vm_url`` of ``issuer`` under ``assertionMethod``; else :class:`CheckFailed`."""
    try:
        did, _ = split_did_url(vm_url)
    except ResolutionError as exc:
        raise CheckFailed(FailureCode.KEY_NOT_FOUND, f"not a DID URL: {exc}", path) from exc
    if did != issuer:
        raise CheckFailed(
            FailureCode.KEY_NOT_AUTHORISED,
            f"key {vm_url!r} does not belong to the issuer {issuer!r}",
            path,
        )
    try:
        document = resolver.resolve(did)
    except ResolutionError as exc:
        raise CheckFailed(
            FailureCode.KEY_UNRESOLVABLE,
            f"cannot resolve the issuer's DID document: {exc}",
            path,
        ) from exc
    try:
        method = resolve_verification_method(
            StaticResolver({did: document}), vm_url, relationship=ASSERTION
        )
    except KeyNotFoundError as exc:
        raise CheckFailed(FailureCode.KEY_NOT_FOUND, str(exc), path) from exc
    except KeyNotAuthorisedError as exc:
        raise CheckFailed(FailureCode.KEY_NOT_AUTHORISED, str(exc), path) from exc
    except ResolutionError as exc:  # a method whose key type innopass cannot use
        raise CheckFailed(FailureCode.UNSUPPORTED_SUITE, str(exc), path) from exc
    return method, document


def verify_data_integrity(
    document: Mapping[str, JSONValue],
    *,
    issuer: str,
    resolver: Resolver,
    suites: Mapping[str, Cryptosuite],
    proof: DataIntegrityProof | None = None,
    known: SignedBy | None = None,
) -> SignedBy:
    """Verify ``document``'s proof as made by ``issuer``; raise :class:`CheckFailed`.

    ``proof`` is the document's proof when the caller has already parsed it.
    ``known`` is an earlier successful check of this exact document (the same
    canonical bytes, see :mod:`innopass.verifier._cache`): the suite, purpose and
    key are still checked now, the key resolved through ``resolver``; only when it
    is the very key the signature was checked with is the signature not checked again.
    """
    if known is not None:
        proof = known.proof
    if proof is None:
        try:
            proof = parse_proof(document)
        except ProofError as exc:
            raise CheckFailed(FailureCode.MALFORMED, str(exc), exc.path) from exc
        except UnsupportedSuiteError as exc:
            raise CheckFailed(FailureCode.UNSUPPORTED_SUITE, str(exc), "/proof/type") from exc
    suite = suites.get(proof.cryptosuite)
    if suite is None:
        raise CheckFailed(
            FailureCode.UNSUPPORTED_SUITE,
            f"cryptosuite {proof.cryptosuite!r} is not accepted by this verifier",
            "/proof/cryptosuite",
        )
    if proof.proof_purpose != ASSERTION:
        raise CheckFailed(
            FailureCode.KEY_NOT_AUTHORISED,
            f"proofPurpose is {proof.proof_purpose!r}, not {ASSERTION!r}",
            "/proof/proofPurpose",
        )
    method, did_document = resolve_key(
        resolver, proof.verification_method, issuer=issuer, path="/proof/verificationMethod"
    )
    if known is not None and _same_key(method, known.method):
        return SignedBy(proof=proof, method=method, document=did_document)
    try:
        data = hash_data(document, proof, suite)
    except ProofError as exc:
        raise CheckFailed(FailureCode.MALFORMED, str(exc), exc.path) from exc
    except MalformedInputError as exc:
        raise CheckFailed(FailureCode.MALFORMED, exc.message, exc.path) from exc
    try:
        suite.verify(data, proof.signature, method.public_key)
    except InvalidSignatureError as exc:
        raise CheckFailed(
            FailureCode.SIGNATURE_INVALID, f"signature does not verify: {exc}", "/proof/proofValue"
        ) from exc
    return SignedBy(proof=proof, method=method, document=did_document)


def _same_key(method: VerificationMethod, other: VerificationMethod) -> bool:
    a, b = method.public_key, other.public_key
    return method.id == other.id and a.key_type is b.key_type and a.raw_bytes() == b.raw_bytes()


def check_key_window(window: KeyWindow | None, *, vm_id: str, created: datetime, path: str) -> None:
    """Require the key to have been valid when the proof was made; :class:`CheckFailed` otherwise.

    ``window`` is ``None`` when the trust source lists no window for the key.
    """
    if window is None:
        raise CheckFailed(
            FailureCode.KEY_NOT_VALID_AT_TIME,
            f"the trust source gives no validity window for {vm_id}",
            path,
        )
    if window.compromised:
        raise CheckFailed(
            FailureCode.KEY_COMPROMISED,
            f"{vm_id} is marked compromised: nothing it signed is trusted",
            path,
        )
    if not window.covers(created):
        raise CheckFailed(
            FailureCode.KEY_NOT_VALID_AT_TIME,
            f"{vm_id} was not valid at {created.isoformat()} (the proof's creation time)",
            path,
        )
