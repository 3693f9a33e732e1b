"""W3C Data Integrity vectors: eddsa-jcs-2022 (vc-di-eddsa) and ecdsa-jcs-2019 (vc-di-ecdsa,
P-256 with SHA-256 and P-384 with SHA-384).

Each stage is checked on its own (canonical document, canonical proof
configuration, both hashes, their concatenation, the signature, its multibase
form), then the whole signed credential is verified and re-created. These use the
primitives (``innopass._internal.proof``); ``test_verifier_vectors.py`` runs the same vectors
through ``Verifier.verify``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import vectors_dir
from innopass._internal.jsonio import loads_strict
from innopass._internal.proof import (
    ProofOptions,
    add_proof,
    hash_data,
    parse_proofs,
    verify_data_integrity,
)
from innopass._internal.suites import ECDSA_JCS_2019, EDDSA_JCS_2022, SUITES, Cryptosuite
from innopass._internal.timestamps import parse_datetime
from innopass.did import DidKeyResolver, split_did_url
from innopass.errors import CheckFailed, FailureCode, InvalidSignatureError
from innopass.keys import KeyType, private_key_from_multibase, public_key_from_multibase

# (folder, file suffix, key-pair file, suite)
SUITE_CASES = [
    pytest.param(("eddsa-jcs-2022",), "JCS", "keyPair.json", EDDSA_JCS_2022, id="eddsa-jcs-2022"),
    pytest.param(
        ("ecdsa-jcs-2019", "p256"),
        "JCSECDSAP256",
        "p256KeyPair.json",
        ECDSA_JCS_2019,
        id="ecdsa-jcs-2019-p256",
    ),
    pytest.param(
        ("ecdsa-jcs-2019", "p384"),
        "JCSECDSAP384",
        "p384KeyPair.json",
        ECDSA_JCS_2019,
        id="ecdsa-jcs-2019-p384",
    ),
]
#: The hash each key type's proofs use (DI ECDSA §3.3: the hash follows the key size).
HASHES = {KeyType.ED25519: "sha256", KeyType.P256: "sha256", KeyType.P384: "sha384"}


def _read(base: Path, name: str) -> str:
    return (base / name).read_text()


def _json(base: Path, name: str) -> Any:
    return loads_strict((base / name).read_bytes())


def _secret(pair: dict[str, str]) -> str:
    return pair.get("secretKeyMultibase") or pair["privateKeyMultibase"]


def _verify(document: dict[str, Any]) -> None:
    """The proof engine on a vector: its did:key verification method is the key (and the
    signer, so the issuer binding is to that DID; the vector's own issuer is an https URL)."""
    signer, _ = split_did_url(document["proof"]["verificationMethod"])
    verify_data_integrity(document, issuer=signer, resolver=DidKeyResolver(), suites=SUITES)


def _refused(document: dict[str, Any]) -> CheckFailed:
    with pytest.raises(CheckFailed) as info:
        _verify(document)
    return info.value


@pytest.mark.parametrize(("folder", "suffix", "keyfile", "suite"), SUITE_CASES)
def test_stages(folder: tuple[str, ...], suffix: str, keyfile: str, suite: Cryptosuite) -> None:
    base = vectors_dir(*folder)
    unsigned = _json(base, "unsigned.json")
    config = _json(base, f"proofConfig{suffix}.json")
    key = private_key_from_multibase(_secret(_json(base, keyfile)))
    digest = HASHES[key.key_type]

    transformed = suite.transform(unsigned)
    assert transformed == _read(base, f"canonDoc{suffix}.txt").encode()
    assert (
        hashlib.new(digest, transformed).hexdigest() == _read(base, f"docHash{suffix}.txt").strip()
    )

    canonical_config = suite.canonical_config(config)
    assert canonical_config == _read(base, f"proofCanon{suffix}.txt").encode()
    assert (
        hashlib.new(digest, canonical_config).hexdigest()
        == _read(base, f"proofHash{suffix}.txt").strip()
    )

    data = suite.hash(canonical_config, transformed, key_type=key.key_type)
    assert data.hex() == _read(base, f"combinedHash{suffix}.txt").strip()

    signature = suite.sign(data, key)  # Ed25519 and RFC 6979 ECDSA are deterministic
    assert signature.hex() == _read(base, f"sigHex{suffix}.txt").strip()
    suite.verify(data, signature, key.public_key())


@pytest.mark.parametrize(("folder", "suffix", "keyfile", "suite"), SUITE_CASES)
def test_signed_credential(
    folder: tuple[str, ...], suffix: str, keyfile: str, suite: Cryptosuite
) -> None:
    base = vectors_dir(*folder)
    signed = _json(base, f"signed{suffix}.json")
    pair = _json(base, keyfile)
    public = public_key_from_multibase(pair["publicKeyMultibase"])
    assert signed["proof"]["proofValue"] == _read(base, f"sigBTC58{suffix}.txt").strip()
    signer, _ = split_did_url(signed["proof"]["verificationMethod"])
    (made,) = verify_data_integrity(signed, issuer=signer, resolver=DidKeyResolver(), suites=SUITES)
    assert made.proof.cryptosuite == suite.name
    assert made.method.public_key == public

    # Re-create the proof from the unsigned document and the vector's options.
    config = _json(base, f"proofConfig{suffix}.json")
    created: datetime = parse_datetime(config["created"])
    resigned = add_proof(
        _json(base, "unsigned.json"),
        key=private_key_from_multibase(_secret(pair)),
        suite=suite,
        options=ProofOptions(verification_method=config["verificationMethod"], created=created),
    )
    assert resigned == signed


@pytest.mark.parametrize(("folder", "suffix", "keyfile", "suite"), SUITE_CASES)
def test_tampering_is_rejected(
    folder: tuple[str, ...], suffix: str, keyfile: str, suite: Cryptosuite
) -> None:
    base = vectors_dir(*folder)
    signed = _json(base, f"signed{suffix}.json")
    tampered = json.loads(json.dumps(signed))
    tampered["credentialSubject"]["alumniOf"] = "Another University"
    assert _refused(tampered).failure is FailureCode.SIGNATURE_INVALID

    created_changed = json.loads(json.dumps(signed))
    created_changed["proof"]["created"] = "2023-02-24T23:36:39Z"
    assert _refused(created_changed).failure is FailureCode.SIGNATURE_INVALID

    # @context injected after signing: the document no longer starts with the proof's.
    injected = json.loads(json.dumps(signed))
    injected["@context"] = ["https://www.w3.org/ns/credentials/v2", "https://example.org/other"]
    (proof,) = parse_proofs(injected)
    with pytest.raises(CheckFailed) as info:
        hash_data(injected, proof, suite)
    assert (info.value.failure, info.value.path) == (FailureCode.MALFORMED, "/@context")
    assert (_refused(injected).failure, _refused(injected).path) == (
        FailureCode.MALFORMED,
        "/@context",
    )

    # An extra context appended after the proof's prefix is allowed by the prefix rule,
    # but the document is then canonicalised with the proof's context: still verifies.
    appended = json.loads(json.dumps(signed))
    appended["@context"] = [*signed["@context"], "https://example.org/extra"]
    _verify(appended)


def test_p384_hash_is_sha384_and_a_p256_hash_does_not_verify() -> None:
    """The hash follows the key: a P-384 proof checked with SHA-256 ``hashData`` fails."""
    base = vectors_dir("ecdsa-jcs-2019", "p384")
    signed = _json(base, "signedJCSECDSAP384.json")
    (proof,) = parse_proofs(signed)
    public = public_key_from_multibase(_json(base, "p384KeyPair.json")["publicKeyMultibase"])
    right = hash_data(signed, proof, ECDSA_JCS_2019, key_type=KeyType.P384)
    assert len(right) == 96
    ECDSA_JCS_2019.verify(right, proof.signature, public)
    wrong = hash_data(signed, proof, ECDSA_JCS_2019, key_type=KeyType.P256)
    assert len(wrong) == 64
    with pytest.raises(InvalidSignatureError):
        ECDSA_JCS_2019.verify(wrong, proof.signature, public)
    with pytest.raises(InvalidSignatureError):  # an eddsa-jcs-2022 proof cannot name a P-384 key
        EDDSA_JCS_2022.verify(right, proof.signature, public)
