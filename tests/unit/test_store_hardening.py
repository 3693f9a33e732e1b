"""Trust-store hardening: bundle documents, per-anchor rollback, revocation finality,
status lists per issuer, input caps, pinned issuers still bound by trust lists."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from innopass.did import did_web_to_url
from innopass.errors import (
    InnopassWarning,
    MalformedInputError,
    ResolutionError,
    TrustImportError,
)
from innopass.status import (
    MAX_STATUS_ENTRIES,
    MIN_ENTRIES,
    build_status_list_credential,
    new_bitstring,
    status_entries,
)
from innopass.trust import BUNDLE_TYPE, MAX_BUNDLE_STATUS_LISTS, Bundle, KeyWindow
from innopass.verifier import (
    CheckName,
    FailureCode,
    HeldDidDocument,
    HeldStatusList,
    TrustStore,
    Verdict,
    VerificationResult,
    VerifierHome,
)
from innopass.verifier._trust_lists import (
    AcceptedTrustList,
    in_force,
    rollback_problem,
    verify_trust_list,
)
from innopass.verifier._trust_store import MAX_STATUS_LISTS_PER_ISSUER
from verifier_factory import (
    NOW,
    REVOCATION_INDEX,
    AccreditedScope,
    Doc,
    MapFetcher,
    Org,
    RunVerifier,
    allow_did_web,
    bundle,
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


def _verify(store: TrustStore, status_lists: Sequence[dict[str, object]] = ()) -> RunVerifier:
    """A verifier over ``store`` (nothing added) with these status lists for each run."""
    return make_verifier(store=store, status_lists=status_lists)  # type: ignore[arg-type]


def _failures(result: VerificationResult) -> set[tuple[FailureCode, str, CheckName]]:
    return {(f.code, f.path, f.check) for f in result.failures}


def _files(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*.json"))}


# --- C1: a bundle's description never supplies keys ----------------------------------


def test_forged_did_web_bundle_is_not_verified_when_pinned_by_did(rf4: Org) -> None:
    forged = Org.did_web(windows=[(YEAR_AGO, None)])  # same host, same DID, own keys
    assert forged.did == rf4.did
    result = make_verifier(issuers=[rf4.did]).verify(bundle(passport(forged), forged))
    assert not result.verified
    assert result.verdict is Verdict.INDETERMINATE
    assert (FailureCode.KEY_UNRESOLVABLE, "/proof/verificationMethod", CheckName.PROOF) in (
        _failures(result)
    )
    assert result.codes == {FailureCode.KEY_UNRESOLVABLE, FailureCode.STATUS_UNAVAILABLE}


def test_forged_bundle_under_a_trust_list_is_rejected(anchor: Org, rf4: Org) -> None:
    forged = Org.did_web(windows=[(YEAR_AGO, None)])
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[trust_list(anchor, [rf4.trusted_issuer()])]
    )
    result = verifier.verify(bundle(passport(forged), forged))
    assert result.verdict is Verdict.REJECTED
    assert (FailureCode.SIGNATURE_INVALID, "/proof/proofValue", CheckName.PROOF) in _failures(
        result
    )
    # the bundle's status lists, signed by the forger, are not the issuer's either
    assert FailureCode.STATUS_LIST_INVALID in result.codes


def test_import_bundle_does_not_check_status_lists_with_bundle_keys(
    tmp_path: Path, rf4: Org
) -> None:
    forged = Org.did_web(windows=[(YEAR_AGO, None)])
    store = TrustStore().with_issuer(rf4.did, require_document=False)
    document = Bundle.from_json(bundle(passport(forged), forged))
    with pytest.raises(TrustImportError) as caught:
        store.with_bundle(document, now=NOW)
    assert caught.value.failure is FailureCode.STATUS_UNAVAILABLE
    assert dict(store.status_lists) == {}
    home = VerifierHome(tmp_path)
    home.update(lambda held: held.with_issuer(rf4.did, require_document=False))
    before = _files(tmp_path)
    with pytest.raises(TrustImportError) as refused:
        home.import_bundle(document, now=NOW)
    assert refused.value.failure is FailureCode.STATUS_UNAVAILABLE
    assert _files(tmp_path) == before
    assert dict(home.load().status_lists) == {}


def test_resolver_answers_only_from_trusted_sources(rf4: Org) -> None:
    store = TrustStore().with_issuer(rf4.did, require_document=False)
    with pytest.raises(ResolutionError):
        store.view().resolver.resolve(rf4.did)
    described = store.with_issuer(rf4.organisation())
    assert described.view().resolver.resolve(rf4.did).same_keys(rf4.document)
    with pytest.raises(ResolutionError):  # the value it was built from is unchanged
        store.view().resolver.resolve(rf4.did)


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


def test_did_web_is_fetched_online_only_for_an_issuer_pinned_by_did_alone(
    monkeypatch: pytest.MonkeyPatch, anchor: Org, rf4: Org, evil: Org
) -> None:
    allow_did_web(monkeypatch)
    pages = {did_web_to_url(o.did): json.dumps(o.document.to_json()).encode() for o in (rf4, evil)}
    # not pinned at all: never fetched
    fetcher = MapFetcher(pages)
    unpinned = make_verifier(anchors=[anchor.did], fetcher=fetcher).verify(passport(evil))
    assert FailureCode.ISSUER_UNTRUSTED in unpinned.codes
    assert fetcher.calls == []
    # named by a trust list: the list's document is used, not the web
    fetcher = MapFetcher(pages)
    listed = make_verifier(
        anchors=[anchor.did],
        trust_lists=[trust_list(anchor, [rf4.trusted_issuer()])],
        status_lists=rf4.status_lists(),
        fetcher=fetcher,
    ).verify(passport(rf4))
    assert listed.verified, listed.failures
    assert fetcher.calls == []
    # pinned by description: the description's document is used
    fetcher = MapFetcher(pages)
    described = make_verifier(
        issuers=[rf4.organisation()], status_lists=rf4.status_lists(), fetcher=fetcher
    ).verify(passport(rf4))
    assert described.verified, described.failures
    assert fetcher.calls == []
    # pinned by DID alone: fetched
    fetcher = MapFetcher(pages)
    bare = make_verifier(issuers=[rf4.did], status_lists=rf4.status_lists(), fetcher=fetcher)
    assert bare.verify(passport(rf4)).verified
    assert fetcher.calls == [did_web_to_url(rf4.did)]


# --- I1: one trust list and high-water mark per anchor ----------------------------------


def _two_anchor_store(anchor: Org, anchor_b: Org) -> TrustStore:
    return TrustStore().with_anchor(anchor.did).with_anchor(anchor_b.did)


def test_rollback_refused_after_another_anchors_import(
    anchor: Org, anchor_b: Org, rf4: Org, evil: Org
) -> None:
    withdrawn = rf4.trusted_issuer(status="withdrawn", withdrawn_at=NOW - timedelta(days=10))
    store = (
        _two_anchor_store(anchor, anchor_b)
        .with_trust_list(trust_list(anchor, [withdrawn], version=2))
        .with_trust_list(trust_list(anchor_b, [evil.trusted_issuer()], version=1))
    )
    with pytest.raises(TrustImportError) as caught:
        store.with_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=1))
    assert caught.value.failure is FailureCode.TRUST_LIST_ROLLBACK
    assert caught.value.path == "/credentialSubject/trustListVersion"
    assert {a: tl.version for a, tl in store.trust_lists.items()} == {
        anchor.did: 2,
        anchor_b.did: 1,
    }
    result = _verify(store, rf4.status_lists()).verify(
        passport(rf4, created=NOW - timedelta(days=1))
    )
    assert (FailureCode.ISSUER_WITHDRAWN, "/proof/created", CheckName.ISSUER) in _failures(result)


def test_bundle_list_older_than_held_is_ignored_across_anchors(
    anchor: Org, anchor_b: Org, rf4: Org, evil: Org
) -> None:
    withdrawn = rf4.trusted_issuer(status="withdrawn", withdrawn_at=NOW - timedelta(days=10))
    store = (
        _two_anchor_store(anchor, anchor_b)
        .with_trust_list(trust_list(anchor, [withdrawn], version=2))
        .with_trust_list(trust_list(anchor_b, [evil.trusted_issuer()], version=1))
    )
    old = trust_list(anchor, [rf4.trusted_issuer()], version=1)
    credential = passport(rf4, created=NOW - timedelta(days=1))
    result = _verify(store).verify(bundle(credential, rf4, trust=old))
    assert not result.verified
    assert FailureCode.ISSUER_WITHDRAWN in result.codes
    assert FailureCode.TRUST_LIST_ROLLBACK not in result.codes  # a bundle's is ignored silently
    # importing that bundle keeps the newer list and takes only the status lists
    taken = store.with_bundle(Bundle.from_json(bundle(credential, rf4, trust=old)), now=NOW)
    assert taken.trust_lists[anchor.did] is store.trust_lists[anchor.did]
    assert len(taken.status_lists) == 2


def test_lists_in_force_are_per_anchor_and_never_rolled_back(
    anchor: Org, anchor_b: Org, rf4: Org, evil: Org
) -> None:
    store = _two_anchor_store(anchor, anchor_b).with_trust_list(
        trust_list(anchor, [rf4.trusted_issuer()], version=3)
    )
    a2 = store.trust_lists[anchor.did]

    def accepted(org: Org, version: int) -> AcceptedTrustList:
        return verify_trust_list(
            trust_list(org, [evil.trusted_issuer()], version=version), anchors=store.anchors
        )

    a1, b1, b2 = accepted(anchor, 1), accepted(anchor_b, 1), accepted(anchor_b, 2)
    in_force_now = store.view([b2, a1, b1]).trust_lists
    assert in_force_now == tuple(sorted((a2, b2), key=lambda tl: tl.anchor))
    assert in_force(store.trust_lists, [b2, a1, b1], anchors=store.anchors) == in_force_now
    assert rollback_problem(a1, store.trust_lists[anchor.did]) is not None
    assert rollback_problem(a2, store.trust_lists[anchor.did]) is None
    assert rollback_problem(b1, store.trust_lists.get(anchor_b.did)) is None
    assert in_force({}, (), anchors=store.anchors) == ()
    assert store.view(usable=lambda tl: False).trust_lists == ()  # none usable: none in force
    assert store.view().trust_lists == (a2,)
    assert store.view([a1]).trust_lists == (a2,)  # one given list: a rollback is never used
    # lists of an anchor no longer pinned are ignored, held or offered
    assert store.without_anchor(anchor_b.did).view([b2]).trust_lists == (a2,)
    assert store.without_anchor(anchor.did).view([b2]).trust_lists == (b2,)


def test_withdrawn_in_any_anchors_list_applies(anchor: Org, anchor_b: Org, rf4: Org) -> None:
    store = (
        _two_anchor_store(anchor, anchor_b)
        .with_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=1))
        .with_trust_list(trust_list(anchor_b, [rf4.trusted_issuer(status="withdrawn")], version=1))
    )
    trust = store.view().issuer_trust(rf4.did)
    assert trust is not None
    assert trust.withdrawn
    assert trust.withdrawn_at is None
    assert len(trust.sources) == 2
    result = _verify(store, rf4.status_lists()).verify(passport(rf4))
    assert (FailureCode.ISSUER_WITHDRAWN, "/proof/created", CheckName.ISSUER) in _failures(result)
    assert result.verdict is Verdict.REJECTED


def test_per_anchor_lists_round_trip_through_the_home(
    tmp_path: Path, anchor: Org, anchor_b: Org, rf4: Org, evil: Org
) -> None:
    home = VerifierHome(tmp_path)
    home.pin_anchor(anchor.did)
    home.pin_anchor(anchor_b.did)
    home.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=4))
    home.import_trust_list(trust_list(anchor_b, [evil.trusted_issuer()], version=2))
    directory = tmp_path / "verifier" / "trust-lists"
    names = {p.name for p in directory.glob("*.json")}
    assert names == {
        hashlib.sha256(a.did.encode()).hexdigest() + ".json" for a in (anchor, anchor_b)
    }
    loaded = VerifierHome(tmp_path).load()
    assert {a: tl.version for a, tl in loaded.trust_lists.items()} == {
        anchor.did: 4,
        anchor_b.did: 2,
    }
    older = trust_list(anchor, [rf4.trusted_issuer()], version=3)
    with pytest.raises(TrustImportError) as caught:
        loaded.with_trust_list(older)
    assert caught.value.failure is FailureCode.TRUST_LIST_ROLLBACK
    before = _files(tmp_path)
    with pytest.raises(TrustImportError) as refused:
        home.import_trust_list(older)
    assert refused.value.failure is FailureCode.TRUST_LIST_ROLLBACK
    assert _files(tmp_path) == before


def test_legacy_single_trust_list_file_is_read(tmp_path: Path, anchor: Org, rf4: Org) -> None:
    home = VerifierHome(tmp_path)
    home.pin_anchor(anchor.did)
    credential = trust_list(anchor, [rf4.trusted_issuer()], version=7)
    (tmp_path / "verifier" / "trust-list.json").write_text(json.dumps(credential, indent=2))
    loaded = home.load()
    assert loaded.trust_lists[anchor.did].version == 7
    with pytest.raises(TrustImportError) as caught:
        loaded.with_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=6))
    assert caught.value.failure is FailureCode.TRUST_LIST_ROLLBACK
    with pytest.raises(TrustImportError) as refused:
        home.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=6))
    assert refused.value.failure is FailureCode.TRUST_LIST_ROLLBACK
    home.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=8))
    assert home.load().trust_lists[anchor.did].version == 8  # newer than the legacy file


# --- I2: revocation is final ------------------------------------------------------------


def _listed_store(anchor: Org, *orgs: Org) -> TrustStore:
    return (
        TrustStore()
        .with_anchor(anchor.did)
        .with_trust_list(trust_list(anchor, [o.trusted_issuer() for o in orgs]))
    )


def test_import_refuses_a_list_clearing_a_revocation(anchor: Org, rf4: Org) -> None:
    clear = new_bitstring(MIN_ENTRIES)
    rf4.set_bit("revocation", REVOCATION_INDEX)
    store = (
        _listed_store(anchor, rf4)
        .with_status_list(
            rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2)), now=NOW
        )
        .with_status_list(rf4.status_list("suspension"), now=NOW)
    )
    fresher_clear = rf4.status_list(
        "revocation", bits=clear, valid_from=NOW - timedelta(minutes=30)
    )
    with pytest.raises(TrustImportError) as caught:
        store.with_status_list(fresher_clear, now=NOW)
    assert caught.value.failure is FailureCode.STATUS_LIST_INVALID
    assert caught.value.path == "/credentialSubject/encodedList"
    with pytest.raises(TrustImportError) as in_bundle:
        store.with_bundle(
            Bundle.from_json(bundle(passport(rf4), rf4, status_lists=[fresher_clear])), now=NOW
        )
    assert in_bundle.value.failure is FailureCode.STATUS_LIST_INVALID
    result = _verify(store).verify(passport(rf4))
    assert result.codes == {FailureCode.REVOKED}


def test_fetched_list_clearing_a_revocation_is_not_kept(
    tmp_path: Path, anchor: Org, rf4: Org
) -> None:
    rf4.set_bit("revocation", REVOCATION_INDEX)
    revoked = rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2))
    store = _listed_store(anchor, rf4).with_status_list(revoked, now=NOW)
    key = (rf4.did, rf4.list_id("revocation"))
    held = store.status_lists[key]
    clear = rf4.status_list("revocation", bits=new_bitstring(MIN_ENTRIES))  # newer, clear
    fetched = HeldStatusList(id=held.id, fetched_at=NOW, credential=clear)
    assert store.with_fetched([fetched]).status_lists[key] is held
    # a newer list that keeps the revocation is kept (so the refusal above is the rule)
    still_revoked = HeldStatusList(
        id=held.id, fetched_at=NOW, credential=rf4.status_list("revocation")
    )
    assert store.with_fetched([still_revoked]).status_lists[key] is still_revoked
    # and the home keeps nothing of the clear list
    home = VerifierHome(tmp_path)
    home.pin_anchor(anchor.did)
    home.import_trust_list(store.trust_lists[anchor.did].credential)
    home.import_status_list(revoked, now=NOW)
    home.import_status_list(rf4.status_list("suspension"), now=NOW)
    before = _files(tmp_path)
    home.keep_fetched([fetched], ())
    assert _files(tmp_path) == before
    assert _verify(home.load()).verify(passport(rf4)).codes == {FailureCode.REVOKED}


def test_fetched_material_is_kept_only_for_trusted_issuers(
    anchor: Org, rf4: Org, evil: Org
) -> None:
    store = _listed_store(anchor, rf4)
    mine = HeldStatusList(
        id=rf4.list_id("revocation"), fetched_at=NOW, credential=rf4.status_list("revocation")
    )
    theirs = HeldStatusList(
        id=evil.list_id("revocation"), fetched_at=NOW, credential=evil.status_list("revocation")
    )
    kept = store.with_fetched([mine, theirs])
    assert set(kept.status_lists) == {mine.key}
    # did:web documents: only for issuers pinned directly (by DID alone, the only ones fetched)
    listed_doc = HeldDidDocument(did=rf4.did, fetched_at=NOW, document=rf4.document)
    assert dict(kept.with_fetched(did_documents=[listed_doc]).did_documents) == {}
    pinned = TrustStore().with_issuer(rf4.did, require_document=False)
    assert set(pinned.with_fetched(did_documents=[listed_doc]).did_documents) == {rf4.did}


# --- I3: status lists held per (issuer, id) ---------------------------------------------


def _foreign_list(owner: Org, list_id: str) -> Doc:
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
    rf4.set_bit("revocation", REVOCATION_INDEX)
    store = (
        _listed_store(anchor, rf4, evil)
        .with_status_list(
            rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2)), now=NOW
        )
        .with_status_list(rf4.status_list("suspension"), now=NOW)
    )
    with pytest.raises(TrustImportError) as caught:  # outside evil's statusListBase
        store.with_status_list(_foreign_list(evil, rf4.list_id("revocation")), now=NOW)
    assert caught.value.failure is FailureCode.STATUS_LIST_INVALID
    assert caught.value.path == "/id"
    assert store.status_lists[(rf4.did, rf4.list_id("revocation"))].issuer == rf4.did
    old_clear = rf4.status_list(
        "revocation", bits=new_bitstring(MIN_ENTRIES), valid_from=NOW - timedelta(days=3)
    )
    result = _verify(store).verify(bundle(passport(rf4), rf4, status_lists=[old_clear]))
    assert FailureCode.REVOKED in result.codes


def test_lists_of_two_issuers_with_one_id_are_held_apart(anchor: Org, rf4: Org, evil: Org) -> None:
    rf4.set_bit("revocation", REVOCATION_INDEX)
    store = (
        TrustStore()
        .with_anchor(anchor.did)
        .with_trust_list(
            trust_list(anchor, [rf4.trusted_issuer(), evil.trusted_issuer(status_list_base=None)])
        )
        .with_status_list(
            rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2)), now=NOW
        )
        .with_status_list(rf4.status_list("suspension"), now=NOW)
        .with_status_list(_foreign_list(evil, rf4.list_id("revocation")), now=NOW)
    )
    assert (rf4.did, rf4.list_id("revocation")) in store.status_lists
    assert (evil.did, rf4.list_id("revocation")) in store.status_lists
    assert {s.issuer for s in store.status_lists_with_id(rf4.list_id("revocation"))} == {
        rf4.did,
        evil.did,
    }
    assert _verify(store).verify(passport(rf4)).codes == {FailureCode.REVOKED}


def test_status_list_outside_the_issuers_base_is_refused(anchor: Org, rf4: Org) -> None:
    store = _listed_store(anchor, rf4)
    with pytest.raises(TrustImportError) as caught:
        store.with_status_list(_foreign_list(rf4, "https://elsewhere.example/1"), now=NOW)
    assert caught.value.failure is FailureCode.STATUS_LIST_INVALID
    assert caught.value.path == "/id"


def _placeholder(org: Org, n: int) -> HeldStatusList:
    list_id = f"{org.status_base}held/{n}"
    return HeldStatusList(id=list_id, fetched_at=NOW, credential={"id": list_id, "issuer": org.did})


def test_status_lists_held_per_issuer_are_capped(anchor: Org, rf4: Org, evil: Org) -> None:
    listed = _listed_store(anchor, rf4, evil)
    full = TrustStore(
        anchors=listed.anchors.values(),
        trust_lists=listed.trust_lists.values(),
        status_lists=[_placeholder(rf4, n) for n in range(MAX_STATUS_LISTS_PER_ISSUER)],
    )
    assert MAX_STATUS_LISTS_PER_ISSUER == 256
    with pytest.raises(TrustImportError) as caught:
        full.with_status_list(rf4.status_list("revocation"), now=NOW)
    assert caught.value.failure is FailureCode.STATUS_LIST_INVALID
    # one fewer held: it is taken; another issuer's quota is its own
    room = TrustStore(
        anchors=listed.anchors.values(),
        trust_lists=listed.trust_lists.values(),
        status_lists=[_placeholder(rf4, n) for n in range(MAX_STATUS_LISTS_PER_ISSUER - 1)],
    )
    assert len(room.with_status_list(rf4.status_list("revocation"), now=NOW).status_lists) == 256
    assert len(full.with_status_list(evil.status_list("revocation"), now=NOW).status_lists) == 257
    # replacing a list already held is not a new one
    held = TrustStore(
        anchors=listed.anchors.values(),
        trust_lists=listed.trust_lists.values(),
        status_lists=[
            *(_placeholder(rf4, n) for n in range(MAX_STATUS_LISTS_PER_ISSUER - 1)),
            HeldStatusList(
                id=rf4.list_id("revocation"),
                fetched_at=NOW,
                credential=rf4.status_list("revocation", valid_from=NOW - timedelta(hours=2)),
            ),
        ],
    )
    assert len(held.with_status_list(rf4.status_list("revocation"), now=NOW).status_lists) == 256


def test_fetched_status_lists_count_against_the_per_issuer_cap(anchor: Org, rf4: Org) -> None:
    """What an online run fetched is held under the same quota as what is imported."""
    listed = _listed_store(anchor, rf4)
    full = TrustStore(
        anchors=listed.anchors.values(),
        trust_lists=listed.trust_lists.values(),
        status_lists=[_placeholder(rf4, n) for n in range(MAX_STATUS_LISTS_PER_ISSUER)],
    )
    fetched = HeldStatusList(
        id=rf4.list_id("revocation"), fetched_at=NOW, credential=rf4.status_list("revocation")
    )
    kept = full.with_fetched([fetched])
    assert fetched.key not in kept.status_lists
    assert sum(1 for issuer, _ in kept.status_lists if issuer == rf4.did) == 256


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
    with pytest.raises(MalformedInputError) as caught:
        status_entries(credential)
    assert caught.value.path == "/credentialStatus"
    credential["credentialStatus"] = [entry] * MAX_STATUS_ENTRIES
    assert len(status_entries(credential)) == MAX_STATUS_ENTRIES


def test_bundle_status_lists_are_capped(rf4: Org) -> None:
    document = bundle(passport(rf4), rf4)
    document["statusLists"] = [{"id": "x"}] * (MAX_BUNDLE_STATUS_LISTS + 1)
    with pytest.raises(MalformedInputError) as caught:
        Bundle.from_json(document)
    assert caught.value.path == "/statusLists"


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
    result = verifier.verify(json.dumps(document))
    assert result.codes == {FailureCode.MALFORMED}
    # refused by the bounds as it is read, before any status work (so at once, whatever
    # the numbers: no wall-clock limit in the tests)
    assert [f.path for f in result.failures] == ["/statusLists"]
    assert result.check("status").status == "skipped"
    del document["statusLists"]
    result = verifier.verify(json.dumps(document))
    assert "/credentialStatus" in [f.path for f in result.failures]  # (unsigned: /proof too)
    assert result.check("status").status == "fail"


def test_held_status_lists_are_indexed_by_id() -> None:
    held = [
        HeldStatusList(
            id=f"u:{i % 3}", fetched_at=NOW, credential={"id": f"u:{i % 3}", "issuer": f"did:x:{i}"}
        )
        for i in range(9)
    ]
    store = TrustStore(status_lists=held)
    assert len(store.status_lists) == 9
    assert {s.issuer for s in store.status_lists_with_id("u:1")} == {
        "did:x:1",
        "did:x:4",
        "did:x:7",
    }
    assert store.status_lists_with_id("u:9") == ()


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
    assert (FailureCode.KEY_COMPROMISED, "/proof/created", CheckName.ISSUER) in _failures(result)


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
    assert (FailureCode.ISSUER_WITHDRAWN, "/proof/created", CheckName.ISSUER) in _failures(result)


def test_pinned_and_listed_key_windows_intersect(anchor: Org, rf4: Org) -> None:
    vm_id = rf4.keys[0].vm_id
    late = rf4.trusted_issuer(keys=(KeyWindow(vm_id, valid_from=NOW - timedelta(minutes=1)),))
    store = (
        TrustStore()
        .with_anchor(anchor.did)
        .with_issuer(rf4.organisation())
        .with_trust_list(trust_list(anchor, [late]))
    )
    trust = store.view().issuer_trust(rf4.did)
    assert trust is not None
    window = trust.key_window(vm_id)
    assert window is not None
    assert window.valid_from == NOW - timedelta(minutes=1)
    assert window.valid_until is None
    result = _verify(store, rf4.status_lists()).verify(
        passport(rf4, created=NOW - timedelta(hours=1))
    )
    assert (FailureCode.KEY_NOT_VALID_AT_TIME, "/proof/created", CheckName.ISSUER) in _failures(
        result
    )


def test_pinned_issuer_is_bound_by_the_trust_lists_scopes(anchor: Org, rf4: Org) -> None:
    digital_only = rf4.trusted_issuer(scopes=(AccreditedScope(profiles=("digital",)),))
    pinned = make_verifier(issuers=[rf4.organisation()], status_lists=rf4.status_lists())
    assert pinned.verify(passport(rf4)).verified  # pinned alone: no scope restriction
    verifier = make_verifier(
        anchors=[anchor.did],
        issuers=[rf4.organisation()],
        trust_lists=[trust_list(anchor, [digital_only])],
        status_lists=rf4.status_lists(),
    )
    result = verifier.verify(passport(rf4))
    assert _failures(result) == {
        (
            FailureCode.ISSUER_UNTRUSTED,
            "/credentialSubject/assessmentRecord/profile",
            CheckName.ISSUER,
        )
    }
    assert result.verdict is Verdict.REJECTED


def test_pinned_description_and_trust_list_giving_other_keys_conflict(
    anchor: Org, rf4: Org
) -> None:
    impostor = Org.did_web(windows=[(YEAR_AGO, None)])  # same DID and key id, another key
    assert (impostor.did, impostor.keys[0].vm_id) == (rf4.did, rf4.keys[0].vm_id)
    store = TrustStore().with_anchor(anchor.did).with_issuer(rf4.organisation())
    store = store.with_trust_list(trust_list(anchor, [impostor.trusted_issuer()]))
    trust = store.view().issuer_trust(rf4.did)
    assert trust is not None
    assert trust.key_conflict(rf4.keys[0].vm_id) is not None
    result = _verify(store, rf4.status_lists()).verify(passport(rf4))
    assert (FailureCode.TRUST_CONFLICT, "/proof/created", CheckName.ISSUER) in _failures(result)
    assert result.verdict is Verdict.REJECTED
    # agreeing sources are no conflict
    agreeing = TrustStore().with_anchor(anchor.did).with_issuer(rf4.organisation())
    agreeing = agreeing.with_trust_list(trust_list(anchor, [rf4.trusted_issuer()]))
    assert _verify(agreeing, rf4.status_lists()).verify(passport(rf4)).verified


def test_pinned_description_and_trust_list_giving_other_ods_codes_conflict(
    anchor: Org, rf4: Org
) -> None:
    verifier = make_verifier(
        anchors=[anchor.did],
        issuers=[rf4.organisation()],
        trust_lists=[trust_list(anchor, [rf4.trusted_issuer(ods_code="R1H")])],
        status_lists=rf4.status_lists(),
    )
    trust = verifier.trust.view(
        [verify_trust_list(verifier.trust_lists[0], anchors=verifier.trust.anchors)]
    ).issuer_trust(rf4.did)
    assert trust is not None
    assert len(trust.conflicts()) == 1
    result = verifier.verify(passport(rf4))
    assert (FailureCode.TRUST_CONFLICT, "/issuer", CheckName.ISSUER) in _failures(result)
    assert result.verdict is Verdict.REJECTED


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
    verifier = make_verifier(
        store=_two_anchor_store(anchor, anchor_b),
        trust_lists=[lists[name] for name in order.split(",")],
        status_lists=rf4.status_lists(),
    )
    result = verifier.verify(passport(rf4, created=NOW - timedelta(days=1)))
    assert not result.verified
    assert (FailureCode.ISSUER_WITHDRAWN, "/proof/created", CheckName.ISSUER) in _failures(result)


# --- I6: one crafted file never bricks a verifier home ----------------------------------

_HOME_MAX_BYTES = 8 * 1024 * 1024 + 64 * 1024  # the input limit plus one level of wrapping
_MAX_DEPTH = 64


def _nested(depth: int) -> Any:
    """A JSON value ``depth`` levels deep (``[]`` is one level)."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _craft_cache_files(home: Path) -> set[Path]:
    """Write an over-deep and an over-large file into the home's two cache folders."""
    written: set[Path] = set()
    base = home / "verifier"
    for folder, key in (("status", "credential"), ("did-cache", "document")):
        deep = base / folder / f"{'d' * 64}.json"
        deep.write_text(
            json.dumps(
                {
                    "id": "urn:x",
                    "did": "did:web:x",
                    "fetchedAt": "2026-05-01T00:00:00Z",
                    key: {"deep": _nested(200)},
                }
            )
        )
        large = base / folder / f"{'l' * 64}.json"
        large.write_text(
            json.dumps(
                {
                    "id": "urn:y",
                    "did": "did:web:y",
                    "fetchedAt": "2026-05-01T00:00:00Z",
                    key: {"pad": "x" * (_HOME_MAX_BYTES + 1)},
                }
            )
        )
        written |= {deep, large}
    return written


