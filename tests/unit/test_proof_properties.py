"""Property tests: Data Integrity round trips over random JSON, and any one-character
change to a signed document is rejected."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innopass._internal.canonical import canonicalize
from innopass._internal.jsonio import loads_strict
from innopass._internal.proof import ProofOptions, add_proof, verify_proof
from innopass._internal.suites import SUITES, suite_for_key
from innopass.errors import InnopassError
from innopass.keys import KeyType, PrivateKey, generate_private_key

KEYS: dict[KeyType, PrivateKey] = {t: generate_private_key(t) for t in KeyType}
CREATED = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)

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
        options=ProofOptions(verification_method="did:example:issuer#key-1", created=CREATED),
    )


@pytest.mark.parametrize("key_type", list(KeyType))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_round_trip(key_type: KeyType, document: dict[str, Any]) -> None:
    signed = _sign(document, key_type)
    # Through the wire: canonical bytes, strictly parsed back.
    received = loads_strict(canonicalize(signed))
    assert isinstance(received, dict)
    verify_proof(received, suites=SUITES, key=KEYS[key_type].public_key())


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
        st.characters(blacklist_categories=("Cs",)).filter(lambda c: c != text[position]),
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
        verify_proof(received, suites=SUITES, key=KEYS[key_type].public_key())


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=100))
def test_fast_base58_matches_multiformats(data: bytes) -> None:
    from multiformats import multibase

    from innopass._internal.proof import base58btc_decode

    encoded = multibase.encode(data, "base58btc")
    assert base58btc_decode(encoded[1:]) == data
    assert bytes(multibase.decode(encoded)) == data


@pytest.mark.parametrize("bad", ["z0", "zI", "zO", "zl", "z+", "z\u00e9"])
def test_invalid_base58_signature_is_a_proof_error(bad: str) -> None:
    from innopass._internal.proof import parse_proof
    from innopass.errors import ProofError

    with pytest.raises(ProofError):
        parse_proof(
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
