"""The status check with real, signed status-list credentials."""

from __future__ import annotations

import base64
import gzip
import json
import struct
from datetime import timedelta
from pathlib import Path

import pytest

from innopass.did import did_web_to_url
from innopass.errors import TrustImportError
from innopass.status import build_status_list_credential, new_bitstring
from innopass.verifier import (
    CheckName,
    CheckStatus,
    FailureCode,
    HeldDidDocument,
    HeldStatusList,
    Limits,
    TrustStore,
    Verdict,
    VerificationResult,
    VerifierHome,
)
from verifier_factory import (
    NOW,
    REVOCATION_INDEX,
    SUSPENSION_INDEX,
    MapFetcher,
    Org,
    allow_did_web,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
)


@pytest.fixture
def org() -> Org:
    return Org.did_key()


def _verify(org: Org, lists: list[dict[str, object]], **options: object) -> VerificationResult:
    return make_verifier(issuers=[org.did], status_lists=lists, **options).verify(passport(org))  # type: ignore[arg-type]


def _failures(result: VerificationResult) -> set[tuple[FailureCode, str, CheckName]]:
    return {(f.code, f.path, f.check) for f in result.failures}


_REVOCATION_LIST = "/credentialStatus/0/statusListCredential"
_SUSPENSION_LIST = "/credentialStatus/1/statusListCredential"


def test_revoked(org: Org) -> None:
    org.set_bit("revocation", REVOCATION_INDEX)
    result = _verify(org, org.status_lists())
    assert result.codes == {FailureCode.REVOKED}
    assert result.verdict is Verdict.REJECTED


def test_suspended(org: Org) -> None:
    org.set_bit("suspension", SUSPENSION_INDEX)
    result = _verify(org, org.status_lists())
    assert result.codes == {FailureCode.SUSPENDED}
    assert result.verdict is Verdict.REJECTED


def test_other_bits_do_not_matter(org: Org) -> None:
    org.set_bit("revocation", REVOCATION_INDEX + 1)
    assert _verify(org, org.status_lists()).verified


def test_missing_status_list_is_indeterminate(org: Org) -> None:
    result = _verify(org, [org.status_list("revocation")])
    assert result.codes == {FailureCode.STATUS_UNAVAILABLE}
    assert result.verdict is Verdict.INDETERMINATE
    assert result.check(CheckName.STATUS).status is CheckStatus.INDETERMINATE


def test_expired_status_list_is_stale(org: Org) -> None:
    old = NOW - timedelta(days=10)
    lists = [
        org.status_list(p, valid_from=old, valid_until=old + timedelta(days=7))
        for p in ("revocation", "suspension")
    ]
    result = _verify(org, lists)
    assert result.codes == {FailureCode.STATUS_STALE}
    assert result.verdict is Verdict.INDETERMINATE


def test_list_older_than_max_age_is_stale(org: Org) -> None:
    old = NOW - timedelta(days=3)
    lists = [
        org.status_list(p, valid_from=old, valid_until=NOW + timedelta(days=30))
        for p in ("revocation", "suspension")
    ]
    assert _verify(org, lists).verified
    result = _verify(org, lists, limits=Limits(status_max_age=timedelta(days=1)))
    assert _failures(result) == {
        (FailureCode.STATUS_STALE, "/credentialStatus/0", CheckName.STATUS),
        (FailureCode.STATUS_STALE, "/credentialStatus/1", CheckName.STATUS),
    }


def test_freshest_list_wins(org: Org) -> None:
    org.set_bit("suspension", SUSPENSION_INDEX)
    suspended = org.status_list("suspension", valid_from=NOW - timedelta(days=2))
    reinstated = org.status_list(
        "suspension", bits=new_bitstring(), valid_from=NOW - timedelta(hours=1)
    )
    result = _verify(org, [org.status_list("revocation"), suspended, reinstated])
    assert result.verified, result.failures