def test_crafted_cache_files_are_skipped_with_a_warning(tmp_path: Path, anchor: Org) -> None:
    """An over-deep or over-large file in status/ or did-cache/ is skipped, never fatal."""
    org = Org.did_web(windows=[(None, None)])
    described = Org.did_web(host="rf4-two.nhs.example")
    home = VerifierHome(tmp_path)
    # one issuer whose did:web document sits in the did-cache, one pinned by description
    home.update(lambda held: held.with_issuer(org.did, require_document=False))
    home.keep_fetched((), [HeldDidDocument(did=org.did, fetched_at=NOW, document=org.document)])
    home.pin_issuer(described.organisation())
    for who in (org, described):
        for credential in who.status_lists():
            home.import_status_list(credential, now=NOW)
    crafted = _craft_cache_files(tmp_path)
    skipped: list[Path] = []
    store = home.load(on_skip=lambda path, reason: skipped.append(path))
    assert set(skipped) == crafted
    assert set(store.did_documents) == {org.did}
    assert len(store.status_lists) == 4
    with pytest.warns(InnopassWarning) as warned:
        loaded = home.load()
    assert len(warned) == len(crafted)
    verifier = _verify(loaded)
    for who in (org, described):
        result = verifier.verify(passport(who))
        assert result.verified, result.failures
    # the home can still be changed, and the crafted files are left as they were
    with pytest.warns(InnopassWarning):
        home.import_status_list(org.status_list("revocation", valid_from=NOW), now=NOW)
    assert all(path.exists() for path in crafted)


