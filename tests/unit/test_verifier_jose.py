"""``vc+jwt`` passports: the token never chooses its algorithm or its key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest

from innopass.keys import KeyType
from innopass.verifier import CheckName, CheckStatus, FailureCode, Verdict
from verifier_factory import (
    NOW,
    Org,
    jwt_passport,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    unsigned_passport,
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(header: dict[str, Any], payload: dict[str, Any], sign: Any) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _parts(org: Org) -> tuple[dict[str, Any], dict[str, Any]]:
    header = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": org.keys[0].vm_id}
    payload = dict(unsigned_passport(org))
    payload.update(iss=org.did, iat=int(NOW.timestamp()) - 3600, jti=payload["id"])
    return header, payload


@pytest.fixture(scope="module")
def org() -> Org:
    return Org.did_key()


def _verify(org: Org, token: str):  # type: ignore[no-untyped-def]
    return make_verifier(issuers=[org.did], status_lists=org.status_lists()).verify(token)


def test_hand_built_token_verifies(org: Org) -> None:
    header, payload = _parts(org)
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert result.verified, result.failures


def test_alg_none_is_rejected(org: Org) -> None:
    header, payload = _parts(org)
    header["alg"] = "none"
    result = _verify(org, _token(header, payload, lambda _: b""))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.SIGNATURE_INVALID in result.codes


def test_hs256_keyed_with_the_public_key_is_rejected(org: Org) -> None:
    header, payload = _parts(org)
    header["alg"] = "HS256"
    public = org.keys[0].private.public_key()
    for secret in (public.raw_bytes(), public.to_multibase().encode(), public.to_pem()):
        token = _token(header, payload, lambda m, s=secret: hmac.new(s, m, hashlib.sha256).digest())
        result = _verify(org, token)
        assert result.verdict is Verdict.REJECTED
        assert FailureCode.SIGNATURE_INVALID in result.codes


@pytest.mark.parametrize("name", ["jwk", "jku", "x5u", "x5c"])
def test_embedded_key_headers_are_rejected(org: Org, name: str) -> None:
    header, payload = _parts(org)
    header[name] = (
        org.keys[0].private.public_key().to_jwk() if name == "jwk" else "https://evil.example/k"
    )
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.MALFORMED in result.codes
    assert any(f.path == f"/header/{name}" for f in result.failures)


def test_attacker_key_in_jwk_header_is_never_used(org: Org) -> None:
    attacker = Org.did_key()
    header, payload = _parts(org)
    header["jwk"] = attacker.keys[0].private.public_key().to_jwk()
    result = _verify(org, _token(header, payload, attacker.keys[0].private.sign))
    assert result.verdict is Verdict.REJECTED


@pytest.mark.parametrize("typ", [None, "JWT", "vp+jwt", "bad+typ"])
def test_typ_must_be_vc_jwt(org: Org, typ: str | None) -> None:
    header, payload = _parts(org)
    if typ is None:
        del header["typ"]
    else:
        header["typ"] = typ
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert result.verdict is Verdict.REJECTED
    assert any(f.code is FailureCode.MALFORMED and f.path == "/header/typ" for f in result.failures)


def test_unknown_crit_is_rejected(org: Org) -> None:
    header, payload = _parts(org)
    header["crit"] = ["exp-policy"]
    header["exp-policy"] = 1
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert FailureCode.MALFORMED in result.codes


def test_alg_must_match_the_key(org: Org) -> None:
    header, payload = _parts(org)
    header["alg"] = "ES256"
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.SIGNATURE_INVALID in result.codes


def test_alg_outside_allow_list_is_unsupported() -> None:
    org = Org.did_key(key_type=KeyType.P256)
    verifier = make_verifier(
        issuers=[org.did], status_lists=org.status_lists(), jose_algorithms=("EdDSA",)
    )
    result = verifier.verify(jwt_passport(org))
    assert FailureCode.UNSUPPORTED_SUITE in result.codes
    assert not result.verified


def test_iss_must_equal_issuer(org: Org) -> None:
    header, payload = _parts(org)
    payload["iss"] = "did:example:someone-else"
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert FailureCode.MALFORMED in result.codes


@pytest.mark.parametrize("claim", ["vc", "vp"])
def test_vc_vp_claims_are_rejected(org: Org, claim: str) -> None:
    header, payload = _parts(org)
    payload[claim] = {"type": ["VerifiableCredential"]}
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert FailureCode.MALFORMED in result.codes


def test_kid_of_another_did_is_not_authorised(org: Org) -> None:
    other = Org.did_key()
    header, payload = _parts(org)
    header["kid"] = other.keys[0].vm_id
    result = _verify(org, _token(header, payload, other.keys[0].private.sign))
    assert FailureCode.KEY_NOT_AUTHORISED in result.codes


def test_string_iat_is_malformed(org: Org) -> None:
    header, payload = _parts(org)
    payload["iat"] = "2010-01-01T19:23:24Z"
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert FailureCode.MALFORMED in result.codes


def test_jwt_without_iat_verifies_when_its_time_cannot_matter(org: Org) -> None:
    """``iat`` is optional in VC-JOSE-COSE: a did:key pinned by DID has no window."""
    header, payload = _parts(org)
    del payload["iat"]
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert result.verified, result.failures


def _retired_key_org() -> Org:
    """A did:web issuer whose only key was valid from a year ago until ten days ago."""
    return Org.did_web(windows=[(NOW - timedelta(days=365), NOW - timedelta(days=10))])


def _verify_described(org: Org, token: str):  # type: ignore[no-untyped-def]
    """Trusting ``org``'s description; its status lists signed while its key was valid."""
    signed_then = NOW - timedelta(days=20)
    lists = [org.status_list(p, created=signed_then) for p in ("revocation", "suspension")]
    return make_verifier(issuers=[org.organisation()], status_lists=lists).verify(token)


