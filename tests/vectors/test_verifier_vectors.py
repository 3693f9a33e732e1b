"""The official vectors through the Verifier's own path (``Verifier.verify``).

The primitive-level tests (``test_data_integrity_vectors.py``, ``test_jose_vectors.py``)
check the cryptosuites and the JOSE layer against the vectors. These check what a
user of ``Verifier.verify`` gets for the same inputs, one exact expectation per check.
The Verifier API is used only through :func:`vector_verifier.verify_vector`.

Two facts about the official vectors shape these tests:

* **Their issuer is not their key's DID.** The eddsa-jcs-2022 and ecdsa-jcs-2019
  credentials name ``issuer: https://vc.example/issuers/5678`` but are signed by a
  ``did:key`` verification method; the vc-jose-cose credentials name
  ``https://example.issuer/vc-jose-cose`` and a bare JWK thumbprint as ``kid``. innopass
  accepts a key only when it is a DID URL of the issuer, listed under the issuer's
  ``assertionMethod`` (PRODUCT.md §5), so the official bytes can never pass the ``proof``
  check, whatever is pinned: they fail it with ``key-not-authorised`` (Data Integrity)
  or ``key-not-found`` (a ``kid`` that is not a DID URL), and the signature is never
  consulted. The vc-jose-cose credentials also carry ``iat`` as an RFC 3339 string,
  which the verifier refuses (``malformed`` at ``/iat``: RFC 7519 makes it a NumericDate).
  ``test_official_*`` assert exactly that.
* So that the signature path is exercised too, ``test_issuer_bound_*`` use the
  **issuer-bound** form of each vector: the same document and proof options with only
  the issuer rebound to the signing key's DID (``did:key`` of the Data Integrity key;
  ``did:jwk`` of the vc-jose-cose JWK, with ``kid`` its ``#0`` and ``iat`` the same
  instant as a NumericDate), re-signed with the vector's own secret key. Before it is
  used, the derivation is shown to reproduce the official signature from the official
  input (Ed25519 and RFC 6979 ECDSA are deterministic), so it is the vector's signer
  at work, not a new one. The genuine bound vector passes ``proof`` and ``issuer``;
  each tampered copy fails ``proof`` with ``signature-invalid`` and nothing else changes.

None of these credentials is an innovator passport: ``record`` always fails with
``not-a-passport``, so no verdict here is ``verified``. None carries
``credentialStatus``: ``status`` is skipped.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from multiformats import multibase
from vector_verifier import Checks, Outcome, verify_vector

from conftest import vectors_dir
from innopass._internal.jose import parse_compact_jws
from innopass._internal.jsonio import loads_strict
from innopass._internal.proof import ProofOptions, add_proof
from innopass._internal.suites import ECDSA_JCS_2019, EDDSA_JCS_2022, Cryptosuite
from innopass._internal.timestamps import parse_datetime
from innopass.did import did_jwk_document, did_jwk_from_public_key
from innopass.keys import PrivateKey, private_key_from_jwk, private_key_from_multibase

#: A time inside every vector's validity (Data Integrity: validFrom 2023-01-01, proofs
#: created 2023-02-24; vc-jose-cose: validFrom and iat 2010-01-01; none has validUntil).
AT = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
NONE: frozenset[str] = frozenset()


def _pass() -> tuple[str, frozenset[str]]:
    return ("pass", NONE)


def _fail(*codes: str) -> tuple[str, frozenset[str]]:
    return ("fail", frozenset(codes))


#: A genuine credential, signed by the key of the issuer the verifier pins, that is
#: not an innovator passport and has no credentialStatus.
GENUINE_NON_PASSPORT: Checks = {
    "parse": _pass(),
    "proof": _pass(),
    "issuer": _pass(),
    "validity": _pass(),
    "status": ("skipped", NONE),
    "record": _fail("not-a-passport"),
}
#: The official bytes: the key is not the issuer's, and the issuer is not pinned.
OFFICIAL_KEY_NOT_THE_ISSUERS: Checks = {
    **GENUINE_NON_PASSPORT,
    "proof": _fail("key-not-authorised"),
    "issuer": _fail("issuer-untrusted"),
}


def _expect(outcome: Outcome, checks: Checks) -> None:
    assert outcome.checks == checks
    assert outcome.verdict == "rejected"  # not-a-passport alone rejects


def _json(path: Path) -> Any:
    return loads_strict(path.read_bytes())


# --- Data Integrity: eddsa-jcs-2022 and ecdsa-jcs-2019 ------------------------------------


@dataclass(frozen=True)
class DiVector:
    name: str
    folder: tuple[str, ...]
    suffix: str
    keyfile: str
    suite: Cryptosuite

    @property
    def base(self) -> Path:
        return vectors_dir(*self.folder)

    def official(self) -> dict[str, Any]:
        signed: dict[str, Any] = _json(self.base / f"signed{self.suffix}.json")
        return signed

    def signing_did(self) -> str:
        return str(self.official()["proof"]["verificationMethod"]).split("#")[0]


EDDSA = DiVector("eddsa-jcs-2022", ("eddsa-jcs-2022",), "JCS", "keyPair.json", EDDSA_JCS_2022)
P256 = DiVector(
    "ecdsa-jcs-2019-p256",
    ("ecdsa-jcs-2019", "p256"),
    "JCSECDSAP256",
    "p256KeyPair.json",
    ECDSA_JCS_2019,
)
P384 = DiVector(
    "ecdsa-jcs-2019-p384",
    ("ecdsa-jcs-2019", "p384"),
    "JCSECDSAP384",
    "p384KeyPair.json",
    ECDSA_JCS_2019,
)
BOUND_DI = [EDDSA, P256, P384]


def _resign(vector: DiVector, document: dict[str, Any]) -> dict[str, Any]:
    """Sign ``document`` as the vector's signer did: its key and its proof options."""
    pair = _json(vector.base / vector.keyfile)
    config = _json(vector.base / f"proofConfig{vector.suffix}.json")
    key = private_key_from_multibase(pair.get("secretKeyMultibase") or pair["privateKeyMultibase"])
    return add_proof(
        document,
        key=key,
        suite=vector.suite,
        options=ProofOptions(
            verification_method=config["verificationMethod"],
            created=parse_datetime(config["created"]),
        ),
    )


