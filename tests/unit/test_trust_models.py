"""Trust material models (innopass.trust) and the verifier's use of them.

A ``did:key``/``did:jwk`` is its own key: no description, trust list or bundle can
bind it to another key. Descriptions and bundles carry ``formatVersion`` 1, and a
key window may only name a method the DID document lists under ``assertionMethod``.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from innopass.did import DidDocument, did_jwk_document, did_jwk_from_public_key, did_key_document
from innopass.errors import MalformedInputError
from innopass.keys import KeyType, generate_private_key
from innopass.trust import (
    ALL_PROFILES,
    Bundle,
    KeyWindow,
    OrganisationDescription,
    TrustedIssuer,
    TrustListContent,
    find_key_window,
)
from innopass.verifier import (
    AcceptedTrustList,
    FailureCode,
    TrustStore,
    Verdict,
    Verifier,
)
from verifier_factory import (
    NOW,
    Key,
    Org,
    bundle,
    clock,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    trust_list,
)

#: What a passport signed by a key the DID does not name may fail with (never verified).
_FORGERY_CODES = {
    FailureCode.SIGNATURE_INVALID,
    FailureCode.KEY_NOT_FOUND,
    FailureCode.KEY_NOT_AUTHORISED,
}


def _forged_document(did: str, attacker_multibase: str) -> DidDocument:
    """``did``'s computed document with its key swapped for the attacker's (parser bypassed)."""
    raw: Any = did_key_document(did).to_json()
    raw["verificationMethod"][0]["publicKeyMultibase"] = attacker_multibase
    return DidDocument.from_json(raw, expected_id=did)


def _impostor(victim: Org) -> Org:
    """An attacker who claims ``victim``'s did:key with its own key and a forged document."""
    attacker = generate_private_key(KeyType.ED25519)
    forged = _forged_document(victim.did, attacker.public_key().to_multibase())
    key = Key(attacker, victim.keys[0].vm_id)
    return Org(victim.ods, victim.name, victim.did, [key], forged, victim.status_base)


def _forged_description(victim: Org) -> Any:
    description: Any = victim.description()
    attacker = generate_private_key(KeyType.ED25519).public_key().to_multibase()
    description["didDocument"]["verificationMethod"][0]["publicKeyMultibase"] = attacker
    return description


# --- parsing: computed documents -------------------------------------------------------


def test_forged_did_key_description_is_refused() -> None:
    with pytest.raises(MalformedInputError) as info:
        OrganisationDescription.from_json(_forged_description(Org.did_key()))
    assert info.value.path == "/didDocument"


def test_forged_did_key_description_in_a_trust_list_entry_is_refused() -> None:
    victim = Org.did_key()
    entry: Any = victim.trusted_issuer().to_json()
    entry["didDocument"] = _forged_description(victim)["didDocument"]
    with pytest.raises(MalformedInputError):
        TrustedIssuer.from_json(entry, path="/x")


def test_forged_did_jwk_description_is_refused() -> None:
    key = generate_private_key(KeyType.P256)
    did = did_jwk_from_public_key(key.public_key())
    genuine = did_jwk_document(did)
    description: Any = OrganisationDescription(
        ods_code="RF4",
        name="X",
        did=did,
        did_document=genuine,
        status_list_base="urn:innopass:status:RF4/",
        keys=(KeyWindow(f"{did}#0"),),
    ).to_json()
    assert OrganisationDescription.from_json(description).did_document.same_keys(genuine)
    other = generate_private_key(KeyType.P256).public_key().to_jwk()
    description["didDocument"]["verificationMethod"][0]["publicKeyJwk"] = other
    with pytest.raises(MalformedInputError):
        OrganisationDescription.from_json(description)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["didDocument"].update(assertionMethod=[]),
        lambda d: d["didDocument"]["verificationMethod"].append(
            {
                "id": d["did"] + "#extra",
                "type": "Multikey",
                "controller": d["did"],
                "publicKeyMultibase": generate_private_key(KeyType.ED25519)
                .public_key()
                .to_multibase(),
            }
        ),
    ],
    ids=["no-assertion-method", "extra-method"],
)
def test_did_key_description_must_have_exactly_the_computed_methods(change: Any) -> None:
    description: Any = Org.did_key().description()
    change(description)
    with pytest.raises(MalformedInputError):
        OrganisationDescription.from_json(description)


def test_genuine_did_key_description_gets_the_computed_document() -> None:
    org = Org.did_key()
    description: Any = org.description()
    description["didDocument"]["@context"] = ["https://www.w3.org/ns/did/v1"]
    parsed = OrganisationDescription.from_json(description)
    assert parsed.did_document.to_json() == did_key_document(org.did).to_json()


# --- parsing: key windows --------------------------------------------------------------


def test_key_window_must_name_a_method_under_assertion_method() -> None:
    org = Org.did_web(windows=[(None, None), (None, None)], authorise=[0])
    description: Any = org.description()
    description["keys"].append(org.keys[1].window().to_json())
    with pytest.raises(MalformedInputError) as info:
        OrganisationDescription.from_json(description)
    assert info.value.path == "/keys/1/id"
    entry: Any = org.trusted_issuer().to_json()
    entry["verificationMethods"].append(org.keys[1].window().to_json())
    with pytest.raises(MalformedInputError):
        TrustedIssuer.from_json(entry, path="")