def _deep_status_list(org: Org, depth: int) -> Doc:
    """A signed status list ``depth`` levels deep in all (an extra, nested property)."""
    start = NOW - timedelta(hours=1)
    unsigned = build_status_list_credential(
        list_id=org.list_id("revocation"),
        issuer_did=org.did,
        purpose="revocation",
        bits=new_bitstring(MIN_ENTRIES),
        valid_from=start,
        valid_until=start + timedelta(days=7),
    )
    unsigned["evidence"] = _nested(depth - 1)
    return org.sign(unsigned, created=start)


def _home_with_an_issuer(tmp_path: Path, org: Org) -> VerifierHome:
    home = VerifierHome(tmp_path)
    home.pin_issuer(org.organisation())
    return home


def _file_count(home: Path) -> int:
    return sum(1 for p in home.rglob("*") if p.is_file())


def test_import_of_a_document_over_deep_once_wrapped_is_refused_unwritten(
    tmp_path: Path,
) -> None:
    org = Org.did_web(windows=[(None, None)])
    home = _home_with_an_issuer(tmp_path, org)
    files = _file_count(tmp_path)
    too_deep = _deep_status_list(org, _MAX_DEPTH + 1)
    with pytest.raises(TrustImportError) as caught:
        home.import_status_list(too_deep, now=NOW)
    assert caught.value.failure is FailureCode.MALFORMED
    assert _file_count(tmp_path) == files
    # in a bundle beside a good list, nothing of the bundle is written either
    document = Bundle(
        passport=passport(org),
        issuer=org.organisation(),
        status_lists=(org.status_list("suspension"), too_deep),
    )
    with pytest.raises(TrustImportError) as in_bundle:
        home.import_bundle(document, now=NOW)
    assert in_bundle.value.failure is FailureCode.MALFORMED
    assert _file_count(tmp_path) == files
    # as deep as the input limit allows: one level of wrapping is allowed for
    home.import_status_list(_deep_status_list(org, _MAX_DEPTH), now=NOW)
    assert _file_count(tmp_path) == files + 1
    assert len(home.load().status_lists) == 1  # read back without a warning