@pytest.mark.parametrize("revoked_first", [True, False])
def test_revocation_is_final_whatever_the_order_or_age_of_lists(
    org: Org, revoked_first: bool
) -> None:
    """Regression (found by `innopass demo`): a bundle's older, clear list and an imported
    revoked list signed in the same second; the passport must read as revoked."""
    clear = org.status_list("revocation", bits=new_bitstring(), valid_from=NOW - timedelta(hours=1))
    org.set_bit("revocation", REVOCATION_INDEX)
    revoked_same_second = org.status_list("revocation", valid_from=NOW - timedelta(hours=1))
    revoked_older = org.status_list("revocation", valid_from=NOW - timedelta(hours=2))
    newer_clear = org.status_list(
        "revocation", bits=new_bitstring(), valid_from=NOW - timedelta(minutes=5)
    )
    for revoked in (revoked_same_second, revoked_older):
        lists = [revoked, clear, newer_clear] if revoked_first else [clear, newer_clear, revoked]
        result = _verify(org, [*lists, org.status_list("suspension")])
        assert result.codes == {FailureCode.REVOKED}


def test_suspension_tie_reads_as_suspended(org: Org) -> None:
    start = NOW - timedelta(hours=1)
    clear = org.status_list("suspension", bits=new_bitstring(), valid_from=start)
    org.set_bit("suspension", SUSPENSION_INDEX)
    suspended = org.status_list("suspension", valid_from=start)
    for lists in ([clear, suspended], [suspended, clear]):
        result = _verify(org, [org.status_list("revocation"), *lists])
        assert result.codes == {FailureCode.SUSPENDED}


def test_list_from_another_issuer_is_invalid(org: Org) -> None:
    other = Org.did_key()
    forged = build_status_list_credential(
        list_id=org.list_id("revocation"),
        issuer_did=other.did,
        purpose="revocation",
        bits=new_bitstring(),
        valid_from=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=7),
    )
    result = _verify(org, [other.sign(forged), org.status_list("suspension")])
    assert FailureCode.STATUS_LIST_INVALID in result.codes
    assert result.verdict is Verdict.REJECTED


def test_tampered_list_is_invalid(org: Org) -> None:
    org.set_bit("revocation", REVOCATION_INDEX)
    revoked = org.status_list("revocation")
    revoked["credentialSubject"]["encodedList"] = org.status_list("suspension")[
        "credentialSubject"
    ]["encodedList"]
    result = _verify(org, [revoked, org.status_list("suspension")])
    assert FailureCode.STATUS_LIST_INVALID in result.codes


def test_purpose_mismatch_is_invalid(org: Org) -> None:
    wrong = build_status_list_credential(
        list_id=org.list_id("suspension"),
        issuer_did=org.did,
        purpose="revocation",
        bits=new_bitstring(),
        valid_from=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=7),
    )
    result = _verify(org, [org.status_list("revocation"), org.sign(wrong)])
    assert FailureCode.STATUS_LIST_INVALID in result.codes


def _signed_with_encoded(org: Org, encoded: str) -> dict[str, object]:
    unsigned = build_status_list_credential(
        list_id=org.list_id("revocation"),
        issuer_did=org.did,
        purpose="revocation",
        bits=new_bitstring(),
        valid_from=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=7),
    )
    unsigned["credentialSubject"]["encodedList"] = encoded  # type: ignore[index,call-overload]
    return org.sign(unsigned)


def test_list_inflating_past_its_declared_size_is_invalid(org: Org) -> None:
    data = bytearray(gzip.compress(bytes(4 * 16384), mtime=0))
    data[-4:] = struct.pack("<I", 16384)  # the trailer claims 16 KiB; it inflates to 64 KiB
    encoded = "u" + base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode()
    result = _verify(org, [_signed_with_encoded(org, encoded), org.status_list("suspension")])
    assert FailureCode.STATUS_LIST_INVALID in result.codes
    assert result.verdict is Verdict.REJECTED


def test_list_bomb_is_refused_by_the_bound(org: Org) -> None:
    bomb = gzip.compress(bytes(64 * 1024 * 1024), mtime=0)
    encoded = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode()
    result = _verify(org, [_signed_with_encoded(org, encoded), org.status_list("suspension")])
    assert FailureCode.STATUS_LIST_INVALID in result.codes


