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
    MAX_BUNDLE_STATUS_LISTS,
    AccreditedScope,
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
    PinnedParty,
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
    assert OrganisationDescription.from_json(copy.deepcopy(description)).format_version == 1
    if version is None:
        del description["formatVersion"]
    else:
        description["formatVersion"] = version
    with pytest.raises(MalformedInputError) as info:
        OrganisationDescription.from_json(description)
    # a missing member is reported at the object that lacks it, as every schema problem is
    assert info.value.path == ("" if version is None else "/formatVersion")


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


# --- parsing: the schema first, then the converter, then the rules a schema cannot state -

_LATE = "9999-12-31T23:59:59-01:00"  # passes the schema; past year 9999 once in UTC


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(odsCode="rf4"), "/odsCode"),
        (lambda d: d.pop("did"), ""),
        (lambda d: d["keys"][0].update(compromised=None), "/keys/0/compromised"),
        (lambda d: d["keys"][0].update(validUntil=_LATE), "/keys/0/validUntil"),
        (lambda d: d["didDocument"].update(verificationMethod={}), "/didDocument"),
        (lambda d: d["didDocument"].update(id="did:web:other.example"), "/didDocument"),
        (lambda d: d.update(exportedAt=None), "/exportedAt"),
    ],
    ids=["schema", "missing", "not-nullable", "late-instant", "document", "other-did", "null"],
)
def test_description_problems_have_their_path_under_the_given_one(change: Any, path: str) -> None:
    description: Any = Org.did_web().description()
    change(description)
    with pytest.raises(MalformedInputError) as info:
        OrganisationDescription.from_json(description, path="/organisation")
    assert info.value.path == "/organisation" + path


def test_description_round_trip_is_exact_and_shares_nothing() -> None:
    description: Any = Org.did_web().description()
    parsed = OrganisationDescription.from_json(description)
    assert parsed.to_json() == description
    assert list(parsed.to_json()) == list(description)  # the same order of members
    description["didDocument"]["id"] = "changed"
    description["keys"][0]["compromised"] = True
    assert parsed.to_json() != description
    out: Any = parsed.to_json()
    out["didDocument"]["verificationMethod"].clear()
    assert parsed.did_document.to_json()["verificationMethod"]


def _second_issuer(credential: Any) -> Any:
    return credential["credentialSubject"]["trustedIssuers"][1]


_ENTRY = "/credentialSubject/trustedIssuers/1"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda c: c["credentialSubject"].update(trustListVersion=3.0),
            "/credentialSubject/trustListVersion",
        ),
        (lambda c: _second_issuer(c).update(status="gone"), f"{_ENTRY}/status"),
        (
            lambda c: _second_issuer(c)["verificationMethods"][0].update(validFrom=_LATE),
            f"{_ENTRY}/verificationMethods/0/validFrom",
        ),
        (
            lambda c: _second_issuer(c)["verificationMethods"].append(
                _second_issuer(c)["verificationMethods"][0]
            ),
            f"{_ENTRY}/verificationMethods/1/id",
        ),
        (lambda c: c.update(type=["VerifiableCredential"]), "/type"),
    ],
    ids=["version-float", "status", "late-instant", "key-twice", "type"],
)
def test_trust_list_problems_have_their_path(change: Any, path: str) -> None:
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    issuers = [Org.did_web().trusted_issuer(), Org.did_key().trusted_issuer()]
    credential: Any = trust_list(anchor, issuers)
    change(credential)
    with pytest.raises(MalformedInputError) as info:
        TrustListContent.from_credential(credential)
    assert info.value.path == path


def test_forged_did_key_document_in_a_trust_list_is_refused_at_its_path() -> None:
    anchor, victim = Org.did_key(ods="X26", name="NHS ENGLAND"), Org.did_key()
    credential: Any = trust_list(anchor, [Org.did_web().trusted_issuer(), victim.trusted_issuer()])
    _second_issuer(credential)["didDocument"] = _forged_description(victim)["didDocument"]
    with pytest.raises(MalformedInputError) as info:
        TrustListContent.from_credential(credential)
    assert info.value.path == f"{_ENTRY}/didDocument"


def test_trust_list_content_reads_what_was_written() -> None:
    anchor, org = Org.did_key(ods="X26", name="NHS ENGLAND"), Org.did_key()
    issuer = org.trusted_issuer(status="withdrawn", withdrawn_at=NOW, successor="R1H")
    credential: Any = trust_list(anchor, [issuer], version=3)
    content = TrustListContent.from_credential(credential)
    assert content == TrustListContent(version=3, issuers=(issuer,))
    assert content.to_json() == {
        "trustListVersion": 3,
        "trustedIssuers": credential["credentialSubject"]["trustedIssuers"],
    }