def test_key_window_for_a_method_not_in_the_document_is_refused() -> None:
    org = Org.did_web()
    description: Any = org.description()
    description["keys"][0]["id"] = f"{org.did}#key-9"
    with pytest.raises(MalformedInputError):
        OrganisationDescription.from_json(description)


def test_key_window_listed_twice_is_refused() -> None:
    org = Org.did_web()
    description: Any = org.description()
    description["keys"].append(dict(description["keys"][0], compromised=True))
    with pytest.raises(MalformedInputError) as info:
        OrganisationDescription.from_json(description)
    assert info.value.path == "/keys/1/id"


def test_find_key_window() -> None:
    windows = (KeyWindow("did:x:a#1"), KeyWindow("did:x:a#2", compromised=True))
    assert find_key_window(windows, "did:x:a#2") is windows[1]
    assert find_key_window(windows, "did:x:a#3") is None
    assert ALL_PROFILES.covers("device", ["any"])


# --- parsing: formatVersion -------------------------------------------------------------


@pytest.mark.parametrize("version", [None, 2, 0, True, "1", 1.0])
def test_description_format_version_must_be_1(version: object) -> None:
    description: Any = Org.did_web().description()
    if version is None:
        del description["formatVersion"]
    else:
        description["formatVersion"] = version
    with pytest.raises(MalformedInputError) as info:
        OrganisationDescription.from_json(description)
    assert info.value.path == "/formatVersion"


@pytest.mark.parametrize("version", [None, 2, True, "1"])
def test_bundle_format_version_must_be_1(version: object) -> None:
    org = Org.did_web()
    value: Any = bundle(passport(org), org)
    assert Bundle.from_json(copy.deepcopy(value)).passport == value["passport"]
    if version is None:
        del value["formatVersion"]
    else:
        value["formatVersion"] = version
    with pytest.raises(MalformedInputError):
        Bundle.from_json(value)
    result = make_verifier(issuers=[org.organisation()]).verify(value)
    assert result.codes == {FailureCode.MALFORMED}


# --- the verifier: a did:key's document is always computed ------------------------------


def test_trust_list_with_a_forged_did_key_document_does_not_verify_the_attacker() -> None:
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    victim = Org.did_key()
    impostor = _impostor(victim)
    entry: Any = TrustedIssuer(
        ods_code=victim.ods,
        name=victim.name,
        did=victim.did,
        did_document=impostor.document,
        keys=(KeyWindow(victim.keys[0].vm_id),),
        status_list_base=victim.status_base,
    )
    forged_list = trust_list(anchor, [entry])  # signed by the pinned anchor
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[forged_list], status_lists=impostor.status_lists()
    )
    result = verifier.verify(passport(impostor))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.TRUST_LIST_INVALID in result.codes
    assert result.codes & _FORGERY_CODES


def test_held_trust_list_with_a_forged_document_is_not_used_for_a_did_key() -> None:
    """Even a forged entry that got past parsing (built by hand here) is never consulted."""
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    victim = Org.did_key()
    impostor = _impostor(victim)
    entry: Any = TrustedIssuer(
        ods_code=victim.ods,
        name=victim.name,
        did=victim.did,
        did_document=impostor.document,
        keys=(KeyWindow(victim.keys[0].vm_id),),
    )
    store = TrustStore()
    store.pin_anchor(anchor.did)
    store._trust_list = AcceptedTrustList(  # bypass parsing and signing
        credential={},
        anchor=anchor.did,
        content=TrustListContent(version=1, issuers=(entry,)),
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=30),
    )
    for status_list in impostor.status_lists():
        store.add_status_list(status_list)
    result = Verifier(store, clock=clock()).verify(passport(impostor))
    assert not result.verified
    assert FailureCode.SIGNATURE_INVALID in result.codes
    resolved = store.resolver(trust_list=store.trust_list).resolve(victim.did)
    assert resolved.same_keys(did_key_document(victim.did))


def test_pinned_description_with_a_forged_document_is_not_used_for_a_did_key() -> None:
    victim = Org.did_key()
    impostor = _impostor(victim)
    forged = OrganisationDescription(  # built directly: the parser would refuse it
        ods_code=victim.ods,
        name=victim.name,
        did=victim.did,
        did_document=impostor.document,
        status_list_base=victim.status_base,
        keys=(KeyWindow(victim.keys[0].vm_id),),
    )
    verifier = make_verifier(issuers=[forged], status_lists=impostor.status_lists())
    result = verifier.verify(passport(impostor))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.SIGNATURE_INVALID in result.codes
    # the genuine issuer still verifies through the same pin
    genuine = make_verifier(issuers=[forged], status_lists=victim.status_lists())
    assert genuine.verify(passport(victim)).verified


def test_bundle_with_a_forged_did_key_description_is_malformed() -> None:
    victim = Org.did_key()
    impostor = _impostor(victim)
    value: Any = bundle(passport(impostor), victim, status_lists=impostor.status_lists())
    value["issuer"] = _forged_description(victim)
    result = make_verifier(issuers=[victim.did]).verify(value)
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.MALFORMED in result.codes
