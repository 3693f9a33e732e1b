"""W3C vc-jose-cose test-suite inputs run through ``innopass._internal.jose``, with reasoned skips.

The suite's keys are bare JWKs (``vm-*.json``), not DIDs, so these cases exercise
the JOSE layer (strict parsing, header checks, algorithm allow-list, signature),
not the verifier's DID-based key resolution. Note the suite's credential JWTs
carry ``iat`` as an RFC 3339 string; ``innopass._internal.jose`` does not interpret ``iat``
(the verifier does, and rejects a non-numeric one for innopass passports).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import vectors_dir
from innopass._internal.jose import parse_compact_jws, verify_vc_jwt
from innopass.errors import InvalidSignatureError, ProofError, UnsupportedSuiteError
from innopass.keys import PublicKey, public_key_from_jwk
from innopass.verifier import DEFAULT_JOSE_ALGORITHMS

ALGORITHMS = DEFAULT_JOSE_ALGORITHMS


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
    verify_vc_jwt(parsed, _key(key), algorithms=ALGORITHMS)
    assert parsed.payload["iss"] == parsed.payload["issuer"]


def test_bad_signature() -> None:
    parsed = parse_compact_jws(_token("credential-jose-bad-signature.txt"))
    with pytest.raises(InvalidSignatureError):
        verify_vc_jwt(parsed, _key("vm-ed25519.json"), algorithms=ALGORITHMS)


def test_bad_media_type_is_rejected_though_the_signature_is_valid() -> None:
    parsed = parse_compact_jws(_token("credential-jose-bad-media-type.txt"))
    assert parsed.header["typ"] == "bad+typ"
    _key("vm-ed25519.json").verify(parsed.signature, parsed.signing_input)  # signature is fine
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(parsed, _key("vm-ed25519.json"), algorithms=ALGORITHMS)
    assert info.value.path == "/header/typ"


def test_vc_vp_claims_are_rejected_though_the_signature_is_valid() -> None:
    parsed = parse_compact_jws(_token("credential-jose-vc-vp-claims.txt"))
    _key("vm-ed25519.json").verify(parsed.signature, parsed.signing_input)
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(parsed, _key("vm-ed25519.json"), algorithms=ALGORITHMS)
    assert info.value.path in ("/vc", "/vp")


@pytest.mark.parametrize(
    ("case", "alg", "error"),
    [
        ("credential-jose-unknown-extensions.txt", "ES512", UnsupportedSuiteError),
        # a vp+jwt: refused for its typ first, and ES384 is outside the allow-list anyway
        ("presentation-jose-multiple.txt", "ES384", ProofError),
    ],
)
def test_algorithms_outside_the_allow_list_are_refused(
    case: str, alg: str, error: type[Exception]
) -> None:
    """ES384/ES512 cases: innopass does not support P-384/P-521, so they must be refused.

    The refusal happens on ``alg`` alone, before any key is consulted: even handed a
    key, the verifier would never let the token pick an algorithm it has not allowed.
    """
    parsed = parse_compact_jws(_token(case))
    assert parsed.header["alg"] == alg
    assert alg not in ALGORITHMS
    with pytest.raises(error):
        verify_vc_jwt(parsed, _key("vm-ed25519.json"), algorithms=ALGORITHMS)


SKIPS = {
    "credential-cose-*.txt": "COSE (application/vc+cose) is not a securing mechanism of innopass",
    "presentation-cose-*.txt": "COSE presentations: innopass offers no COSE and no presentations",
    "*sdjwt*.txt": "SD-JWT (vc+sd-jwt) selective disclosure is not an innopass format",
    "presentation-jose-bad-*.txt": "innopass verifies credentials, not presentations (vp+jwt)",
}


@pytest.mark.parametrize("pattern", sorted(SKIPS))
def test_not_applicable_cases_are_skipped_with_a_reason(pattern: str) -> None:
    assert sorted(_folder().glob(pattern)), f"no files match {pattern}"
    pytest.skip(SKIPS[pattern])