def test_list_shorter_than_the_minimum_is_invalid(org: Org) -> None:
    short = org.status_list("revocation", bits=new_bitstring(100_000))
    result = _verify(org, [short, org.status_list("suspension")])
    assert FailureCode.STATUS_LIST_INVALID in result.codes


def test_passport_without_credential_status_is_malformed(org: Org) -> None:
    credential = passport(org, status=False)
    result = make_verifier(issuers=[org.did]).verify(credential)
    assert result.codes == {FailureCode.MALFORMED}
    assert result.check(CheckName.STATUS).status is CheckStatus.FAIL
    assert not result.verified


def test_imported_list_is_used_and_kept_with_fetch_time(org: Org, tmp_path: Path) -> None:
    store = TrustStore().with_issuer(org.did)
    for credential in org.status_lists():
        store = store.with_status_list(credential, now=NOW)
    verifier = make_verifier(store=store)
    assert verifier.verify(passport(org)).verified
    assert {entry.fetched_at for entry in store.status_lists.values()} == {NOW}
    # the same through the verifier home: the fetch time is kept on disk
    home = VerifierHome(tmp_path)
    home.pin_issuer(org.did)
    held = [home.import_status_list(c, now=NOW) for c in org.status_lists()]
    assert {entry.fetched_at for entry in held} == {NOW}
    loaded = VerifierHome(tmp_path).load()
    assert {entry.fetched_at for entry in loaded.status_lists.values()} == {NOW}
    assert make_verifier(store=loaded).verify(passport(org)).verified


def test_import_refuses_untrusted_or_older_lists(org: Org) -> None:
    with pytest.raises(TrustImportError) as untrusted:
        TrustStore().with_status_list(org.status_list("revocation"), now=NOW)
    assert untrusted.value.failure is FailureCode.ISSUER_UNTRUSTED
    assert untrusted.value.path == "/issuer"
    store = TrustStore().with_issuer(org.did)
    store = store.with_status_list(org.status_list("revocation"), now=NOW)
    older = org.status_list("revocation", valid_from=NOW - timedelta(days=2))
    with pytest.raises(TrustImportError) as rollback:
        store.with_status_list(older, now=NOW)
    assert rollback.value.failure is FailureCode.STATUS_STALE
    assert rollback.value.path == "/validFrom"


def test_home_import_refuses_untrusted_or_older_lists(org: Org, tmp_path: Path) -> None:
    home = VerifierHome(tmp_path)
    with pytest.raises(TrustImportError) as untrusted:
        home.import_status_list(org.status_list("revocation"), now=NOW)
    assert untrusted.value.failure is FailureCode.ISSUER_UNTRUSTED
    assert not (tmp_path / "verifier" / "status").exists()
    home.pin_issuer(org.did)
    home.import_status_list(org.status_list("revocation"), now=NOW)
    status = tmp_path / "verifier" / "status"
    before = {p.name: p.read_bytes() for p in status.iterdir()}
    older = org.status_list("revocation", valid_from=NOW - timedelta(days=2))
    with pytest.raises(TrustImportError) as rollback:
        home.import_status_list(older, now=NOW)
    assert rollback.value.failure is FailureCode.STATUS_STALE
    assert {p.name: p.read_bytes() for p in status.iterdir()} == before


# --- online (an in-memory web, only when a fetcher is given) -------------------------


def test_online_fetches_verifies_and_caches(tmp_path: Path) -> None:
    org = Org.did_web(windows=[(None, None)])
    pages = {
        org.list_id(p): json.dumps(org.status_list(p)).encode()
        for p in ("revocation", "suspension")
    }
    fetcher = MapFetcher(pages)
    store = TrustStore().with_issuer(org.organisation())
    offline = make_verifier(store=store).verify(passport(org))
    assert _failures(offline) == {
        (FailureCode.STATUS_UNAVAILABLE, _REVOCATION_LIST, CheckName.STATUS),
        (FailureCode.STATUS_UNAVAILABLE, _SUSPENSION_LIST, CheckName.STATUS),
    }
    assert fetcher.calls == []
    online = make_verifier(store=store, fetcher=fetcher)
    result = online.verify(passport(org))
    assert result.verified, result.failures
    assert sorted(fetcher.calls) == sorted(pages)
    fetched = online.verifier.fetched
    assert fetched is not None
    assert {entry.id for entry in fetched.status_lists()} == set(pages)
    assert {entry.fetched_at for entry in fetched.status_lists()} == {NOW}
    assert dict(store.status_lists) == {}  # the store is a value: the fetches are kept apart
    # a batch fetches each list once
    assert online.verify(passport(org)).verified
    assert sorted(fetcher.calls) == sorted(pages)
    # kept in the home (as the command line does), they verify offline
    home = VerifierHome(tmp_path)
    home.pin_issuer(org.organisation())
    home.keep_fetched(fetched.status_lists(), fetched.did_documents())
    again = make_verifier(store=home.load()).verify(passport(org))
    assert again.verified, again.failures


