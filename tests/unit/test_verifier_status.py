"""The status check with real, signed status-list credentials."""

from __future__ import annotations

import base64
import gzip
import json
import struct
from datetime import timedelta

import pytest

from innopass.did import did_web_to_url
from innopass.status import build_status_list_credential, new_bitstring
from innopass.verifier import (
    CachedDidDocument,
    CheckName,
    CheckStatus,
    FailureCode,
    TrustImportError,
    TrustStore,
    Verdict,
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


def _verify(org: Org, lists: list[dict[str, object]], **options: object):  # type: ignore[no-untyped-def]
    return make_verifier(issuers=[org.did], status_lists=lists, **options).verify(passport(org))  # type: ignore[arg-type]


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
    result = _verify(org, lists, status_max_age=timedelta(days=1))
    assert result.codes == {FailureCode.STATUS_STALE}


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
    revoked["credentialSubject"]["encodedList"] = org.status_list(  # type: ignore[index]
        "suspension"
    )["credentialSubject"]["encodedList"]  # type: ignore[index]
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
    unsigned["credentialSubject"]["encodedList"] = encoded  # type: ignore[index]
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


def test_imported_list_is_used_and_kept_with_fetch_time(org: Org, tmp_path: object) -> None:
    store = TrustStore()
    store.pin_issuer(org.did)
    for credential in org.status_lists():
        store.import_status_list(credential, now=NOW)
    verifier = make_verifier(store=store)
    assert verifier.verify(passport(org)).verified
    assert {entry.fetched_at for entry in store.status_lists.values()} == {NOW}


def test_import_refuses_untrusted_or_older_lists(org: Org) -> None:
    store = TrustStore()
    with pytest.raises(TrustImportError) as untrusted:
        store.import_status_list(org.status_list("revocation"), now=NOW)
    assert untrusted.value.code is FailureCode.ISSUER_UNTRUSTED
    store.pin_issuer(org.did)
    store.import_status_list(org.status_list("revocation"), now=NOW)
    older = org.status_list("revocation", valid_from=NOW - timedelta(days=2))
    with pytest.raises(TrustImportError) as rollback:
        store.import_status_list(older, now=NOW)
    assert rollback.value.code is FailureCode.STATUS_STALE


# --- online (an in-memory web, only when a fetcher is given) -------------------------


def test_online_fetches_verifies_and_caches() -> None:
    org = Org.did_web(windows=[(None, None)])
    pages = {
        org.list_id(p): json.dumps(org.status_list(p)).encode()
        for p in ("revocation", "suspension")
    }
    fetcher = MapFetcher(pages)
    store = TrustStore()
    store.pin_issuer(org.organisation())
    offline = make_verifier(store=store.copy()).verify(passport(org))
    assert offline.codes == {FailureCode.STATUS_UNAVAILABLE}
    assert fetcher.calls == []
    online = make_verifier(store=store, fetcher=fetcher).verify(passport(org))
    assert online.verified, online.failures
    assert sorted(fetcher.calls) == sorted(pages)
    assert {entry.id for entry in store.fetched} == set(pages)  # type: ignore[union-attr]


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
    assert FailureCode.STATUS_LIST_INVALID in verifier.verify(passport(org)).codes


def test_online_did_web_document_is_fetched_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    allow_did_web(monkeypatch)
    org = Org.did_web(windows=[(None, None)])
    pages = {
        org.list_id(p): json.dumps(org.status_list(p)).encode()
        for p in ("revocation", "suspension")
    }
    pages[did_web_to_url(org.did)] = json.dumps(org.document.to_json()).encode()
    store = TrustStore()
    store.pin_issuer(org.did, require_document=False)
    result = make_verifier(store=store, fetcher=MapFetcher(pages)).verify(passport(org))
    assert result.verified, result.failures
    assert any(isinstance(item, CachedDidDocument) for item in store.fetched)
    again = make_verifier(store=store.copy()).verify(passport(org))  # offline, from the cache
    assert again.verified, again.failures