def test_import_of_a_document_over_large_once_wrapped_is_refused_unwritten(
    tmp_path: Path,
) -> None:
    org = Org.did_web(windows=[(None, None)])
    home = _home_with_an_issuer(tmp_path, org)
    files = _file_count(tmp_path)
    start = NOW - timedelta(hours=1)
    unsigned = build_status_list_credential(
        list_id=org.list_id("revocation"),
        issuer_did=org.did,
        purpose="revocation",
        bits=new_bitstring(MIN_ENTRIES),
        valid_from=start,
        valid_until=start + timedelta(days=7),
    )
    unsigned["description"] = "x" * _HOME_MAX_BYTES
    too_large = org.sign(unsigned, created=start)
    with pytest.raises(TrustImportError) as caught:
        home.import_status_list(too_large, now=NOW)
    assert caught.value.failure is FailureCode.MALFORMED
    assert _file_count(tmp_path) == files
    assert dict(home.load().status_lists) == {}
    # as large as the input limit allows (8 MiB compact): kept, and read back unwarned
    limit = 8 * 1024 * 1024
    unsigned["description"], unsigned["serial"] = "", "00"
    unsigned["description"] = "x" * (limit - len(_compact(org.sign(unsigned, created=start))))
    for serial in range(100):  # a signature's base58 form may be a character longer or shorter
        unsigned["serial"] = f"{serial:02d}"
        at_the_limit = org.sign(unsigned, created=start)
        if len(_compact(at_the_limit)) == limit:
            break
    assert len(_compact(at_the_limit)) == limit
    home.import_status_list(at_the_limit, now=NOW)
    assert _file_count(tmp_path) == files + 1
    assert len(home.load().status_lists) == 1


def _compact(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
