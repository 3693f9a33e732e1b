"""Issuer trust: anchors, trust lists (expiry, rollback), key windows, withdrawal, the home."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jsonio import JSONObject
from innopass._internal.proof import ProofOptions, add_proof
from innopass._internal.suites import suite_for_key
from innopass.errors import ConfigurationError, TrustError, TrustImportError
from innopass.trust import Bundle
from innopass.verifier import (
    CheckName,
    CheckStatus,
    FailureCode,
    TrustStore,
    Verdict,
    VerificationResult,
    Verifier,
    VerifierHome,
)
from verifier_factory import (
    NOW,
    AccreditedScope,
    Org,
    RunVerifier,
    bundle,
    clock,
    jwt_passport,
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
def rf4() -> Org:
    return Org.did_web(windows=[(YEAR_AGO, None)])


def _failures(result: VerificationResult) -> set[tuple[FailureCode, str, CheckName]]:
    return {(f.code, f.path, f.check) for f in result.failures}


def _listed(anchor: Org, rf4: Org, **options: Any) -> RunVerifier:
    tl = trust_list(anchor, [rf4.trusted_issuer()])
    return make_verifier(
        anchors=[anchor.did], trust_lists=[tl], status_lists=rf4.status_lists(), **options
    )


def test_trust_via_anchor_and_trust_list(anchor: Org, rf4: Org) -> None:
    result = _listed(anchor, rf4).verify(passport(rf4))
    assert result.verified, result.failures
    assert (result.issuer.ods_code, result.issuer.name) == ("RF4", rf4.name)


def test_trust_list_without_its_anchor_is_invalid(anchor: Org, rf4: Org) -> None:
    tl = trust_list(anchor, [rf4.trusted_issuer()])
    result = make_verifier(trust_lists=[tl], status_lists=rf4.status_lists()).verify(passport(rf4))
    assert {
        (FailureCode.TRUST_LIST_INVALID, "/issuer", CheckName.ISSUER),
        (FailureCode.ISSUER_UNTRUSTED, "/issuer", CheckName.ISSUER),
    } <= _failures(result)
    assert result.verdict is Verdict.REJECTED


def test_tampered_trust_list_is_invalid(anchor: Org, rf4: Org) -> None:
    tl = trust_list(anchor, [])
    tl["credentialSubject"]["trustedIssuers"] = [rf4.trusted_issuer().to_json()]
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[tl], status_lists=rf4.status_lists()
    )
    result = verifier.verify(passport(rf4))
    assert (FailureCode.TRUST_LIST_INVALID, "/proof/proofValue", CheckName.ISSUER) in _failures(
        result
    )
    assert FailureCode.ISSUER_UNTRUSTED in result.codes  # the tampered list trusts no one
    assert result.verdict is Verdict.REJECTED


def test_expired_trust_list_is_indeterminate(anchor: Org, rf4: Org) -> None:
    start = NOW - timedelta(days=40)
    tl = trust_list(
        anchor, [rf4.trusted_issuer()], valid_from=start, valid_until=start + timedelta(days=30)
    )
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[tl], status_lists=rf4.status_lists()
    )
    result = verifier.verify(passport(rf4))
    assert _failures(result) == {(FailureCode.TRUST_LIST_EXPIRED, "/issuer", CheckName.ISSUER)}
    assert result.verdict is Verdict.INDETERMINATE


def test_rolled_back_trust_list_is_refused(anchor: Org, rf4: Org) -> None:
    newer = trust_list(anchor, [rf4.trusted_issuer()], version=2)
    older = trust_list(anchor, [rf4.trusted_issuer()], version=1)
    store = TrustStore().with_anchor(anchor.did).with_trust_list(newer)
    with pytest.raises(TrustImportError) as refused:
        store.with_trust_list(older)
    assert refused.value.failure is FailureCode.TRUST_LIST_ROLLBACK
    assert refused.value.path == "/credentialSubject/trustListVersion"
    assert store.trust_lists[anchor.did].version == 2
    assert store.with_trust_list(newer) is store  # the same list again is a no-op
    # given for one run, an older list is reported and the held one still governs
    verifier = make_verifier(store=store, trust_lists=[older], status_lists=rf4.status_lists())
    result = verifier.verify(passport(rf4))
    assert result.codes == {FailureCode.TRUST_LIST_ROLLBACK}
    assert {f.check for f in result.failures} == {CheckName.ISSUER}
    assert result.verdict is Verdict.REJECTED


def test_newer_trust_list_for_a_run_replaces_the_held_one(anchor: Org, rf4: Org) -> None:
    store = TrustStore().with_anchor(anchor.did).with_trust_list(trust_list(anchor, [], version=1))
    newer = trust_list(anchor, [rf4.trusted_issuer()], version=2)
    verifier = make_verifier(store=store, trust_lists=[newer], status_lists=rf4.status_lists())
    assert verifier.verify(passport(rf4)).verified
    assert verifier.trust is store
    assert store.trust_lists[anchor.did].version == 1  # run-only
    # without the run's list the held (empty) one governs again
    held_only = make_verifier(store=store, status_lists=rf4.status_lists()).verify(passport(rf4))
    assert (FailureCode.ISSUER_UNTRUSTED, "/issuer", CheckName.ISSUER) in _failures(held_only)
    assert held_only.verdict is Verdict.REJECTED


def test_bundle_trust_list_is_used_and_an_older_one_ignored(anchor: Org, rf4: Org) -> None:
    tl = trust_list(anchor, [rf4.trusted_issuer()], version=3)
    verifier = make_verifier(anchors=[anchor.did])
    assert verifier.verify(bundle(passport(rf4), rf4, trust=tl)).verified
    store = (
        TrustStore()
        .with_anchor(anchor.did)
        .with_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=4))
    )
    stale = make_verifier(store=store).verify(bundle(passport(rf4), rf4, trust=tl))
    assert stale.verified, stale.failures
    unknown_anchor = make_verifier(issuers=[rf4.organisation()])
    assert unknown_anchor.verify(bundle(passport(rf4), rf4, trust=tl)).verified


def test_key_outside_its_validity_window(rf4: Org) -> None:
    org = Org.did_web(windows=[(NOW - timedelta(days=10), None)])
    result = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists()).verify(
        passport(org, created=NOW - timedelta(days=20))
    )
    assert _failures(result) == {
        (FailureCode.KEY_NOT_VALID_AT_TIME, "/proof/created", CheckName.ISSUER)
    }
    assert result.verdict is Verdict.REJECTED


def _without_created(org: Org, *, key: int = 0) -> JSONObject:
    """A passport whose proof gives no ``created`` time."""
    k = org.keys[key]
    return add_proof(
        unsigned_passport(org),
        key=k.private,
        suite=suite_for_key(k.private.key_type),
        options=ProofOptions(verification_method=k.vm_id),
    )


def test_proof_without_a_signing_time_under_an_unbounded_key_window_is_accepted() -> None:
    org = Org.did_web(windows=[(None, None)])
    credential = _without_created(org)
    assert "created" not in credential["proof"]  # type: ignore[operator]
    result = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists()).verify(
        credential
    )
    assert result.verified, result.failures


def test_proof_without_a_signing_time_under_a_bounded_key_window_is_indeterminate(
    rf4: Org,
) -> None:
    result = make_verifier(issuers=[rf4.organisation()], status_lists=rf4.status_lists()).verify(
        _without_created(rf4)
    )
    assert _failures(result) == {
        (FailureCode.SIGNING_TIME_UNKNOWN, "/proof/created", CheckName.ISSUER)
    }
    assert result.verdict is Verdict.INDETERMINATE


def test_rotated_out_key_still_verifies_what_it_signed_before_retirement() -> None:
    retired = NOW - timedelta(days=10)
    org = Org.did_web(windows=[(YEAR_AGO, retired), (retired, None)])
    lists = [org.status_list(p, key=1) for p in ("revocation", "suspension")]
    verifier = make_verifier(issuers=[org.organisation()], status_lists=lists)
    old = verifier.verify(passport(org, key=0, created=retired - timedelta(days=30)))
    assert old.verified, old.failures
    new = verifier.verify(passport(org, key=1))
    assert new.verified, new.failures
    after = verifier.verify(passport(org, key=0, created=NOW - timedelta(days=1)))
    assert _failures(after) == {
        (FailureCode.KEY_NOT_VALID_AT_TIME, "/proof/created", CheckName.ISSUER)
    }


def test_rotation_by_jwt_uses_iat() -> None:
    retired = NOW - timedelta(days=10)
    org = Org.did_web(windows=[(YEAR_AGO, retired), (retired, None)])
    lists = [org.status_list(p, key=1) for p in ("revocation", "suspension")]
    verifier = make_verifier(issuers=[org.organisation()], status_lists=lists)
    assert verifier.verify(jwt_passport(org, key=0, issued_at=retired - timedelta(days=1))).verified
    late = verifier.verify(jwt_passport(org, key=0, issued_at=NOW - timedelta(hours=2)))
    assert _failures(late) == {(FailureCode.KEY_NOT_VALID_AT_TIME, "/iat", CheckName.ISSUER)}


def test_compromised_key_invalidates_everything_it_signed(anchor: Org) -> None:
    org = Org.did_web(windows=[(YEAR_AGO, None), (YEAR_AGO, None)])
    org.keys[0].compromised = True
    lists = [org.status_list(p, key=1) for p in ("revocation", "suspension")]
    tl = trust_list(anchor, [org.trusted_issuer()])
    verifier = make_verifier(anchors=[anchor.did], trust_lists=[tl], status_lists=lists)
    result = verifier.verify(passport(org, key=0, created=YEAR_AGO + timedelta(days=1)))
    assert _failures(result) == {(FailureCode.KEY_COMPROMISED, "/proof/created", CheckName.ISSUER)}
    assert result.verdict is Verdict.REJECTED
    assert verifier.verify(passport(org, key=1)).verified


def test_withdrawn_issuer(anchor: Org, rf4: Org) -> None:
    withdrawn_at = NOW - timedelta(days=5)
    entry = rf4.trusted_issuer(status="withdrawn", withdrawn_at=withdrawn_at, successor="R1H")
    tl = trust_list(anchor, [entry])
    lists = [
        rf4.status_list(p, created=withdrawn_at - timedelta(days=1))
        for p in ("revocation", "suspension")
    ]
    verifier = make_verifier(anchors=[anchor.did], trust_lists=[tl], status_lists=lists)
    after = verifier.verify(passport(rf4))
    assert _failures(after) == {(FailureCode.ISSUER_WITHDRAWN, "/proof/created", CheckName.ISSUER)}
    assert after.verdict is Verdict.REJECTED
    before = verifier.verify(passport(rf4, created=withdrawn_at - timedelta(days=1)))
    assert before.verified, before.failures


def test_issuer_must_be_accredited_for_the_profile(anchor: Org, rf4: Org) -> None:
    entry = rf4.trusted_issuer(scopes=(AccreditedScope(profiles=("digital",)),))
    tl = trust_list(anchor, [entry])
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[tl], status_lists=rf4.status_lists()
    )
    assert _failures(verifier.verify(passport(rf4))) == {
        (
            FailureCode.ISSUER_UNTRUSTED,
            "/credentialSubject/assessmentRecord/profile",
            CheckName.ISSUER,
        )
    }


def test_claimed_ods_code_must_match_the_trusted_one(rf4: Org) -> None:
    credential = rf4.sign(
        {**unsigned_passport(rf4), "issuer": {"id": rf4.did, "odsCode": "R1H", "name": "x"}}
    )
    verifier = make_verifier(issuers=[rf4.organisation()], status_lists=rf4.status_lists())
    result = verifier.verify(credential)
    assert (FailureCode.ISSUER_UNTRUSTED, "/issuer/odsCode", CheckName.ISSUER) in _failures(result)
    assert result.verdict is Verdict.REJECTED


def test_issuer_check_skipped_without_a_proof_time(rf4: Org) -> None:
    credential = passport(rf4)
    del credential["proof"]
    result = make_verifier(issuers=[rf4.organisation()], status_lists=rf4.status_lists()).verify(
        credential
    )
    assert result.check(CheckName.ISSUER).status is CheckStatus.SKIPPED
    assert result.check(CheckName.PROOF).status is CheckStatus.FAIL
    assert result.verdict is Verdict.REJECTED


# --- the trust store and the home ---------------------------------------------------


def test_did_web_cannot_be_pinned_by_did_alone(tmp_path: Path) -> None:
    with pytest.raises(TrustError):
        TrustStore().with_issuer("did:web:rf4.nhs.example")
    with pytest.raises(TrustError):
        TrustStore().with_anchor("did:web:anchor.nhs.example")
    home = VerifierHome(tmp_path)
    with pytest.raises(TrustError):
        home.pin_issuer("did:web:rf4.nhs.example")
    with pytest.raises(TrustError):
        home.pin_anchor("did:web:anchor.nhs.example")
    assert not any(tmp_path.rglob("*.json"))


def test_trust_store_is_a_value(anchor: Org, rf4: Org) -> None:
    empty = TrustStore()
    pinned = empty.with_anchor(anchor.did)
    listed = pinned.with_trust_list(trust_list(anchor, [rf4.trusted_issuer()]))
    assert empty.is_empty()
    assert dict(empty.anchors) == {}
    assert set(pinned.anchors) == {anchor.did}
    assert dict(pinned.trust_lists) == {}
    assert set(listed.trust_lists) == {anchor.did}
    with pytest.raises(TypeError):
        listed.anchors["did:key:x"] = listed.anchors[anchor.did]  # type: ignore[index]
    verifier = make_verifier(store=listed, status_lists=rf4.status_lists())
    assert verifier.verify(passport(rf4)).verified
    assert verifier.trust is listed
    assert set(listed.status_lists) == set()  # a run's status lists are not kept


def _file_bytes(home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*.json"))
        if p.is_file()
    }


def test_home_round_trip(tmp_path: Path, anchor: Org, rf4: Org) -> None:
    home = VerifierHome(tmp_path)
    home.pin_anchor(anchor.did)
    other = Org.did_key(ods="R1H", name="BARTS HEALTH NHS TRUST")
    home.pin_issuer(other.did)
    home.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=5))
    for credential in rf4.status_lists():
        home.import_status_list(credential, now=NOW)
    written = _file_bytes(tmp_path)
    for name, raw in written.items():  # compact JSON (FORMATS.md §7)
        compact = json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":"))
        assert raw == compact.encode(), name
    # a trust list given for one run is used for that run and never kept
    run_only = trust_list(anchor, [], version=9)
    verifier = Verifier(home.load(), clock=clock())
    for_the_run = verifier.verify(passport(rf4), trust_lists=[run_only])
    assert (FailureCode.ISSUER_UNTRUSTED, "/issuer", CheckName.ISSUER) in _failures(for_the_run)
    assert _file_bytes(tmp_path) == written
    loaded = VerifierHome(tmp_path).load()
    assert set(loaded.anchors) == {anchor.did}
    assert set(loaded.issuers) == {other.did}
    assert {a: tl.version for a, tl in loaded.trust_lists.items()} == {anchor.did: 5}
    assert set(loaded.status_lists) == {
        (rf4.did, rf4.list_id("revocation")),
        (rf4.did, rf4.list_id("suspension")),
    }
    assert {entry.fetched_at for entry in loaded.status_lists.values()} == {NOW}
    assert Verifier(loaded, clock=clock()).verify(passport(rf4)).verified


def test_unpinning_an_anchor_keeps_its_rollback_mark(tmp_path: Path, anchor: Org, rf4: Org) -> None:
    home = VerifierHome(tmp_path)
    home.pin_anchor(anchor.did)
    home.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=3))
    assert home.unpin(anchor.did) == ("anchor",)
    unpinned = home.load()
    assert dict(unpinned.anchors) == {}
    assert unpinned.trust_lists[anchor.did].version == 3  # kept: the rollback mark
    assert unpinned.view().trust_lists == ()  # but no longer in force
    assert unpinned.view().issuer_trust(rf4.did) is None
    home.pin_anchor(anchor.did)
    with pytest.raises(TrustImportError) as refused:
        home.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=2))
    assert refused.value.failure is FailureCode.TRUST_LIST_ROLLBACK
    assert home.load().trust_lists[anchor.did].version == 3
    # the same holds for the value
    store = (
        TrustStore()
        .with_anchor(anchor.did)
        .with_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=3))
    )
    again = store.without_anchor(anchor.did).with_anchor(anchor.did)
    with pytest.raises(TrustImportError) as value_refused:
        again.with_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=2))
    assert value_refused.value.failure is FailureCode.TRUST_LIST_ROLLBACK


@pytest.mark.parametrize("folder", ["anchors", "issuers", "trust-lists"])
def test_corrupt_home_is_a_configuration_error(tmp_path: Path, folder: str) -> None:
    (tmp_path / "verifier" / folder).mkdir(parents=True)
    (tmp_path / "verifier" / folder / "x.json").write_text("{not json")
    with pytest.raises(ConfigurationError):
        VerifierHome(tmp_path).load()
    with pytest.raises(ConfigurationError):  # nor can it be changed
        VerifierHome(tmp_path).pin_anchor(Org.did_key().did)
    assert [p.name for p in (tmp_path / "verifier").rglob("*.json")] == ["x.json"]


def test_empty_home_loads_empty(tmp_path: Path) -> None:
    assert VerifierHome(tmp_path).load().is_empty()
    assert VerifierHome(tmp_path / "missing").load().is_empty()
    assert not (tmp_path / "missing").exists()  # reading creates nothing
    with pytest.raises(ConfigurationError):
        Verifier(VerifierHome(tmp_path).load())
    assert Verifier(VerifierHome(tmp_path).load(), trust_no_one=True).trust.is_empty()


def json_roundtrip_bundle(obj: dict[str, object]) -> Bundle:
    return Bundle.from_json(json.loads(json.dumps(obj)))


def test_import_bundle(anchor: Org, rf4: Org) -> None:
    store = TrustStore().with_anchor(anchor.did)
    tl = trust_list(anchor, [rf4.trusted_issuer()], version=2)
    imported = store.with_bundle(
        json_roundtrip_bundle(bundle(passport(rf4), rf4, trust=tl)), now=NOW
    )
    assert imported.trust_lists[anchor.did].version == 2
    assert len(imported.status_lists) == 2
    assert {entry.fetched_at for entry in imported.status_lists.values()} == {NOW}
    assert dict(store.trust_lists) == {}  # the store it was built from is unchanged
    assert make_verifier(store=imported).verify(passport(rf4)).verified


def test_import_bundle_into_the_home(tmp_path: Path, anchor: Org, rf4: Org) -> None:
    home = VerifierHome(tmp_path)
    home.pin_anchor(anchor.did)
    tl = trust_list(anchor, [rf4.trusted_issuer()], version=2)
    taken = home.import_bundle(json_roundtrip_bundle(bundle(passport(rf4), rf4, trust=tl)), now=NOW)
    assert taken is not None
    assert (taken.anchor, taken.version) == (anchor.did, 2)
    loaded = home.load()
    assert loaded.trust_lists[anchor.did].version == 2
    assert len(loaded.status_lists) == 2
    assert make_verifier(store=loaded).verify(passport(rf4)).verified
    # the same bundle again takes no trust list (it is no newer than the one held)
    assert (
        home.import_bundle(json_roundtrip_bundle(bundle(passport(rf4), rf4, trust=tl)), now=NOW)
        is None
    )
