"""Issuer trust: anchors, trust lists (expiry, rollback), key windows, withdrawal, the home."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from innopass.errors import ConfigurationError, TrustError
from innopass.verifier import FailureCode, TrustImportError, TrustStore, Verdict, Verifier
from innopass.verifier.result import CheckName, CheckStatus
from verifier_factory import (
    NOW,
    AccreditedScope,
    Org,
    bundle,
    jwt_passport,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    trust_list,
)

YEAR_AGO = NOW - timedelta(days=365)


@pytest.fixture
def anchor() -> Org:
    return Org.did_key(ods="X26", name="NHS ENGLAND")


@pytest.fixture
def rf4() -> Org:
    return Org.did_web(windows=[(YEAR_AGO, None)])


def _listed(anchor: Org, rf4: Org, **options: object):  # type: ignore[no-untyped-def]
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
    assert {FailureCode.TRUST_LIST_INVALID, FailureCode.ISSUER_UNTRUSTED} <= result.codes


def test_tampered_trust_list_is_invalid(anchor: Org, rf4: Org) -> None:
    tl = trust_list(anchor, [])
    tl["credentialSubject"]["trustedIssuers"] = [rf4.trusted_issuer().to_json()]  # type: ignore[index]
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[tl], status_lists=rf4.status_lists()
    )
    result = verifier.verify(passport(rf4))
    assert FailureCode.TRUST_LIST_INVALID in result.codes
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
    assert result.codes == {FailureCode.TRUST_LIST_EXPIRED}
    assert result.verdict is Verdict.INDETERMINATE


def test_rolled_back_trust_list_is_refused(anchor: Org, rf4: Org) -> None:
    store = TrustStore()
    store.pin_anchor(anchor.did)
    newer = trust_list(anchor, [rf4.trusted_issuer()], version=2)
    older = trust_list(anchor, [rf4.trusted_issuer()], version=1)
    store.import_trust_list(newer)
    with pytest.raises(TrustImportError) as refused:
        store.import_trust_list(older)
    assert refused.value.code is FailureCode.TRUST_LIST_ROLLBACK
    assert store.trust_list is not None
    assert store.trust_list.version == 2
    store.import_trust_list(newer)  # the same list again is a no-op
    # given for one run, an older list is reported and the held one still governs
    verifier = make_verifier(store=store, trust_lists=[older], status_lists=rf4.status_lists())
    result = verifier.verify(passport(rf4))
    assert result.codes == {FailureCode.TRUST_LIST_ROLLBACK}
    assert result.verdict is Verdict.REJECTED


def test_newer_trust_list_for_a_run_replaces_the_held_one(anchor: Org, rf4: Org) -> None:
    store = TrustStore()
    store.pin_anchor(anchor.did)
    store.import_trust_list(trust_list(anchor, [], version=1))
    newer = trust_list(anchor, [rf4.trusted_issuer()], version=2)
    verifier = make_verifier(store=store, trust_lists=[newer], status_lists=rf4.status_lists())
    assert verifier.verify(passport(rf4)).verified
    assert store.trust_list is not None
    assert store.trust_list.version == 1  # run-only


def test_bundle_trust_list_is_used_and_an_older_one_ignored(anchor: Org, rf4: Org) -> None:
    tl = trust_list(anchor, [rf4.trusted_issuer()], version=3)
    verifier = make_verifier(anchors=[anchor.did])
    assert verifier.verify(bundle(passport(rf4), rf4, trust=tl)).verified
    store = TrustStore()
    store.pin_anchor(anchor.did)
    store.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=4))
    stale = make_verifier(store=store).verify(bundle(passport(rf4), rf4, trust=tl))
    assert stale.verified, stale.failures
    unknown_anchor = make_verifier(issuers=[rf4.organisation()])
    assert unknown_anchor.verify(bundle(passport(rf4), rf4, trust=tl)).verified


def test_key_outside_its_validity_window(rf4: Org) -> None:
    org = Org.did_web(windows=[(NOW - timedelta(days=10), None)])
    result = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists()).verify(
        passport(org, created=NOW - timedelta(days=20))
    )
    assert result.codes == {FailureCode.KEY_NOT_VALID_AT_TIME}
    assert result.verdict is Verdict.REJECTED


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
    assert after.codes == {FailureCode.KEY_NOT_VALID_AT_TIME}


def test_rotation_by_jwt_uses_iat() -> None:
    retired = NOW - timedelta(days=10)
    org = Org.did_web(windows=[(YEAR_AGO, retired), (retired, None)])
    lists = [org.status_list(p, key=1) for p in ("revocation", "suspension")]
    verifier = make_verifier(issuers=[org.organisation()], status_lists=lists)
    assert verifier.verify(jwt_passport(org, key=0, issued_at=retired - timedelta(days=1))).verified
    late = verifier.verify(jwt_passport(org, key=0, issued_at=NOW - timedelta(hours=2)))
    assert late.codes == {FailureCode.KEY_NOT_VALID_AT_TIME}


def test_compromised_key_invalidates_everything_it_signed(anchor: Org) -> None:
    org = Org.did_web(windows=[(YEAR_AGO, None), (YEAR_AGO, None)])
    org.keys[0].compromised = True
    lists = [org.status_list(p, key=1) for p in ("revocation", "suspension")]
    tl = trust_list(anchor, [org.trusted_issuer()])
    verifier = make_verifier(anchors=[anchor.did], trust_lists=[tl], status_lists=lists)
    result = verifier.verify(passport(org, key=0, created=YEAR_AGO + timedelta(days=1)))
    assert result.codes == {FailureCode.KEY_COMPROMISED}
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
    assert after.codes == {FailureCode.ISSUER_WITHDRAWN}
    before = verifier.verify(passport(rf4, created=withdrawn_at - timedelta(days=1)))
    assert before.verified, before.failures


def test_issuer_must_be_accredited_for_the_profile(anchor: Org, rf4: Org) -> None:
    entry = rf4.trusted_issuer(scopes=(AccreditedScope(profiles=("digital",)),))
    tl = trust_list(anchor, [entry])
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[tl], status_lists=rf4.status_lists()
    )
    assert verifier.verify(passport(rf4)).codes == {FailureCode.ISSUER_UNTRUSTED}


def test_claimed_ods_code_must_match_the_trusted_one(rf4: Org) -> None:
    credential = rf4.sign(
        {**_unsigned(rf4), "issuer": {"id": rf4.did, "odsCode": "R1H", "name": "x"}}
    )
    verifier = make_verifier(issuers=[rf4.organisation()], status_lists=rf4.status_lists())
    result = verifier.verify(credential)
    assert any(
        f.code is FailureCode.ISSUER_UNTRUSTED and f.path == "/issuer/odsCode"
        for f in result.failures
    )


def _unsigned(org: Org) -> dict[str, object]:
    from verifier_factory import unsigned_passport

    return unsigned_passport(org)


def test_issuer_check_skipped_without_a_proof_time(rf4: Org) -> None:
    credential = passport(rf4)
    del credential["proof"]  # type: ignore[arg-type]
    result = make_verifier(issuers=[rf4.organisation()], status_lists=rf4.status_lists()).verify(
        credential
    )
    assert result.check(CheckName.ISSUER).status is CheckStatus.SKIPPED
    assert result.verdict is Verdict.REJECTED


# --- the trust store and the home ---------------------------------------------------


def test_did_web_cannot_be_pinned_by_did_alone() -> None:
    with pytest.raises(TrustError):
        TrustStore().pin_issuer("did:web:rf4.nhs.example")
    with pytest.raises(TrustError):
        TrustStore().pin_anchor("did:web:anchor.nhs.example")


def test_home_round_trip(tmp_path: Path, anchor: Org, rf4: Org) -> None:
    store = TrustStore()
    store.pin_anchor(anchor.did)
    other = Org.did_key(ods="R1H", name="BARTS HEALTH NHS TRUST")
    store.pin_issuer(other.did)
    store.import_trust_list(trust_list(anchor, [rf4.trusted_issuer()], version=5))
    for credential in rf4.status_lists():
        store.import_status_list(credential, now=NOW)
    store.add_trust_list(trust_list(anchor, [], version=9))  # run-only: never saved
    store.save(tmp_path)
    loaded = TrustStore.load(tmp_path)
    assert set(loaded.anchors) == {anchor.did}
    assert set(loaded.issuers) == {other.did}
    assert loaded.trust_list is not None
    assert loaded.trust_list.version == 5
    assert set(loaded.status_lists) == {
        (rf4.did, rf4.list_id("revocation")),
        (rf4.did, rf4.list_id("suspension")),
    }
    assert loaded.candidate_trust_lists == ()
    verifier = Verifier.from_home(str(tmp_path), clock=lambda: NOW)
    assert verifier.verify(passport(rf4)).verified


def test_corrupt_home_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "verifier" / "anchors").mkdir(parents=True)
    (tmp_path / "verifier" / "anchors" / "x.json").write_text("{not json")
    with pytest.raises(ConfigurationError):
        TrustStore.load(tmp_path)


def test_empty_home_loads_empty(tmp_path: Path) -> None:
    assert TrustStore.load(tmp_path).is_empty()
    with pytest.raises(ConfigurationError):
        Verifier.from_home(str(tmp_path))


def test_import_bundle(anchor: Org, rf4: Org) -> None:
    store = TrustStore()
    store.pin_anchor(anchor.did)
    tl = trust_list(anchor, [rf4.trusted_issuer()], version=2)
    imported = store.import_bundle(
        json_roundtrip_bundle(bundle(passport(rf4), rf4, trust=tl)), now=NOW
    )
    assert imported.trust_list is not None
    assert imported.trust_list.version == 2
    assert len(imported.status_lists) == 2
    assert make_verifier(store=store).verify(passport(rf4)).verified


def json_roundtrip_bundle(obj: dict[str, object]):  # type: ignore[no-untyped-def]
    from innopass.trust import Bundle

    return Bundle.from_json(json.loads(json.dumps(obj)))
