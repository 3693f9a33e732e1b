"""Property tests: Data Integrity round trips over random JSON, and any one-character
change to a signed document is rejected, through the proof engine and through the
``Verifier`` (the path users run)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innopass._internal.canonical import canonicalize
from innopass._internal.jsonio import loads_strict
from innopass._internal.proof import ProofOptions, add_proof, verify_data_integrity
from innopass._internal.suites import SUITES, suite_for_key
from innopass.did import DidKeyResolver, did_key_from_public_key, verification_method_id
from innopass.errors import FailureCode, InnopassError
from innopass.keys import KeyType, PrivateKey, generate_private_key
from innopass.verifier import TrustStore, Verifier

KEYS: dict[KeyType, PrivateKey] = {t: generate_private_key(t) for t in KeyType}
DIDS: dict[KeyType, str] = {t: did_key_from_public_key(k.public_key()) for t, k in KEYS.items()}
CREATED = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
VERIFIERS = {
    t: Verifier(TrustStore().with_issuer(did), clock=lambda: CREATED) for t, did in DIDS.items()
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    # rfc8785 refuses integral floats beyond 2**53 (conservative; passports use strings there)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: abs(f) < 2**53)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
documents = st.dictionaries(
    st.text(max_size=8).filter(lambda k: k not in ("proof", "@context")),
    json_values,
    min_size=1,
    max_size=6,
)


def _sign(document: dict[str, Any], key_type: KeyType) -> dict[str, Any]:
    key = KEYS[key_type]
    return add_proof(
        document,
        key=key,
        suite=suite_for_key(key_type),
        options=ProofOptions(
            verification_method=verification_method_id(DIDS[key_type]), created=CREATED
        ),
    )


def _engine(document: dict[str, Any], key_type: KeyType) -> None:
    verify_data_integrity(document, issuer=DIDS[key_type], resolver=DidKeyResolver(), suites=SUITES)


def _credential(claims: dict[str, Any], key_type: KeyType) -> dict[str, Any]:
    """A VC 2.0 credential from the issuer of ``key_type`` carrying ``claims``."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": DIDS[key_type],
        "credentialSubject": {"claims": claims},
    }


@pytest.mark.parametrize("key_type", list(KeyType))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_round_trip(key_type: KeyType, document: dict[str, Any]) -> None:
    signed = _sign(document, key_type)
    # Through the wire: canonical bytes, strictly parsed back.
    received = loads_strict(canonicalize(signed))
    assert isinstance(received, dict)
    _engine(received, key_type)


@pytest.mark.parametrize("key_type", list(KeyType))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims=documents)
def test_round_trip_through_the_verifier(key_type: KeyType, claims: dict[str, Any]) -> None:
    signed = _sign(_credential(claims, key_type), key_type)
    result = VERIFIERS[key_type].verify(canonicalize(signed))
    assert result.check("proof").status == "pass"
    assert result.check("issuer").status == "pass"
    assert FailureCode.NOT_A_PASSPORT in result.codes  # a credential, not a passport


@pytest.mark.parametrize("key_type", list(KeyType))
@settings(max_examples=150, deadline=None)
@given(document=documents, data=st.data())
def test_any_single_character_change_is_rejected(
    key_type: KeyType, document: dict[str, Any], data: st.DataObject
) -> None:
    signed = _sign(document, key_type)
    text = canonicalize(signed).decode("utf-8")
    position = data.draw(st.integers(min_value=0, max_value=len(text) - 1), label="position")
    replacement = data.draw(
        st.characters(exclude_categories=["Cs"]).filter(lambda c: c != text[position]),
        label="replacement",
    )
    mutated = text[:position] + replacement + text[position + 1 :]
    try:
        received = loads_strict(mutated)
    except InnopassError:
        return  # no longer JSON: rejected at parse
    if received == json.loads(text):
        return  # the same document (cannot happen for canonical text, but stay honest)
    assert isinstance(received, dict)  # one character cannot turn the object into another type
    with pytest.raises(InnopassError):
        _engine(received, key_type)


@pytest.mark.parametrize("key_type", list(KeyType))
@settings(max_examples=100, deadline=None)
@given(claims=documents, data=st.data())
def test_any_single_character_change_fails_the_verifiers_proof_check(
    key_type: KeyType, claims: dict[str, Any], data: st.DataObject
) -> None:
    text = canonicalize(_sign(_credential(claims, key_type), key_type)).decode("utf-8")
    position = data.draw(st.integers(min_value=0, max_value=len(text) - 1), label="position")
    replacement = data.draw(
        st.characters(exclude_categories=["Cs"]).filter(lambda c: c != text[position]),
        label="replacement",
    )
    mutated = text[:position] + replacement + text[position + 1 :]
    result = VERIFIERS[key_type].verify(mutated)  # never raises
    if json.loads(text) == _loose(mutated):
        return  # same document (e.g. whitespace): the proof may still pass
    assert result.check("proof").status != "pass" or result.check("parse").status != "pass"


def _loose(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=100))
def test_fast_base58_matches_multiformats(data: bytes) -> None:
    from multiformats import multibase

    from innopass._internal.encoding import base58btc_decode

    encoded = multibase.encode(data, "base58btc")
    assert base58btc_decode(encoded[1:]) == data
    assert bytes(multibase.decode(encoded)) == data


@pytest.mark.parametrize("bad", ["z0", "zI", "zO", "zl", "z+", "z\u00e9"])
def test_invalid_base58_signature_is_malformed(bad: str) -> None:
    from innopass._internal.proof import parse_proofs
    from innopass.errors import CheckFailed

    with pytest.raises(CheckFailed) as info:
        parse_proofs(
            {
                "proof": {
                    "type": "DataIntegrityProof",
                    "cryptosuite": "eddsa-jcs-2022",
                    "verificationMethod": "did:example:a#1",
                    "proofPurpose": "assertionMethod",
                    "proofValue": bad,
                }
            }
        )
    assert (info.value.failure, info.value.path) == (FailureCode.MALFORMED, "/proof/proofValue")


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=100))
def test_fast_base58_encoding_matches_multiformats(data: bytes) -> None:
    from multiformats import multibase

    from innopass._internal.encoding import base58btc_encode

    assert "z" + base58btc_encode(data) == multibase.encode(data, "base58btc")
