"""W3C vc-jose-cose test-suite inputs run through ``innopass._internal.jose``.

The suite's keys are bare JWKs (``vm-*.json``) and its ``kid``s are not DID URLs,
so these cases exercise the JOSE layer's rules (strict parsing, header checks,
algorithm allow-list, payload rules), which :func:`verify_vc_jwt` applies before it
looks up any key, and the signatures with the suite's keys directly; the
verifier's DID-based key resolution is exercised by ``test_verifier_vectors.py``,
which runs the same inputs through ``Verifier.verify``. Note the suite's credential
JWTs carry ``iat`` as an RFC 3339 string, which :func:`jwt_claims` refuses.

Every secured input of the suite is covered: the formats innopass does not offer
(COSE, SD-JWT, presentations) are not skipped but checked to be refused cleanly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import vectors_dir
from innopass._internal.jose import ParsedJws, parse_compact_jws, verify_vc_jwt
from innopass.did import StaticResolver
from innopass.errors import (
    CheckFailed,
    FailureCode,
    InvalidSignatureError,
    KeyMaterialError,
    MalformedInputError,
)
from innopass.keys import KeyType, PublicKey, private_key_from_jwk, public_key_from_jwk
from innopass.verifier import DEFAULT_JOSE_ALGORITHMS

ALGORITHMS = DEFAULT_JOSE_ALGORITHMS


def _rules(parsed: ParsedJws) -> CheckFailed:
    """Run :func:`verify_vc_jwt` with no keys at all: the first rule it refuses the token on.

    Every JOSE rule is checked before a key is looked up, so a token that passes
    them all fails only for want of its key (the suite's ``kid`` is no DID URL).
    """
    issuer = parsed.payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    with pytest.raises(CheckFailed) as info:
        verify_vc_jwt(
            parsed, issuer=str(issuer_id), resolver=StaticResolver({}), algorithms=ALGORITHMS
        )
    return info.value


def _folder() -> Path:
    return vectors_dir("vc-jose-cose")


def _key(name: str) -> PublicKey:
    return public_key_from_jwk(json.loads((_folder() / name).read_text())["publicKeyJwk"])


def _token(name: str) -> str:
    return (_folder() / name).read_text().strip()


@pytest.mark.parametrize(
    ("case", "key"),
    [
        ("credential-jose-minimal.txt", "vm-p256.json"),
        ("credential-issuer-match-signed.txt", "vm-ed25519.json"),
    ],
)
def test_valid_credentials_verify(case: str, key: str) -> None:
    parsed = parse_compact_jws(_token(case))
    assert parsed.header["typ"] == "vc+jwt"
    assert isinstance(parsed.payload["iat"], str)  # the suite's string iat (see module docstring)
    _key(key).verify(parsed.signature, parsed.signing_input)
    assert parsed.payload["iss"] == parsed.payload["issuer"]
    refused = _rules(parsed)  # every rule passed: only the key is missing
    assert (refused.failure, refused.path) == (FailureCode.KEY_NOT_FOUND, "/header/kid")


def test_bad_signature() -> None:
    parsed = parse_compact_jws(_token("credential-jose-bad-signature.txt"))
    with pytest.raises(InvalidSignatureError):
        _key("vm-ed25519.json").verify(parsed.signature, parsed.signing_input)


def test_bad_media_type_is_rejected_though_the_signature_is_valid() -> None:
    parsed = parse_compact_jws(_token("credential-jose-bad-media-type.txt"))
    assert parsed.header["typ"] == "bad+typ"
    _key("vm-ed25519.json").verify(parsed.signature, parsed.signing_input)  # signature is fine
    refused = _rules(parsed)
    assert (refused.failure, refused.path) == (FailureCode.MALFORMED, "/header/typ")


def test_vc_vp_claims_are_rejected_though_the_signature_is_valid() -> None:
    parsed = parse_compact_jws(_token("credential-jose-vc-vp-claims.txt"))
    _key("vm-ed25519.json").verify(parsed.signature, parsed.signing_input)
    refused = _rules(parsed)
    assert refused.failure is FailureCode.MALFORMED
    assert refused.path in ("/vc", "/vp")


@pytest.mark.parametrize(
    ("case", "alg", "failure"),
    [("credential-jose-unknown-extensions.txt", "ES512", FailureCode.UNSUPPORTED_SUITE)],
)
def test_algorithms_outside_the_allow_list_are_refused(
    case: str, alg: str, failure: FailureCode
) -> None:
    """ES512: innopass does not support P-521, so it must be refused.

    The refusal happens on ``alg`` alone, before any key is consulted: even handed a
    key, the verifier would never let the token pick an algorithm it has not allowed.
    """
    parsed = parse_compact_jws(_token(case))
    assert parsed.header["alg"] == alg
    assert alg not in ALGORITHMS
    assert _rules(parsed).failure is failure


# P-521 is not planned: its key is refused cleanly.
def test_p521_keys_are_refused_cleanly() -> None:
    method = json.loads((_folder() / "vm-p521.json").read_text())
    with pytest.raises(KeyMaterialError):
        public_key_from_jwk(method["publicKeyJwk"])
    with pytest.raises(KeyMaterialError):
        private_key_from_jwk(method["secretKeyJwk"])


def test_p384_key_loads_and_signs_es384() -> None:
    """The suite's P-384 verification method: public and secret JWKs agree, and ES384 works."""
    method = json.loads((_folder() / "vm-p384.json").read_text())
    public = public_key_from_jwk(method["publicKeyJwk"])
    private = private_key_from_jwk(method["secretKeyJwk"])
    assert private.public_key() == public
    assert (public.key_type, public.jose_alg) == (KeyType.P384, "ES384")
    assert "ES384" in ALGORITHMS
    signature = private.sign(b"payload")
    public.verify(signature, b"payload")
    assert len(signature) == 96


#: Credential cases the tests above run through the JOSE layer.
CREDENTIAL_CASES = frozenset(
    {
        "credential-jose-minimal.txt",
        "credential-issuer-match-signed.txt",
        "credential-jose-bad-signature.txt",
        "credential-jose-bad-media-type.txt",
        "credential-jose-vc-vp-claims.txt",
        "credential-jose-unknown-extensions.txt",
    }
)
#: Formats innopass does not offer (PRODUCT.md §3 has vc+jwt credentials only).
NOT_OFFERED = {
    "credential-cose-*.txt": "COSE_Sign1 (application/vc+cose): not a compact JWS",
    "presentation-cose-*.txt": "COSE presentations: not a compact JWS",
    "*sdjwt*.txt": "SD-JWT (vc+sd-jwt): '~'-separated disclosures, not a compact JWS",
    "presentation-jose-*.txt": "vp+jwt presentations: a JWS, but not a vc+jwt",
}


def _not_offered(pattern: str) -> list[str]:
    return sorted(path.name for path in _folder().glob(pattern))


def test_every_secured_input_of_the_suite_is_covered() -> None:
    secured = {path.name for path in _folder().glob("*.txt")}
    covered = CREDENTIAL_CASES.union(*(_not_offered(p) for p in NOT_OFFERED))
    assert sorted(secured - covered) == [], "a vc-jose-cose input no test looks at"
    assert sorted(covered - secured) == []


@pytest.mark.parametrize(
    "case",
    _not_offered("credential-cose-*.txt")
    + _not_offered("presentation-cose-*.txt")
    + _not_offered("*sdjwt*.txt"),
)
def test_cose_and_sd_jwt_are_not_parsed_as_a_jws(case: str) -> None:
    with pytest.raises(MalformedInputError):
        parse_compact_jws(_token(case))


@pytest.mark.parametrize("case", _not_offered("presentation-jose-*.txt"))
def test_vp_jwt_presentations_are_refused_for_their_typ(case: str) -> None:
    """Refused on the header alone, before any key or algorithm is considered."""
    parsed = parse_compact_jws(_token(case))
    assert parsed.header["typ"] in ("vp+jwt", "bad+typ")
    assert parsed.payload["type"] == "VerifiablePresentation"
    refused = _rules(parsed)
    assert (refused.failure, refused.path) == (FailureCode.MALFORMED, "/header/typ")
