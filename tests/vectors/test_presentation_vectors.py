"""W3C vc-jose-cose presentation inputs (``vp+jwt``) through ``Verifier.verify_presentation``.

The suite's presentations name keys by JWK thumbprints and an https holder, which no
verifier can resolve offline: as given, each proof is ``key-not-found``. Re-signed
with the suite's own P-384 key as the ``did:jwk`` holder (ES384, the suite's
algorithm for this case), the presentation's proof verifies, and each credential in
it is still reported for what it is: the vc+jwt one cannot name its key, the SD-JWT
and COSE ones are formats innopass does not read (``unsupported-suite``).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from vector_verifier import Checks, PresentationOutcome, verify_presentation_vector

from conftest import vectors_dir
from innopass._internal.jose import parse_compact_jws
from innopass._internal.jsonio import loads_strict
from innopass.did import did_jwk_document, did_jwk_from_public_key
from innopass.keys import KeyType, PrivateKey, private_key_from_jwk

NONE: frozenset[str] = frozenset()


def _fail(*codes: str) -> tuple[str, frozenset[str]]:
    return ("fail", frozenset(codes))


PASS = ("pass", NONE)
SKIPPED = ("skipped", NONE)
#: A credential in a format innopass does not read: refused at parse, nothing else runs.
UNREAD = {
    "parse": ("indeterminate", frozenset({"unsupported-suite"})),
    **dict.fromkeys(("proof", "issuer", "validity", "status", "record"), SKIPPED),
}
#: The suite's vc+jwt credential: its kid is no DID URL, its iat a string, its issuer unpinned.
OFFICIAL_VC = {
    "parse": PASS,
    "proof": _fail("key-not-found", "malformed"),
    "issuer": _fail("issuer-untrusted"),
    "validity": PASS,
    "status": SKIPPED,
    "record": _fail("not-a-passport"),
}


def _token(name: str) -> str:
    return vectors_dir("vc-jose-cose", name).read_text(encoding="ascii").strip()


def _b64json(value: Any) -> str:
    data = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _issued(token: str) -> datetime:
    """A minute after the token says it was issued (the suite's tokens are short-lived)."""
    iat = parse_compact_jws(token).payload["iat"]
    assert isinstance(iat, int)
    return datetime.fromtimestamp(iat, UTC) + timedelta(minutes=1)


def _p384() -> PrivateKey:
    method = loads_strict(vectors_dir("vc-jose-cose", "vm-p384.json").read_bytes())
    assert isinstance(method, dict)
    key = private_key_from_jwk(method["secretKeyJwk"])
    assert key.key_type is KeyType.P384
    return key


def _bound(challenge: str | None = None, domain: str | None = None) -> str:
    """presentation-jose-multiple, its holder rebound to the did:jwk of the suite's P-384 key."""
    key = _p384()
    official = parse_compact_jws(_token("presentation-jose-multiple.txt"))
    assert official.header["alg"] == "ES384"
    key.public_key().verify(official.signature, official.signing_input)  # the suite's own key
    did = did_jwk_from_public_key(key.public_key())
    header = {**official.header, "kid": did_jwk_document(did).authentication[0]}
    payload: dict[str, Any] = {**official.payload, "holder": did, "iss": did}
    if challenge is not None:
        payload["nonce"] = challenge
    if domain is not None:
        payload["aud"] = domain
    signing_input = f"{_b64json(header)}.{_b64json(payload)}"
    signature = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=").decode()
    return f"{signing_input}.{signature}"


def _expect(outcome: PresentationOutcome, own: Checks, credentials: list[Checks]) -> None:
    assert outcome.checks == own
    assert [c.checks for c in outcome.credentials] == credentials


def test_official_presentation_names_no_key_innopass_can_find() -> None:
    token = _token("presentation-jose-multiple.txt")
    outcome = verify_presentation_vector(token, trust=None, at=_issued(token))
    _expect(
        outcome,
        {"parse": PASS, "proof": _fail("key-not-found")},
        [OFFICIAL_VC, UNREAD, UNREAD],
    )
    assert outcome.verdict == "rejected"


def test_bound_p384_presentation_proof_verifies() -> None:
    token = _bound()
    outcome = verify_presentation_vector(token, trust=None, at=_issued(token))
    _expect(outcome, {"parse": PASS, "proof": PASS}, [OFFICIAL_VC, UNREAD, UNREAD])
    assert outcome.verdict == "rejected"  # for the credentials, not the presentation


def test_bound_p384_presentation_answers_the_challenge() -> None:
    token = _bound(challenge="n-0S6_WzA2Mj", domain="r1h.nhs.example")
    right = verify_presentation_vector(
        token, trust=None, at=_issued(token), challenge="n-0S6_WzA2Mj", domain="r1h.nhs.example"
    )
    assert right.checks["proof"] == PASS
    wrong = verify_presentation_vector(
        token, trust=None, at=_issued(token), challenge="another", domain="r1h.nhs.example"
    )
    assert wrong.checks["proof"] == _fail("challenge-mismatch")
    other_domain = verify_presentation_vector(
        token, trust=None, at=_issued(token), challenge="n-0S6_WzA2Mj", domain="evil.example"
    )
    assert other_domain.checks["proof"] == _fail("domain-mismatch")
    unbound = _bound()
    missing = verify_presentation_vector(
        unbound, trust=None, at=_issued(unbound), challenge="n-0S6_WzA2Mj"
    )
    assert missing.checks["proof"] == _fail("challenge-mismatch")


@pytest.mark.parametrize("part", [1, 2])
def test_bound_p384_presentation_tampered(part: int) -> None:
    pieces = _bound().split(".")
    if part == 1:  # a changed payload
        payload = json.loads(base64.urlsafe_b64decode(pieces[1] + "=="))
        payload["verifiableCredential"] = payload["verifiableCredential"][:1]
        pieces[1] = _b64json(payload)
    else:  # a changed signature byte
        raw = bytearray(base64.urlsafe_b64decode(pieces[2] + "=="))
        raw[10] ^= 1
        pieces[2] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    token = ".".join(pieces)
    outcome = verify_presentation_vector(token, trust=None, at=_issued(token))
    assert outcome.checks["proof"] == _fail("signature-invalid")


def test_bad_media_type_presentation() -> None:
    token = _token("presentation-jose-bad-media-type.txt")
    outcome = verify_presentation_vector(token, trust=None, at=_issued(token))
    assert outcome.checks == {"parse": _fail("malformed"), "proof": _fail("malformed")}
    assert outcome.verdict == "rejected"


def test_bad_credential_presentation() -> None:
    """Its one credential is an envelope whose id is no data: URL."""
    token = _token("presentation-jose-bad-credential.txt")
    outcome = verify_presentation_vector(token, trust=None, at=_issued(token))
    assert outcome.checks == {"parse": PASS, "proof": _fail("key-not-found")}
    (credential,) = outcome.credentials
    assert credential.checks["parse"] == _fail("id-invalid")
    assert outcome.verdict == "rejected"
