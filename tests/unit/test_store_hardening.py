"""Trust-store hardening: bundle documents, per-anchor rollback, revocation finality,
status lists per issuer, input caps, pinned issuers still bound by trust lists."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta
from pathlib import Path

import pytest

from innopass.did import did_web_to_url
from innopass.errors import MalformedInputError, ResolutionError
from innopass.status import (
    MAX_STATUS_ENTRIES,
    MIN_ENTRIES,
    build_status_list_credential,
    new_bitstring,
    status_entries,
)
from innopass.trust import BUNDLE_TYPE, MAX_BUNDLE_STATUS_LISTS, Bundle, KeyWindow
from innopass.verifier import TrustStore, Verifier
from innopass.verifier.result import FailureCode, Verdict
from innopass.verifier.status import StatusCandidate, StatusSources
from innopass.verifier.store import AcceptedTrustList, TrustImportError, verify_trust_list
from verifier_factory import (
    NOW,
    REVOCATION_INDEX,
    MapFetcher,
    Org,
    allow_did_web,
    bundle,
    clock,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    trust_list,
    unsigned_passport,
)

YEAR_AGO = NOW - timedelta(days=365)


@pytest.fixture
def anchor() -> Org:
    return Org.did_key(ods="X26", name="NHS ENGLAND")


@pytest.fixture
def anchor_b() -> Org:
    return Org.did_key(ods="X27", name="NHS WALES")


@pytest.fixture
def rf4() -> Org:
    return Org.did_web(windows=[(YEAR_AGO, None)])


@pytest.fixture
def evil() -> Org:
    return Org.did_web(host="evil.example", ods="R1H", name="EVIL")


def _verify(store: TrustStore) -> Verifier:
    return Verifier(store, clock=clock(), trust_no_one=True)


# --- C1: a bundle's description never supplies keys ----------------------------------


def test_forged_did_web_bundle_is_not_verified_when_pinned_by_did(rf4: Org) -> None:
    forged = Org.did_web(windows=[(YEAR_AGO, None)])  # same host, same DID, own keys
    assert forged.did == rf4.did
    result = make_verifier(issuers=[rf4.did]).verify(bundle(passport(forged), forged))
    assert not result.verified
    assert result.verdict is Verdict.INDETERMINATE
    assert FailureCode.KEY_UNRESOLVABLE in result.codes


def test_forged_bundle_under_a_trust_list_is_rejected(anchor: Org, rf4: Org) -> None:
    forged = Org.did_web(windows=[(YEAR_AGO, None)])
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[trust_list(anchor, [rf4.trusted_issuer()])]
    )
    result = verifier.verify(bundle(passport(forged), forged))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.SIGNATURE_INVALID in result.codes


def test_import_bundle_does_not_check_status_lists_with_bundle_keys(rf4: Org) -> None:
    forged = Org.did_web(windows=[(YEAR_AGO, None)])
    store = TrustStore()
    store.pin_issuer(rf4.did, require_document=False)
    with pytest.raises(TrustImportError) as caught:
        store.import_bundle(Bundle.from_json(bundle(passport(forged), forged)), now=NOW)
    assert caught.value.code is FailureCode.STATUS_UNAVAILABLE
    assert store.status_lists == {}


def test_resolver_answers_only_from_trusted_sources(rf4: Org) -> None:
    store = TrustStore()
    store.pin_issuer(rf4.did, require_document=False)
    with pytest.raises(ResolutionError):
        store.resolver().resolve(rf4.did)
    store.pin_issuer(rf4.organisation())
    assert store.resolver().resolve(rf4.did).same_keys(rf4.document)


def test_online_document_beats_a_forged_bundle_document(
    monkeypatch: pytest.MonkeyPatch, rf4: Org
) -> None:
    allow_did_web(monkeypatch)
    forged = Org.did_web(windows=[(YEAR_AGO, None)])
    pages = {did_web_to_url(rf4.did): json.dumps(rf4.document.to_json()).encode()}
    verifier = make_verifier(issuers=[rf4.did], fetcher=MapFetcher(pages))
    result = verifier.verify(bundle(passport(forged), forged))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.SIGNATURE_INVALID in result.codes
    # the genuine passport verifies against the fetched document
    genuine = make_verifier(issuers=[rf4.did], fetcher=MapFetcher(pages))
    assert genuine.verify(bundle(passport(rf4), rf4)).verified


# --- I1: one trust list and high-water mark per anchor ----------------------------------


def _two_anchor_store(anchor: Org, anchor_b: Org) -> TrustStore:
    store = TrustStore()
    store.pin_anchor(anchor.did)
    store.pin_anchor(anchor_b.did)
    return store


def test_rollback_refused_after_another_anchors_import(
    anchor: Org, anchor_b: Org, rf4: Org, evil: Org
) -> None:
    withdrawn = rf4.trusted_issuer(status="withdrawn", withdrawn_at=NOW - timedelta(days=10))
    store = _two_anchor_store(anchor, anchor_b)
    store.import_trust_list(trust_list(anchor, [withdrawn], version=2))
    store.import_trust_list(trust_list(anchor_b, [evil.trusted_issuer()], version=1))
    with pytest.raises(TrustImportError) as caught:
        store.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=1))
    assert caught.value.code is FailureCode.TRUST_LIST_ROLLBACK
    assert {a: tl.version for a, tl in store.trust_lists.items()} == {
        anchor.did: 2,
        anchor_b.did: 1,
    }
    for credential in rf4.status_lists():
        store.add_status_list(credential)
    result = _verify(store).verify(passport(rf4, created=NOW - timedelta(days=1)))
    assert FailureCode.ISSUER_WITHDRAWN in result.codes


def test_bundle_list_older_than_held_is_ignored_across_anchors(
    anchor: Org, anchor_b: Org, rf4: Org, evil: Org
) -> None:
    withdrawn = rf4.trusted_issuer(status="withdrawn", withdrawn_at=NOW - timedelta(days=10))
    store = _two_anchor_store(anchor, anchor_b)
    store.import_trust_list(trust_list(anchor, [withdrawn], version=2))
    store.import_trust_list(trust_list(anchor_b, [evil.trusted_issuer()], version=1))
    old = trust_list(anchor, [rf4.trusted_issuer()], version=1)
    credential = passport(rf4, created=NOW - timedelta(days=1))
    result = _verify(store).verify(bundle(credential, rf4, trust=old))
    assert not result.verified
    assert FailureCode.ISSUER_WITHDRAWN in result.codes


def test_lists_in_force_are_per_anchor_and_never_rolled_back(
    anchor: Org, anchor_b: Org, rf4: Org, evil: Org
) -> None:
    store = _two_anchor_store(anchor, anchor_b)
    store.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=3))
    a2 = store.trust_lists[anchor.did]

    def accepted(org: Org, version: int) -> AcceptedTrustList:
        return verify_trust_list(
            trust_list(org, [evil.trusted_issuer()], version=version), anchors=store.anchors
        )

    a1, b1, b2 = accepted(anchor, 1), accepted(anchor_b, 1), accepted(anchor_b, 2)
    in_force = store.trust_lists_in_force([b2, a1, b1])
    assert in_force == tuple(sorted((a2, b2), key=lambda tl: tl.anchor))
    assert store.rollback_problem(a1) is not None
    assert store.rollback_problem(a2) is None
    assert store.trust_lists_in_force(None) == ()
    assert store.trust_lists_in_force() == (a2,)
    assert store.trust_lists_in_force(a1) == (a2,)  # one given list: a rollback is never used


def test_withdrawn_in_any_anchors_list_applies(anchor: Org, anchor_b: Org, rf4: Org) -> None:
    store = _two_anchor_store(anchor, anchor_b)
    store.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=1))
    store.import_trust_list(
        trust_list(anchor_b, [rf4.trusted_issuer(status="withdrawn")], version=1)
    )
    trust = store.issuer_trust(rf4.did)
    assert trust is not None
    assert trust.status == "withdrawn"
    for credential in rf4.status_lists():
        store.add_status_list(credential)
    result = _verify(store).verify(passport(rf4))
    assert FailureCode.ISSUER_WITHDRAWN in result.codes


def test_per_anchor_lists_round_trip_through_the_home(
    tmp_path: Path, anchor: Org, anchor_b: Org, rf4: Org, evil: Org
) -> None:
    store = _two_anchor_store(anchor, anchor_b)
    store.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=4))
    store.import_trust_list(trust_list(anchor_b, [evil.trusted_issuer()], version=2))
    store.save(tmp_path)
    directory = tmp_path / "verifier" / "trust-lists"
    names = {p.name for p in directory.glob("*.json")}
    assert names == {
        hashlib.sha256(a.did.encode()).hexdigest() + ".json" for a in (anchor, anchor_b)
    }
    loaded = TrustStore.load(tmp_path)
    assert {a: tl.version for a, tl in loaded.trust_lists.items()} == {
        anchor.did: 4,
        anchor_b.did: 2,
    }
    with pytest.raises(TrustImportError) as caught:
        loaded.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=3))
    assert caught.value.code is FailureCode.TRUST_LIST_ROLLBACK


def test_legacy_single_trust_list_file_is_read(tmp_path: Path, anchor: Org, rf4: Org) -> None:
    store = TrustStore()
    store.pin_anchor(anchor.did)
    store.save(tmp_path)
    credential = trust_list(anchor, [rf4.trusted_issuer()], version=7)
    (tmp_path / "verifier" / "trust-list.json").write_text(json.dumps(credential))
    loaded = TrustStore.load(tmp_path)
    assert loaded.trust_lists[anchor.did].version == 7
    with pytest.raises(TrustImportError):
        loaded.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=6))


# --- I2: revocation is final ------------------------------------------------------------


def _listed_store(anchor: Org, *orgs: Org) -> TrustStore:
    store = TrustStore()
    store.pin_anchor(anchor.did)
    store.import_trust_list(trust_list(anchor, [o.trusted_issuer() for o in orgs]))
    return store


def test_import_refuses_a_list_clearing_a_revocation(anchor: Org, rf4: Org) -> None:
    store = _listed_store(anchor, rf4)
    clear = new_bitstring(MIN_ENTRIES)
    rf4.set_bit("revocation", REVOCATION_INDEX)
    store.import_status_list(
        rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2)), now=NOW
    )
    store.import_status_list(rf4.status_list("suspension"), now=NOW)
    fresher_clear = rf4.status_list(
        "revocation", bits=clear, valid_from=NOW - timedelta(minutes=30)
    )
    with pytest.raises(TrustImportError) as caught:
        store.import_status_list(fresher_clear, now=NOW)
    assert caught.value.code is FailureCode.STATUS_LIST_INVALID
    with pytest.raises(TrustImportError):
        store.import_bundle(
            Bundle.from_json(bundle(passport(rf4), rf4, status_lists=[fresher_clear])), now=NOW
        )
    result = _verify(store).verify(passport(rf4))
    assert result.codes == {FailureCode.REVOKED}


def test_fetched_list_clearing_a_revocation_is_not_cached(anchor: Org, rf4: Org) -> None:
    from innopass.verifier.status import CachedStatusList

    store = _listed_store(anchor, rf4)
    rf4.set_bit("revocation", REVOCATION_INDEX)
    held = store.import_status_list(
        rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2)), now=NOW
    )
    clear = rf4.status_list("revocation", bits=new_bitstring(MIN_ENTRIES))
    store.cache_status_list(CachedStatusList(id=held.id, fetched_at=NOW, credential=clear))
    assert store.status_lists[(rf4.did, held.id)] is held
    assert store.fetched == ()


# --- I3: status lists held per (issuer, id) ---------------------------------------------


def _foreign_list(owner: Org, list_id: str) -> dict[str, object]:
    start = NOW - timedelta(minutes=10)
    unsigned = build_status_list_credential(
        list_id=list_id,
        issuer_did=owner.did,
        purpose="revocation",
        bits=new_bitstring(MIN_ENTRIES),
        valid_from=start,
        valid_until=start + timedelta(days=7),
    )
    return owner.sign(unsigned, created=start)


def test_other_issuer_cannot_replace_a_status_list(anchor: Org, rf4: Org, evil: Org) -> None:
    store = _listed_store(anchor, rf4, evil)
    rf4.set_bit("revocation", REVOCATION_INDEX)
    store.import_status_list(
        rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2)), now=NOW
    )
    store.import_status_list(rf4.status_list("suspension"), now=NOW)
    with pytest.raises(TrustImportError) as caught:  # outside evil's statusListBase
        store.import_status_list(_foreign_list(evil, rf4.list_id("revocation")), now=NOW)
    assert caught.value.code is FailureCode.STATUS_LIST_INVALID
    assert store.status_lists[(rf4.did, rf4.list_id("revocation"))].issuer == rf4.did
    old_clear = rf4.status_list(
        "revocation", bits=new_bitstring(MIN_ENTRIES), valid_from=NOW - timedelta(days=3)
    )
    result = _verify(store).verify(bundle(passport(rf4), rf4, status_lists=[old_clear]))
    assert FailureCode.REVOKED in result.codes


def test_lists_of_two_issuers_with_one_id_are_held_apart(anchor: Org, rf4: Org, evil: Org) -> None:
    store = TrustStore()
    store.pin_anchor(anchor.did)
    store.import_trust_list(
        trust_list(
            anchor,
            [rf4.trusted_issuer(), evil.trusted_issuer(status_list_base=None)],
        )
    )
    rf4.set_bit("revocation", REVOCATION_INDEX)
    store.import_status_list(
        rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2)), now=NOW
    )
    store.import_status_list(rf4.status_list("suspension"), now=NOW)
    store.import_status_list(_foreign_list(evil, rf4.list_id("revocation")), now=NOW)
    assert (rf4.did, rf4.list_id("revocation")) in store.status_lists
    assert (evil.did, rf4.list_id("revocation")) in store.status_lists
    assert _verify(store).verify(passport(rf4)).codes == {FailureCode.REVOKED}


def test_status_list_outside_the_issuers_base_is_refused(anchor: Org, rf4: Org) -> None:
    store = _listed_store(anchor, rf4)
    with pytest.raises(TrustImportError) as caught:
        store.import_status_list(_foreign_list(rf4, "https://elsewhere.example/1"), now=NOW)
    assert caught.value.code is FailureCode.STATUS_LIST_INVALID


# --- I4: bounded status checking --------------------------------------------------------


def test_status_entries_are_capped(rf4: Org) -> None:
    credential = unsigned_passport(rf4)
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "1",
        "statusListCredential": "urn:x",
    }
    credential["credentialStatus"] = [entry] * (MAX_STATUS_ENTRIES + 1)
    with pytest.raises(MalformedInputError):
        status_entries(credential)


def test_bundle_status_lists_are_capped(rf4: Org) -> None:
    document = bundle(passport(rf4), rf4)
    document["statusLists"] = [{"id": "x"}] * (MAX_BUNDLE_STATUS_LISTS + 1)
    with pytest.raises(MalformedInputError):
        Bundle.from_json(document)


def test_many_entries_and_lists_are_rejected_quickly(anchor: Org, rf4: Org) -> None:
    credential = unsigned_passport(rf4)
    credential["credentialStatus"] = [
        {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "1",
            "statusListCredential": f"u:{i}",
        }
        for i in range(8000)
    ]
    document = {
        "type": BUNDLE_TYPE,
        "formatVersion": 1,
        "passport": credential,
        "statusLists": [{"id": "u:1"}] * 8000,
    }
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[trust_list(anchor, [rf4.trusted_issuer()])]
    )
    started = time.monotonic()
    result = verifier.verify(json.dumps(document))
    assert time.monotonic() - started < 1.0
    assert result.codes == {FailureCode.MALFORMED}


def test_status_sources_index_candidates_by_id() -> None:
    candidates = [StatusCandidate({"id": f"u:{i % 3}"}) for i in range(9)]
    sources = StatusSources(candidates=candidates)
    assert len(sources.for_id("u:1")) == 3
    assert sources.for_id("u:9") == ()


# --- I5: a pinned issuer is still bound by the trust lists naming it --------------------


def test_pinned_issuer_key_compromised_in_trust_list(anchor: Org) -> None:
    org = Org.did_key(ods="RF4")
    compromised = org.trusted_issuer(keys=(KeyWindow(org.keys[0].vm_id, compromised=True),))
    verifier = make_verifier(
        anchors=[anchor.did],
        issuers=[org.did],
        trust_lists=[trust_list(anchor, [compromised])],
        status_lists=org.status_lists(),
    )
    result = verifier.verify(passport(org))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.KEY_COMPROMISED in result.codes


def test_pinned_issuer_withdrawn_in_trust_list(anchor: Org) -> None:
    org = Org.did_key(ods="RF4")
    verifier = make_verifier(
        anchors=[anchor.did],
        issuers=[org.did],
        trust_lists=[trust_list(anchor, [org.trusted_issuer(status="withdrawn")])],
        status_lists=org.status_lists(),
    )
    result = verifier.verify(passport(org))
    assert result.verdict is Verdict.REJECTED
    assert FailureCode.ISSUER_WITHDRAWN in result.codes


def test_pinned_and_listed_key_windows_intersect(anchor: Org, rf4: Org) -> None:
    vm_id = rf4.keys[0].vm_id
    late = rf4.trusted_issuer(keys=(KeyWindow(vm_id, valid_from=NOW - timedelta(minutes=1)),))
    store = TrustStore()
    store.pin_anchor(anchor.did)
    store.pin_issuer(rf4.organisation())
    store.import_trust_list(trust_list(anchor, [late]))
    trust = store.issuer_trust(rf4.did)
    assert trust is not None
    window = trust.key_window(vm_id)
    assert window is not None
    assert window.valid_from == NOW - timedelta(minutes=1)
    for credential in rf4.status_lists():
        store.add_status_list(credential)
    result = _verify(store).verify(passport(rf4, created=NOW - timedelta(hours=1)))
    assert FailureCode.KEY_NOT_VALID_AT_TIME in result.codes


@pytest.mark.parametrize("order", ["A2,B1,A1", "A1,B1,A2", "B1,A1,A2"])
def test_run_only_trust_lists_use_the_newest_of_each_anchor(
    anchor: Org, anchor_b: Org, rf4: Org, evil: Org, order: str
) -> None:
    """Regression (adversarial review I1): with nothing held, lists given for one run
    from two anchors must not let an anchor's older list win."""
    withdrawn = rf4.trusted_issuer(status="withdrawn", withdrawn_at=NOW - timedelta(days=10))
    lists = {
        "A2": trust_list(anchor, [withdrawn], version=2),
        "A1": trust_list(anchor, [rf4.trusted_issuer()], version=1),
        "B1": trust_list(anchor_b, [evil.trusted_issuer()], version=1),
    }
    store = _two_anchor_store(anchor, anchor_b)
    for name in order.split(","):
        store.add_trust_list(lists[name])
    for credential in rf4.status_lists():
        store.add_status_list(credential)
    result = _verify(store).verify(passport(rf4, created=NOW - timedelta(days=1)))
    assert not result.verified
    assert FailureCode.ISSUER_WITHDRAWN in result.codes
