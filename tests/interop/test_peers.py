"""Interop both ways with the reference stack (Digital Bazaar VC + jose) in ../shared/peers.

The peers need ``npm ci``, which reaches the npm registry, so tests never run it:
``.ci/run`` prepares a copy and points ``INNOPASS_PEERS`` at it. By hand::

    cp -r ../shared/peers /tmp/peers && chmod -R u+w /tmp/peers && \
        (cd /tmp/peers && npm ci) && INNOPASS_PEERS=/tmp/peers pytest tests/interop

Without it these tests skip, and the reason says exactly that (under ``CI=true``
they fail instead).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jose import parse_compact_jws, sign_vc_jwt, verify_vc_jwt
from innopass._internal.jsonio import loads_strict
from innopass._internal.proof import ProofOptions, add_proof, verify_data_integrity
from innopass._internal.suites import SUITES, suite_for_key
from innopass.did import DidKeyResolver, did_key_from_public_key
from innopass.keys import KeyType, PrivateKey, generate_private_key
from innopass.verifier import TrustStore, Verifier

PREPARE = (
    "cp -r ../shared/peers /tmp/peers && chmod -R u+w /tmp/peers && "
    "(cd /tmp/peers && npm ci) && INNOPASS_PEERS=/tmp/peers pytest tests/interop"
)  # chmod: shared/ is read-only, and cp -r keeps that, so npm ci could not write


@pytest.fixture(scope="module")
def peers() -> Path:
    location = os.environ.get("INNOPASS_PEERS")
    reason = None
    if not location:
        reason = f"reference peers not prepared; to run these: {PREPARE}"
    elif not (Path(location) / "node_modules").is_dir():
        reason = f"INNOPASS_PEERS={location} has no node_modules: run npm ci there, or: {PREPARE}"
    elif shutil.which("node") is None:
        reason = f"node is not on PATH: install Node 20 and npm, then: {PREPARE}"
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    assert location is not None
    return Path(location)


def _unsigned(issuer: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0f8b7a52-6a43-4d3c-9d51-7e0e6f0c2b11",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "urn:example:subject",
            "name": "Silver alginate dressing",
            "n": 1.5,
        },
    }


def _peer_verify(peers: Path, path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        ["node", "node/verify.mjs", str(path)],
        cwd=peers,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    assert (proc.returncode == 0) == result["verified"]
    return result


# Ed25519 only: the reference peer implements eddsa-jcs-2022 but no ecdsa-jcs-2019 suite,
# so there is nothing to check a P-256 Data Integrity proof against (and no skip to show).
@pytest.mark.parametrize("key_type", [KeyType.ED25519])
def test_innopass_data_integrity_verifies_in_peer(
    peers: Path, tmp_path: Path, key_type: KeyType
) -> None:
    key: PrivateKey = generate_private_key(key_type)
    did = did_key_from_public_key(key.public_key())
    signed: Any = add_proof(
        _unsigned(did),
        key=key,
        suite=suite_for_key(key_type),
        options=ProofOptions(
            verification_method=f"{did}#{did.removeprefix('did:key:')}", created=datetime.now(UTC)
        ),
    )
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(signed))
    assert _peer_verify(peers, path)["verified"] is True

    signed["credentialSubject"]["name"] = "Another dressing"
    path.write_text(json.dumps(signed))
    assert _peer_verify(peers, path)["verified"] is False


#: The peer's JOSE allow-list is EdDSA and ES256: no ES384 to check P-384 against (P-384
#: is checked against the official ecdsa-jcs-2019 vectors and the vc-jose-cose keys instead).
PEER_JOSE_KEY_TYPES = [KeyType.ED25519, KeyType.P256]


@pytest.mark.parametrize("key_type", PEER_JOSE_KEY_TYPES)
def test_innopass_jwt_verifies_in_peer(peers: Path, tmp_path: Path, key_type: KeyType) -> None:
    key = generate_private_key(key_type)
    did = did_key_from_public_key(key.public_key())
    token = sign_vc_jwt(
        _unsigned(did),
        key,
        kid=f"{did}#{did.removeprefix('did:key:')}",
        issued_at=datetime.now(UTC),
    )
    path = tmp_path / "vc.jwt"
    path.write_text(token)
    assert _peer_verify(peers, path)["verified"] is True


def test_peer_credentials_verify_in_innopass(peers: Path, tmp_path: Path) -> None:
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(_unsigned("did:example:placeholder")))
    out = tmp_path / "out"
    subprocess.run(
        [
            "node", "node/issue.mjs", "--in", str(unsigned), "--seed-label", "innopass-interop",
            "--formats", "jcs,jwt-eddsa,jwt-es256", "--rebind-issuer", "--out-dir", str(out),
        ],
        cwd=peers, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    resolver = DidKeyResolver()

    credential = loads_strict((out / "unsigned.jcs.json").read_bytes())
    assert isinstance(credential, dict)
    issuer = credential["issuer"]
    assert isinstance(issuer, str)  # --rebind-issuer: the signing key's did:key
    verify_data_integrity(credential, issuer=issuer, resolver=resolver, suites=SUITES)
    verifier = Verifier(TrustStore().with_issuer(issuer))
    assert verifier.verify(credential).check("proof").status == "pass"

    for name in ("unsigned.eddsa.jwt", "unsigned.es256.jwt"):
        token = (out / name).read_text()
        parsed = parse_compact_jws(token)
        signer = parsed.payload["issuer"]
        assert isinstance(signer, str)
        verify_vc_jwt(parsed, issuer=signer, resolver=resolver, algorithms=("EdDSA", "ES256"))
        jwt_verifier = Verifier(TrustStore().with_issuer(signer))
        assert jwt_verifier.verify(token).check("proof").status == "pass"


@pytest.mark.parametrize("key_type", PEER_JOSE_KEY_TYPES)
def test_innopass_jwt_passport_verifies_in_peer(
    peers: Path, tmp_path: Path, key_type: KeyType
) -> None:
    """A real passport from the issuer (did:key organisation) as vc+jwt.

    The Data Integrity form is covered by the generic-credential test above: the
    reference verifier refuses any credential with ``credentialStatus`` unless it is
    given a status checker, which its command line does not offer.
    """
    from innopass import AssessmentRecord, Issuer, OrganisationHome, record

    secret = "interop test passphrase"
    OrganisationHome.init(
        tmp_path / "home", ods_code="RF4", name="RF4 TEST", passphrase=secret, key_type=key_type
    )
    with Issuer.from_home(tmp_path / "home", passphrase=secret) as issuer:
        passport = issuer.issue(AssessmentRecord.from_json(record.example("device")), format="jwt")
    path = tmp_path / "passport.jwt"
    path.write_text(passport.text())
    assert _peer_verify(peers, path)["verified"] is True