def test_trusted_issuer_and_its_parts_read_on_their_own() -> None:
    org = Org.did_web()
    entry: Any = org.trusted_issuer().to_json()
    window = entry["verificationMethods"][0]
    assert TrustedIssuer.from_json(entry, path="/x") == org.trusted_issuer()
    assert KeyWindow.from_json(window, path="/w") == org.trusted_issuer().keys[0]
    assert AccreditedScope.from_json(entry["accreditedScopes"][0], path="/s") == ALL_PROFILES
    with pytest.raises(MalformedInputError) as info:
        TrustedIssuer.from_json({**entry, "odsCode": 5}, path="/x")
    assert info.value.path == "/x/odsCode"
    with pytest.raises(MalformedInputError) as info:
        KeyWindow.from_json({**window, "validFrom": _LATE}, path="/w")
    assert info.value.path == "/w/validFrom"
    with pytest.raises(MalformedInputError) as info:
        KeyWindow.from_json([], path="/w")
    assert info.value.path == "/w"
    with pytest.raises(MalformedInputError) as info:
        AccreditedScope.from_json({"profiles": "device", "domains": []}, path="/s")
    assert info.value.path == "/s/profiles"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda b: b.update(formatVersion=1.0), "/formatVersion"),
        (lambda b: b["issuer"].update(formatVersion=1.0), "/issuer/formatVersion"),
        (lambda b: b["issuer"]["keys"][0].update(validFrom=_LATE), "/issuer/keys/0/validFrom"),
        (lambda b: b["issuer"].update(odsCode="rf4"), "/issuer/odsCode"),
        (lambda b: b.update(issuer=None), "/issuer"),
        (lambda b: b.update(statusLists=[{}] * (MAX_BUNDLE_STATUS_LISTS + 1)), "/statusLists"),
        (lambda b: b.update(passport=[]), "/passport"),
    ],
    ids=["version", "issuer-version", "late-instant", "issuer", "null", "lists", "passport"],
)
def test_bundle_problems_have_their_path(change: Any, path: str) -> None:
    org = Org.did_web()
    value: Any = bundle(passport(org), org)
    change(value)
    with pytest.raises(MalformedInputError) as info:
        Bundle.from_json(value)
    assert info.value.path == path


def test_bundle_round_trip_is_exact_and_holds_its_documents_as_given() -> None:
    org = Org.did_key()
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    value: Any = bundle(passport(org), org, trust=trust_list(anchor, [org.trusted_issuer()]))
    parsed = Bundle.from_json(value)
    assert parsed.to_json() == value
    members = ["type", "formatVersion", "passport", "issuer", "statusLists", "trustList"]
    assert list(parsed.to_json()) == members
    assert parsed.issuer is not None
    assert parsed.issuer.did_document == did_key_document(org.did)  # the computed one
    # the carried documents are only read, so they are not copied (the verifier's hot path)
    assert parsed.passport is value["passport"]
    assert parsed.status_lists[0] is value["statusLists"][0]
    assert parsed.trust_list is value["trustList"]
    value["issuer"]["name"] = "changed"  # the description, though, is read into values
    assert parsed.issuer.name != "changed"
    passport_only = Bundle(passport="header.payload.signature")
    assert passport_only.to_json() == {
        "type": "InnopassBundle",
        "formatVersion": 1,
        "passport": "header.payload.signature",
        "statusLists": [],
    }
    assert Bundle.from_json(passport_only.to_json()) == passport_only


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
    held = AcceptedTrustList(  # bypass parsing and signing
        credential={},
        anchor=anchor.did,
        content=TrustListContent(version=1, issuers=(entry,)),
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=30),
    )
    store = TrustStore(anchors=[PinnedParty(anchor.did)], trust_lists=[held])
    result = Verifier(store, clock=clock()).verify(
        passport(impostor), status_lists=impostor.status_lists()
    )
    assert not result.verified
    assert FailureCode.SIGNATURE_INVALID in result.codes
    resolved = store.view().resolver.resolve(victim.did)
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


def test_bundle_with_a_forged_did_key_description_supplies_nothing() -> None:
    """A bundle's issuer description is unsigned and never read: the key is the DID's."""
    victim = Org.did_key()
    impostor = _impostor(victim)
    value: Any = bundle(passport(impostor), victim, status_lists=impostor.status_lists())
    value["issuer"] = _forged_description(victim)
    result = make_verifier(issuers=[victim.did]).verify(value)
    assert result.verdict is Verdict.REJECTED
    assert result.check("proof").code is FailureCode.SIGNATURE_INVALID
    assert result.check("parse").status == "pass"