def test_online_forged_list_is_invalid() -> None:
    org, other = Org.did_web(windows=[(None, None)]), Org.did_key()
    forged = other.sign(
        build_status_list_credential(
            list_id=org.list_id("revocation"),
            issuer_did=other.did,
            purpose="revocation",
            bits=new_bitstring(),
            valid_from=NOW - timedelta(hours=1),
            valid_until=NOW + timedelta(days=7),
        )
    )
    fetcher = MapFetcher({org.list_id("revocation"): json.dumps(forged).encode()})
    verifier = make_verifier(
        issuers=[org.organisation()], status_lists=[org.status_list("suspension")], fetcher=fetcher
    )
    result = verifier.verify(passport(org))
    assert _failures(result) == {
        (FailureCode.STATUS_LIST_INVALID, _REVOCATION_LIST, CheckName.STATUS)
    }
    assert fetcher.calls == [org.list_id("revocation")]
    fetched = verifier.verifier.fetched
    assert fetched is not None
    assert fetched.status_lists() == ()  # a list that did not verify is not kept


def test_online_lists_of_an_untrusted_issuer_are_not_fetched() -> None:
    org = Org.did_key()  # its proof verifies offline: only its trust is missing
    org.status_base = "https://rf4.nhs.example/status/"
    pages = {
        org.list_id(p): json.dumps(org.status_list(p)).encode()
        for p in ("revocation", "suspension")
    }
    fetcher = MapFetcher(pages)
    verifier = make_verifier(issuers=[Org.did_key(ods="R1H").did], fetcher=fetcher)
    result = verifier.verify(passport(org))
    assert result.check(CheckName.PROOF).status is CheckStatus.PASS
    assert FailureCode.ISSUER_UNTRUSTED in result.codes
    assert fetcher.calls == []
    assert verifier.verifier.fetched is not None
    assert verifier.verifier.fetched.status_lists() == ()
    # the same issuer trusted: its lists are fetched
    trusted = make_verifier(issuers=[org.did], fetcher=fetcher).verify(passport(org))
    assert trusted.verified, trusted.failures
    assert sorted(fetcher.calls) == sorted(pages)


def test_online_did_web_document_is_fetched_and_cached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    allow_did_web(monkeypatch)
    org = Org.did_web(windows=[(None, None)])
    pages = {
        org.list_id(p): json.dumps(org.status_list(p)).encode()
        for p in ("revocation", "suspension")
    }
    pages[did_web_to_url(org.did)] = json.dumps(org.document.to_json()).encode()
    store = TrustStore().with_issuer(org.did, require_document=False)
    online = make_verifier(store=store, fetcher=MapFetcher(pages))
    result = online.verify(passport(org))
    assert result.verified, result.failures
    fetched = online.verifier.fetched
    assert fetched is not None
    documents = fetched.did_documents()
    assert [(type(d), d.did, d.fetched_at) for d in documents] == [(HeldDidDocument, org.did, NOW)]
    assert all(isinstance(entry, HeldStatusList) for entry in fetched.status_lists())
    # kept in the home, the document and lists verify offline
    home = VerifierHome(tmp_path)
    home.update(lambda held: held.with_issuer(org.did, require_document=False))
    home.keep_fetched(fetched.status_lists(), documents)
    loaded = home.load()
    assert set(loaded.did_documents) == {org.did}
    again = make_verifier(store=loaded).verify(passport(org))  # offline, from the home
    assert again.verified, again.failures