def test_jwt_without_iat_is_dated_by_nbf_then_valid_from() -> None:
    web = _retired_key_org()
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": web.keys[0].vm_id}
    payload = dict(unsigned_passport(web))  # validFrom: a day ago, after the key retired
    payload.update(iss=web.did, jti=payload["id"])
    by_valid_from = _verify_described(web, _token(header, payload, web.keys[0].private.sign))
    assert {(f.code, f.path) for f in by_valid_from.failures if f.check == "issuer"} == {
        (FailureCode.KEY_NOT_VALID_AT_TIME, "/validFrom")
    }
    payload["nbf"] = int((NOW - timedelta(days=20)).timestamp())  # inside the key's window
    by_nbf = _verify_described(web, _token(header, payload, web.keys[0].private.sign))
    assert by_nbf.verified, by_nbf.failures


def test_jwt_with_no_signing_time_and_a_dated_key_is_indeterminate() -> None:
    web = _retired_key_org()
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": web.keys[0].vm_id}
    payload = dict(unsigned_passport(web))
    del payload["validFrom"]
    payload.update(iss=web.did, jti=payload["id"])
    result = _verify_described(web, _token(header, payload, web.keys[0].private.sign))
    issuer = result.check(CheckName.ISSUER)
    assert (issuer.status, issuer.code) == (
        CheckStatus.INDETERMINATE,
        FailureCode.SIGNING_TIME_UNKNOWN,
    )
    assert FailureCode.MALFORMED in result.codes  # a passport must have validFrom


def test_tampered_payload(org: Org) -> None:
    token = jwt_passport(org)
    head, payload, sig = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data["name"] = "something else"
    forged = f"{head}.{_b64(json.dumps(data).encode())}.{sig}"
    assert FailureCode.SIGNATURE_INVALID in _verify(org, forged).codes


def test_expired_jwt_exp(org: Org) -> None:
    header, payload = _parts(org)
    payload["exp"] = int(NOW.timestamp()) - 86400
    result = _verify(org, _token(header, payload, org.keys[0].private.sign))
    assert FailureCode.EXPIRED in result.codes


_B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


# 64-byte signatures only: a P-384 signature (96 bytes) fills its base64url exactly.
@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P256])
def test_signature_with_non_canonical_base64url_is_not_accepted(key_type: KeyType) -> None:
    """A 64-byte signature leaves 4 unused bits in its last base64url character.

    Setting them gives another spelling of the same bytes: accepting it would make
    every token malleable (two different strings, one signature).
    """
    org = Org.did_key(key_type=key_type)
    token = jwt_passport(org)
    head, _, signature = token.rpartition(".")
    last = _B64_ALPHABET.index(signature[-1])
    flipped = signature[:-1] + _B64_ALPHABET[last ^ 0b0001]
    assert base64.urlsafe_b64decode(flipped + "==") == base64.urlsafe_b64decode(signature + "==")
    assert _verify(org, token).verified
    result = _verify(org, f"{head}.{flipped}")
    assert result.verdict is Verdict.REJECTED
    assert result.codes <= {FailureCode.MALFORMED, FailureCode.SIGNATURE_INVALID}
    assert result.codes


def test_non_ascii_or_padded_segments_are_malformed(org: Org) -> None:
    token = jwt_passport(org)
    head, payload, signature = token.split(".")
    for bad in (f"{head}.{payload}.{signature}=", f"{head}.{payload}.{signature[:-1]}٣"):
        result = _verify(org, bad)
        assert result.verdict is Verdict.REJECTED
        assert FailureCode.MALFORMED in result.codes


def test_a_jwt_payload_is_known_plain_only_without_a_float(org: Org) -> None:
    from innopass._internal.jsonio import JsonLimits
    from innopass.verifier._envelope import open_envelope

    header, payload = _parts(org)
    envelope, _ = open_envelope(
        _token(header, payload, lambda _: b"s" * 64), limits=JsonLimits(), max_proofs=4
    )
    assert envelope is not None
    assert envelope.jws is not None
    assert envelope.plain
    payload["credentialSubject"]["weight"] = 1.5  # the record digest then takes the exact route
    envelope, _ = open_envelope(
        _token(header, payload, lambda _: b"s" * 64), limits=JsonLimits(), max_proofs=4
    )
    assert envelope is not None
    assert envelope.jws is not None
    assert not envelope.plain