def _bound_di(vector: DiVector) -> dict[str, Any]:
    """The vector's credential with the issuer rebound to its signing key's did:key."""
    unsigned = _json(vector.base / "unsigned.json")
    assert _resign(vector, unsigned) == vector.official()  # the derivation is the vector's own
    return _resign(vector, {**unsigned, "issuer": vector.signing_did()})


def _flip_proof_value(value: str) -> str:
    raw = bytearray(multibase.decode(value))
    raw[len(raw) // 2] ^= 0x01
    encoded: str = multibase.encode(bytes(raw), "base58btc")
    return encoded


def _other(vector: DiVector) -> DiVector:
    return P256 if vector is EDDSA else EDDSA


Tamper = Callable[[DiVector, dict[str, Any]], None]


def _changed_claim(vector: DiVector, credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["alumniOf"] = "Another University"


def _changed_proof_created(vector: DiVector, credential: dict[str, Any]) -> None:
    credential["proof"]["created"] = "2023-02-24T23:36:39Z"  # one second later


def _flipped_signature_byte(vector: DiVector, credential: dict[str, Any]) -> None:
    credential["proof"]["proofValue"] = _flip_proof_value(credential["proof"]["proofValue"])


def _proof_value_of_the_official_vector(vector: DiVector, credential: dict[str, Any]) -> None:
    """Same key and options, but signed over the document naming the https issuer."""
    credential["proof"]["proofValue"] = vector.official()["proof"]["proofValue"]


def _proof_value_of_the_other_suite(vector: DiVector, credential: dict[str, Any]) -> None:
    credential["proof"]["proofValue"] = _bound_di(_other(vector))["proof"]["proofValue"]


DI_TAMPERS: list[Any] = [
    pytest.param(_changed_claim, id="changed-claim"),
    pytest.param(_changed_proof_created, id="changed-proof-created"),
    pytest.param(_flipped_signature_byte, id="flipped-signature-byte"),
    pytest.param(_proof_value_of_the_official_vector, id="proofValue-of-official-vector"),
    pytest.param(_proof_value_of_the_other_suite, id="proofValue-of-other-suite"),
]
DI_BOUND = [pytest.param(v, id=v.name) for v in BOUND_DI]


@pytest.mark.parametrize(
    ("vector", "trust"),
    [
        pytest.param(EDDSA, "signing-did", id=EDDSA.name),
        pytest.param(P256, "signing-did", id=P256.name),
        pytest.param(P384, "signing-did", id=P384.name),
    ],
)
def test_official_data_integrity_vector(vector: DiVector, trust: str | None) -> None:
    """Pinning the signing key's did:key does not make it the key of the https issuer."""
    pinned = vector.signing_did() if trust else None
    outcome = verify_vector(vector.official(), trust=pinned, at=AT)
    _expect(outcome, OFFICIAL_KEY_NOT_THE_ISSUERS)


@pytest.mark.parametrize("vector", DI_BOUND)
def test_issuer_bound_data_integrity_vector_verifies(vector: DiVector) -> None:
    credential = _bound_di(vector)
    assert credential["proof"]["cryptosuite"] == vector.name.removesuffix("-p256").removesuffix(
        "-p384"
    )
    outcome = verify_vector(credential, trust=vector.signing_did(), at=AT)
    _expect(outcome, GENUINE_NON_PASSPORT)
    # The same bytes as text, as a file would hand them over.
    text = json.dumps(credential, ensure_ascii=False)
    assert verify_vector(text, trust=vector.signing_did(), at=AT) == outcome


@pytest.mark.parametrize("tamper", DI_TAMPERS)
@pytest.mark.parametrize("vector", DI_BOUND)
def test_issuer_bound_data_integrity_tampering(vector: DiVector, tamper: Tamper) -> None:
    credential = copy.deepcopy(_bound_di(vector))
    tamper(vector, credential)
    assert credential != _bound_di(vector)
    outcome = verify_vector(credential, trust=vector.signing_did(), at=AT)
    _expect(outcome, {**GENUINE_NON_PASSPORT, "proof": _fail("signature-invalid")})


@pytest.mark.parametrize("vector", DI_BOUND)
def test_issuer_bound_vector_from_an_issuer_not_pinned(vector: DiVector) -> None:
    """The genuine bound vector, but the verifier pins the other vector's issuer."""
    outcome = verify_vector(_bound_di(vector), trust=_other(vector).signing_did(), at=AT)
    _expect(outcome, {**GENUINE_NON_PASSPORT, "issuer": _fail("issuer-untrusted")})


# Suites innopass does not implement, and proof sets/chains: refused, never verified.
UNSUPPORTED_DI = [
    pytest.param(("eddsa-rdfc-2022", "signedDataInt.json"), "unsupported-suite", id="eddsa-rdfc"),
    pytest.param(
        ("eddsa-rdfc-2022", "employ", "signedDataInt.json"), "unsupported-suite", id="eddsa-rdfc-e"
    ),
    pytest.param(
        ("ecdsa-rdfc-2019", "p256", "signedECDSAP256.json"), "unsupported-suite", id="ecdsa-rdfc"
    ),
    pytest.param(
        ("ecdsa-rdfc-2019", "p256", "employ", "signedECDSAP256.json"),
        "unsupported-suite",
        id="ecdsa-rdfc-employ",
    ),
    pytest.param(
        ("ecdsa-rdfc-2019", "p384", "signedECDSAP384.json"),
        "unsupported-suite",
        id="ecdsa-rdfc-p384",
    ),
    pytest.param(
        ("ecdsa-rdfc-2019", "p384", "employ", "signedECDSAP384.json"),
        "unsupported-suite",
        id="ecdsa-rdfc-p384-employ",
    ),
    # A single eddsa-rdfc-2022 proof (with an id): refused for its suite.
    pytest.param(
        ("data-integrity-proof-sets-chains", "signedProofSet1.json"),
        "unsupported-suite",
        id="proof-set-1",
    ),
    # Proof sets and chains are read as Data Integrity defines them (every proof
    # verified, chains in order), so these too are refused for their suite alone.
    pytest.param(
        ("data-integrity-proof-sets-chains", "signedProofSet2.json"),
        "unsupported-suite",
        id="proof-set-2",
    ),
    pytest.param(
        ("data-integrity-proof-sets-chains", "signedProofChain1.json"),
        "unsupported-suite",
        id="proof-chain-1",
    ),
    pytest.param(
        ("data-integrity-proof-sets-chains", "signedProofChain2.json"),
        "unsupported-suite",
        id="proof-chain-2",
    ),
]


@pytest.mark.parametrize(("parts", "code"), UNSUPPORTED_DI)
def test_unsupported_data_integrity_vectors_are_refused(parts: tuple[str, ...], code: str) -> None:
    """``unsupported-suite`` is an *unverifiable* code (the proof check is indeterminate)."""
    outcome = verify_vector(vectors_dir(*parts).read_bytes(), trust=None, at=AT)
    proof = ("indeterminate" if code == "unsupported-suite" else "fail", frozenset({code}))
    _expect(outcome, {**GENUINE_NON_PASSPORT, "proof": proof, "issuer": _fail("issuer-untrusted")})


# --- vc-jose-cose: vc+jwt, EdDSA and ES256 ------------------------------------------------


def _jose(name: str) -> Path:
    return vectors_dir("vc-jose-cose", name)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64json(value: Any) -> str:
    return _b64(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _secret_jwk(vm_file: str) -> PrivateKey:
    return private_key_from_jwk(_json(_jose(vm_file))["secretKeyJwk"])


def _jose_did(vm_file: str) -> str:
    return did_jwk_from_public_key(_secret_jwk(vm_file).public_key())


@dataclass(frozen=True)
class JoseVector:
    case: str
    vm_file: str

    def official(self) -> str:
        return _jose(self.case).read_text(encoding="ascii").strip()


ED_MATCH = JoseVector("credential-issuer-match-signed.txt", "vm-ed25519.json")
ES_MINIMAL = JoseVector("credential-jose-minimal.txt", "vm-p256.json")


def _bound_jws(vector: JoseVector) -> str:
    """The vector rebound to the did:jwk of its key and re-signed with its secret JWK."""
    key = _secret_jwk(vector.vm_file)
    official = parse_compact_jws(vector.official())
    key.public_key().verify(official.signature, official.signing_input)  # the vector's key
    if key.public_key().jose_alg == "EdDSA":  # deterministic: the derivation is the vector's own
        assert key.sign(official.signing_input) == official.signature
    did = _jose_did(vector.vm_file)
    header = {**official.header, "kid": did_jwk_document(did).assertion_method[0]}  # did#0
    iat = official.payload["iat"]
    assert isinstance(iat, str)  # the suite's RFC 3339 iat (see the module docstring)
    payload = {
        **official.payload,
        "iss": did,
        "issuer": did,
        "iat": int(parse_datetime(iat).timestamp()),
    }
    signing_input = f"{_b64json(header)}.{_b64json(payload)}"
    return f"{signing_input}.{_b64(key.sign(signing_input.encode('ascii')))}"


def _parts(token: str) -> list[str]:
    parts = token.split(".")
    assert len(parts) == 3
    return parts


def _decode(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _jws_changed_claim(vector: JoseVector, token: str) -> str:
    header, payload, signature = _parts(token)
    claims = _decode(payload)
    claims["credentialSubject"]["degree"]["name"] = "Bachelor of Nothing"
    return f"{header}.{_b64json(claims)}.{signature}"


def _jws_changed_header(vector: JoseVector, token: str) -> str:
    header, payload, signature = _parts(token)
    fields = _decode(header)
    assert fields["cty"] == "vc"
    fields["cty"] = "vc+ld+json"  # not checked by the verifier: only the signature catches it
    return f"{_b64json(fields)}.{payload}.{signature}"


def _jws_flipped_signature_byte(vector: JoseVector, token: str) -> str:
    header, payload, signature = _parts(token)
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return f"{header}.{payload}.{_b64(bytes(raw))}"


def _jws_signature_of_the_official_vector(vector: JoseVector, token: str) -> str:
    header, payload, _ = _parts(token)
    return f"{header}.{payload}.{_parts(vector.official())[2]}"


def _jws_signature_of_the_other_vector(vector: JoseVector, token: str) -> str:
    other = ES_MINIMAL if vector is ED_MATCH else ED_MATCH
    header, payload, _ = _parts(token)
    return f"{header}.{payload}.{_parts(_bound_jws(other))[2]}"


JOSE_TAMPERS: list[Any] = [
    pytest.param(_jws_changed_claim, id="changed-claim"),
    pytest.param(_jws_changed_header, id="changed-header-cty"),
    pytest.param(_jws_flipped_signature_byte, id="flipped-signature-byte"),
    pytest.param(_jws_signature_of_the_official_vector, id="signature-of-official-vector"),
    pytest.param(_jws_signature_of_the_other_vector, id="signature-of-other-vector"),
]
JOSE_BOUND = [
    pytest.param(ED_MATCH, id="EdDSA-issuer-match"),
    pytest.param(ES_MINIMAL, id="ES256-minimal"),
]
#: What the official vc-jose-cose credentials get: the kid is not a DID URL (so no key),
#: iat is a string, and the https issuer is not pinned.
OFFICIAL_JOSE: Checks = {
    **GENUINE_NON_PASSPORT,
    "proof": _fail("key-not-found", "malformed"),
    "issuer": _fail("issuer-untrusted"),
}


@pytest.mark.parametrize(
    ("case", "vm_file", "proof"),
    [
        ("credential-jose-minimal.txt", "vm-p256.json", None),
        ("credential-issuer-match-signed.txt", "vm-ed25519.json", None),
        ("credential-jose-bad-signature.txt", "vm-ed25519.json", None),
        # typ is refused before any key is looked up: only the header and iat are reported.
        ("credential-jose-bad-media-type.txt", "vm-ed25519.json", _fail("malformed")),
        # the forbidden vc/vp claims are refused before any key is looked up
        ("credential-jose-vc-vp-claims.txt", "vm-ed25519.json", _fail("malformed")),
        # ES512 (P-521): refused for its alg, before any key; the key cannot be pinned anyway
        ("credential-jose-unknown-extensions.txt", None, _fail("unsupported-suite", "malformed")),
    ],
)
def test_official_vc_jwt_vectors(
    case: str, vm_file: str | None, proof: tuple[str, frozenset[str]] | None
) -> None:
    """Trusting the did:jwk of the vector's own key: the official tokens cannot name it."""
    token = _jose(case).read_text(encoding="ascii")
    outcome = verify_vector(token, trust=_jose_did(vm_file) if vm_file else None, at=AT)
    _expect(outcome, {**OFFICIAL_JOSE, "proof": proof or OFFICIAL_JOSE["proof"]})


@pytest.mark.parametrize("vector", JOSE_BOUND)
def test_issuer_bound_vc_jwt_vector_verifies(vector: JoseVector) -> None:
    token = _bound_jws(vector)
    outcome = verify_vector(token, trust=_jose_did(vector.vm_file), at=AT)
    _expect(outcome, GENUINE_NON_PASSPORT)
    assert verify_vector(token.encode("ascii"), trust=_jose_did(vector.vm_file), at=AT) == outcome


@pytest.mark.parametrize("tamper", JOSE_TAMPERS)
@pytest.mark.parametrize("vector", JOSE_BOUND)
def test_issuer_bound_vc_jwt_tampering(
    vector: JoseVector, tamper: Callable[[JoseVector, str], str]
) -> None:
    genuine = _bound_jws(vector)
    token = tamper(vector, genuine)
    assert token != genuine
    outcome = verify_vector(token, trust=_jose_did(vector.vm_file), at=AT)
    _expect(outcome, {**GENUINE_NON_PASSPORT, "proof": _fail("signature-invalid")})


@pytest.mark.parametrize(
    "case",
    ["credential-jose-bad-media-type.txt", "credential-jose-vc-vp-claims.txt"],
)
def test_issuer_bound_negative_vc_jwt_vectors(case: str) -> None:
    """The suite's negatives whose signatures are valid, bound like the others: once the key
    resolves, they are refused for what they test (``typ``; the ``vc``/``vp`` claims)."""
    token = _bound_jws(JoseVector(case, "vm-ed25519.json"))
    outcome = verify_vector(token, trust=_jose_did("vm-ed25519.json"), at=AT)
    _expect(outcome, {**GENUINE_NON_PASSPORT, "proof": _fail("malformed")})


# --- formats innopass does not offer: COSE, SD-JWT, presentations -------------------------

#: Not a compact JWS and not JSON: refused at parse; nothing else can run.
UNPARSEABLE: Checks = {
    "parse": _fail("malformed"),
    **dict.fromkeys(("proof", "issuer", "validity", "status", "record"), ("skipped", NONE)),
}
#: A vp+jwt parses as a JWS, but its payload is a presentation, not a VC 2.0 credential:
#: refused at parse; with no issuer there is no proof or issuer check.
PRESENTATION: Checks = {
    **GENUINE_NON_PASSPORT,
    "parse": _fail("malformed"),
    "proof": ("skipped", NONE),
    "issuer": ("skipped", NONE),
}
NOT_OFFERED = {
    "credential-cose-*.txt": UNPARSEABLE,  # COSE_Sign1 (application/vc+cose)
    "presentation-cose-*.txt": UNPARSEABLE,
    "*sdjwt*.txt": UNPARSEABLE,  # SD-JWT (vc+sd-jwt): "~"-separated, not a compact JWS
    "presentation-jose-*.txt": PRESENTATION,  # vp+jwt (ES384 and EdDSA)
}


def _not_offered() -> list[Any]:
    return [
        pytest.param(path.name, expected, id=path.name.removesuffix(".txt"))
        for pattern, expected in NOT_OFFERED.items()
        for path in sorted(vectors_dir("vc-jose-cose").glob(pattern))
    ]


def test_not_offered_patterns_match_the_suite() -> None:
    counts = {p: len(list(vectors_dir("vc-jose-cose").glob(p))) for p in NOT_OFFERED}
    assert counts == {
        "credential-cose-*.txt": 4,
        "presentation-cose-*.txt": 3,
        "*sdjwt*.txt": 7,
        "presentation-jose-*.txt": 3,
    }


@pytest.mark.parametrize(("case", "expected"), _not_offered())
def test_formats_innopass_does_not_offer_are_refused(case: str, expected: Checks) -> None:
    """COSE, SD-JWT and presentations are not innopass formats (PRODUCT.md §3): each is
    ``rejected`` as ``malformed`` at parse, never verified, never an exception."""
    for trust in (None, _jose_did("vm-ed25519.json")):
        _expect(verify_vector(_jose(case).read_bytes(), trust=trust, at=AT), expected)
