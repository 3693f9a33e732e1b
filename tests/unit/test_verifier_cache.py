"""The verifier remembers checked status and trust lists across verify() calls, safely.

A batch of passports sharing a list checks the list's signature once. The memory
is keyed by the list's id and the SHA-256 of its canonical bytes, is bounded, and
never skips a time rule, the trust in force or the key's window.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from innopass._internal import jsonio
from innopass._internal.cache import VerifiedCache, content_key
from innopass._internal.suites import SUITES, JcsCryptosuite
from innopass.errors import CheckFailed, ConfigurationError, TrustImportError
from innopass.status import MIN_ENTRIES, build_status_list_credential, new_bitstring
from innopass.trust import KeyWindow
from innopass.verifier import (
    CheckName,
    CheckStatus,
    FailureCode,
    TrustStore,
    Verdict,
    Verifier,
    _verifier,
)
from innopass.verifier._status_lists import status_list_cache, verify_status_list
from innopass.verifier._trust_lists import trust_list_cache, verify_trust_list
from verifier_factory import (
    NOW,
    REVOCATION_INDEX,
    Org,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    trust_list,
    unsigned_passport,
)


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts Data Integrity signature checks (passports, status and trust lists)."""
    calls: list[int] = []
    real = JcsCryptosuite.verify

    def counting(self: JcsCryptosuite, hash_data: bytes, signature: bytes, key: Any) -> None:
        calls.append(1)
        real(self, hash_data, signature, key)

    monkeypatch.setattr(JcsCryptosuite, "verify", counting)
    return calls


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_a_batch_checks_each_shared_list_once(signature_checks: list[int]) -> None:
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    org = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    tl = trust_list(anchor, [org.trusted_issuer()])
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[tl], status_lists=org.status_lists()
    )
    passports = [passport(org) for _ in range(5)]
    assert verifier.verify(passports[0]).verified
    assert len(signature_checks) == 4  # passport, trust list, two status lists
    for credential in passports[1:]:
        assert verifier.verify(credential).verified
    assert len(signature_checks) == 4 + 4  # one per further passport
    # the same lists given again as new objects (a bundle, a re-read file) are still known
    again = verifier.verifier.verify(
        passport(org), trust_lists=[copy.deepcopy(tl)], status_lists=org.status_lists()
    )
    assert again.verified, again.failures
    assert len(signature_checks) == 4 + 4 + 1
    # and so are lists held in the trust store
    held = TrustStore().with_anchor(anchor.did).with_trust_list(tl)
    for status_list in org.status_lists():
        held = held.with_status_list(status_list, now=NOW)
    checks = len(signature_checks)  # importing checked each list once more
    assert checks == 4 + 4 + 1 + 3
    from_store = Verifier(held, clock=Clock(NOW))
    for credential in passports[:3]:
        assert from_store.verify(credential).verified
    assert len(signature_checks) == checks + 2 + 3  # the lists once, then one per passport


def test_no_cache_checks_every_time(signature_checks: list[int]) -> None:
    org = Org.did_key()
    verifier = make_verifier(issuers=[org.did], status_lists=org.status_lists(), cache_size=0)
    assert verifier.verify(passport(org)).verified
    assert verifier.verify(passport(org)).verified
    assert len(signature_checks) == 6


def test_two_entries_on_one_list_check_it_once_per_verification(
    signature_checks: list[int],
) -> None:
    org = Org.did_key()
    start = NOW - timedelta(hours=1)
    unsigned: Any = build_status_list_credential(
        list_id=org.list_id("status"),
        issuer_did=org.did,
        purpose="revocation",
        bits=new_bitstring(MIN_ENTRIES),
        valid_from=start,
        valid_until=start + timedelta(days=7),
    )
    unsigned["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    both = org.sign(unsigned, created=start)
    credential: Any = unsigned_passport(org)
    for entry in credential["credentialStatus"]:
        entry["statusListCredential"] = both["id"]
    verifier = make_verifier(issuers=[org.did], status_lists=[both], cache_size=0)
    assert verifier.verify(org.sign(credential)).verified
    assert len(signature_checks) == 2  # the passport and the one list


def test_time_rules_apply_to_a_remembered_list() -> None:
    org = Org.did_key()
    clock = Clock(NOW)
    store = TrustStore().with_issuer(org.did)
    lists = org.status_lists()  # valid for 7 days from an hour before NOW
    verifier = Verifier(store, clock=clock)
    credential: Any = passport(org)
    assert verifier.verify(credential, status_lists=lists).verified
    clock.at = NOW + timedelta(days=8)
    result = verifier.verify(credential, status_lists=lists)
    assert result.codes == {FailureCode.STATUS_STALE}
    assert {f.path for f in result.failures} == {"/credentialStatus/0", "/credentialStatus/1"}
    assert result.verdict is Verdict.INDETERMINATE
    clock.at = NOW - timedelta(hours=2)  # before the lists' validFrom
    early = verifier.verify(credential, status_lists=lists)
    assert (FailureCode.STATUS_UNAVAILABLE, "/credentialStatus/0/statusListCredential") in {
        (f.code, f.path) for f in early.failures
    }


def test_time_rules_apply_to_a_remembered_held_list() -> None:
    """The same for lists held in the store: their fetch time does not make them fresh."""
    org = Org.did_key()
    clock = Clock(NOW)
    store = TrustStore().with_issuer(org.did)
    for status_list in org.status_lists():
        store = store.with_status_list(status_list, now=NOW)
    verifier = Verifier(store, clock=clock)
    credential: Any = passport(org)
    assert verifier.verify(credential).verified
    clock.at = NOW + timedelta(days=8)
    assert verifier.verify(credential).codes == {FailureCode.STATUS_STALE}


def _checked_status(result: Any) -> set[tuple[FailureCode, str]]:
    return {(f.code, f.path) for f in result.failures if f.check is CheckName.STATUS}


def test_key_window_applies_to_a_remembered_list(signature_checks: list[int]) -> None:
    """A list remembered from one run is held to the key window of the trust in force in the
    next (here the run's trust list marks the key that signed the status lists compromised)."""
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    org = Org.did_web(
        windows=[(NOW - timedelta(days=365), None), (NOW - timedelta(days=365), None)]
    )
    lists = [org.status_list(p, key=1) for p in ("revocation", "suspension")]
    verifier = Verifier(TrustStore().with_anchor(anchor.did), clock=Clock(NOW))
    credential: Any = passport(org, key=0)
    good = trust_list(anchor, [org.trusted_issuer()], version=1)
    assert verifier.verify(credential, trust_lists=[good], status_lists=lists).verified
    assert len(signature_checks) == 4
    compromised = org.trusted_issuer(
        keys=(org.keys[0].window(), replace(org.keys[1].window(), compromised=True))
    )
    bad = trust_list(anchor, [compromised], version=2)
    result = verifier.verify(credential, trust_lists=[bad], status_lists=lists)
    assert len(signature_checks) == 4 + 2  # the passport and the new trust list: lists known
    assert _checked_status(result) == {
        (FailureCode.STATUS_LIST_INVALID, "/credentialStatus/0/statusListCredential"),
        (FailureCode.STATUS_LIST_INVALID, "/credentialStatus/1/statusListCredential"),
    }
    assert result.verdict is Verdict.REJECTED


def test_key_window_applies_to_a_remembered_list_by_function() -> None:
    """:func:`verify_status_list` with one cache and two trusts: the window is checked anew."""
    org = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    credential = org.status_list("revocation")
    cache = status_list_cache()
    store = TrustStore().with_issuer(org.organisation())
    view = store.view()

    def check(trust: Any) -> Any:
        return verify_status_list(
            credential,
            issuer=org.did,
            resolver=view.resolver,
            trust=trust,
            suites=SUITES,
            cache=cache,
        )

    assert check(view.issuer_trust(org.did)).id == org.list_id("revocation")
    assert len(cache) == 1
    compromised = replace(
        org.organisation(), keys=(replace(org.keys[0].window(), compromised=True),)
    )
    later = TrustStore().with_issuer(compromised).view()
    with pytest.raises(CheckFailed) as caught:
        check(later.issuer_trust(org.did))
    assert caught.value.failure is FailureCode.STATUS_LIST_INVALID
    assert caught.value.path == "/proof"


def test_a_remembered_list_is_checked_again_under_another_key() -> None:
    """If the trust in force now gives the method another key, the signature is checked anew."""
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    org = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    lists = org.status_lists()
    verifier = Verifier(TrustStore().with_anchor(anchor.did), clock=Clock(NOW))
    first = trust_list(anchor, [org.trusted_issuer()], version=1)
    assert verifier.verify(passport(org), trust_lists=[first], status_lists=lists).verified
    # the same DID and method id, but another key (a newer trust list names it)
    other = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    assert (other.did, other.keys[0].vm_id) == (org.did, org.keys[0].vm_id)
    second = trust_list(anchor, [other.trusted_issuer()], version=2)
    result = verifier.verify(passport(other), trust_lists=[second], status_lists=lists)
    assert _checked_status(result) == {
        (FailureCode.STATUS_LIST_INVALID, "/credentialStatus/0/statusListCredential"),
        (FailureCode.STATUS_LIST_INVALID, "/credentialStatus/1/statusListCredential"),
    }
    assert result.check(CheckName.PROOF).status is CheckStatus.PASS
    assert not result.verified


def test_a_list_changed_in_place_is_checked_again() -> None:
    org = Org.did_key()
    lists = org.status_lists()
    verifier = make_verifier(issuers=[org.did], status_lists=lists)
    credential: Any = passport(org)
    assert verifier.verify(credential).verified
    org.set_bit("revocation", REVOCATION_INDEX)
    forged_bits: Any = org.status_list("revocation")["credentialSubject"]
    lists[0]["credentialSubject"] = forged_bits  # the signature no longer covers this
    result = verifier.verify(credential)
    assert _checked_status(result) == {
        (FailureCode.STATUS_LIST_INVALID, "/credentialStatus/0/statusListCredential")
    }
    assert not result.verified


def test_lists_offered_with_every_call_are_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    org = Org.did_key()
    lists = org.status_lists()
    verifier = make_verifier(issuers=[org.did])
    parsed: list[int] = []
    real = jsonio.loads_strict

    def counting(text: Any, **options: Any) -> Any:
        parsed.append(1)
        return real(text, **options)

    monkeypatch.setattr(_verifier, "loads_strict", counting)
    for _ in range(3):
        assert verifier.verifier.verify(passport(org), status_lists=lists).verified
    assert len(parsed) == 2  # each list's text once
    for _ in range(3):  # new objects with the same text: the copies held
        assert verifier.verifier.verify(passport(org), status_lists=copy.deepcopy(lists)).verified
    assert len(parsed) == 2
    lists[0]["note"] = "changed"  # new text: copied again (and no longer signed)
    assert not verifier.verifier.verify(passport(org), status_lists=lists).verified
    assert len(parsed) == 3


def test_a_held_copy_is_not_given_for_a_list_with_nan() -> None:
    org = Org.did_key()
    lists = org.status_lists()
    lists[0]["note"] = None
    verifier = make_verifier(issuers=[org.did])
    verifier.verifier.verify(passport(org), status_lists=lists)  # orjson writes NaN as null
    lists[0]["note"] = float("nan")
    with pytest.raises(ConfigurationError, match="not a JSON object"):
        verifier.verifier.verify(passport(org), status_lists=lists)


def test_a_list_verified_under_the_fixed_view_is_not_checked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from innopass.verifier import _checks

    org = Org.did_key()
    calls: list[str] = []
    real = verify_status_list

    def counting(credential: Any, **options: Any) -> Any:
        calls.append(str(credential["id"]))
        return real(credential, **options)

    monkeypatch.setattr(_checks, "verify_status_list", counting)
    clock = Clock(NOW)
    lists = org.status_lists()  # valid for 7 days from an hour before NOW
    verifier = Verifier(TrustStore().with_issuer(org.did), clock=clock)
    credential: Any = passport(org)
    for _ in range(3):
        assert verifier.verify(passport(org), status_lists=lists).verified
    assert len(calls) == 2  # each list once
    clock.at = NOW + timedelta(days=8)  # the time rules still apply at every use
    late = verifier.verify(credential, status_lists=lists)
    assert late.codes == {FailureCode.STATUS_STALE}
    assert len(calls) == 2
    other = Verifier(TrustStore().with_issuer(org.did), clock=Clock(NOW))
    assert other.verify(credential, status_lists=lists).verified  # each verifier checks
    assert len(calls) == 4


def test_held_copies_of_offered_lists_are_bounded() -> None:
    org = Org.did_key()
    verifier = make_verifier(issuers=[org.did])
    held = len(verifier.verifier._content_keys)
    for i in range(3 * _verifier._OFFERED_COPIES):
        offered = org.status_lists()
        offered[0]["note"] = str(i)
        verifier.verifier.verify(passport(org), status_lists=offered)
    assert len(verifier.verifier._content_keys) == held + _verifier._OFFERED_COPIES


def test_trust_list_rules_apply_to_a_remembered_trust_list() -> None:
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    org = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    tl = trust_list(anchor, [org.trusted_issuer()])  # valid for 30 days from NOW - 1 day
    clock = Clock(NOW)
    store = TrustStore().with_anchor(anchor.did)
    verifier = Verifier(store, clock=clock)
    credential: Any = passport(org)
    lists = org.status_lists()
    assert verifier.verify(credential, trust_lists=[tl], status_lists=lists).verified
    clock.at = NOW + timedelta(days=31)
    expired = verifier.verify(credential, trust_lists=[tl], status_lists=lists)
    assert (FailureCode.TRUST_LIST_EXPIRED, "/issuer") in {
        (f.code, f.path) for f in expired.failures
    }
    clock.at = NOW - timedelta(days=2)  # before the list's validFrom
    early = verifier.verify(credential, trust_lists=[tl], status_lists=lists)
    assert (FailureCode.TRUST_LIST_INVALID, "/validFrom") in {
        (f.code, f.path) for f in early.failures
    }
    assert not early.verified


def test_anchor_key_window_applies_to_a_remembered_trust_list() -> None:
    """With one cache, the anchor pinned anew with a key window that starts after the list
    was signed: the remembered list is refused (the window is checked on every use)."""
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    org = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    tl = trust_list(anchor, [org.trusted_issuer()])
    cache = trust_list_cache()
    pinned = TrustStore().with_anchor(anchor.organisation())
    assert verify_trust_list(tl, anchors=pinned.anchors, cache=cache).version == 1
    assert len(cache) == 1
    late = KeyWindow(anchor.keys[0].vm_id, valid_from=NOW)
    repinned = TrustStore().with_anchor(replace(anchor.organisation(), keys=(late,)))
    with pytest.raises(TrustImportError) as caught:
        verify_trust_list(tl, anchors=repinned.anchors, cache=cache)
    assert caught.value.failure is FailureCode.TRUST_LIST_INVALID
    assert caught.value.path == "/proof"


# --- the cache itself -------------------------------------------------------------------


def test_cache_is_bounded_in_entries_and_weight() -> None:
    cache: VerifiedCache[bytes] = VerifiedCache(max_entries=3, max_weight=10, weigh=len)
    for i in range(5):
        cache.put((f"id{i}", b"x"), b"12")
    assert len(cache) == 3
    assert cache.get(("id0", b"x")) is None
    assert cache.get(("id4", b"x")) == b"12"
    cache.put(("big", b"x"), b"0123456789")  # fills the weight alone
    assert len(cache) == 1
    cache.put(("huge", b"x"), b"01234567890")  # heavier than the bound: never held
    assert cache.get(("huge", b"x")) is None
    assert cache.get(None) is None
    empty: VerifiedCache[bytes] = VerifiedCache(max_entries=0)
    empty.put(("a", b"x"), b"1")
    assert len(empty) == 0


def test_least_recently_used_is_evicted_first() -> None:
    cache: VerifiedCache[int] = VerifiedCache(max_entries=2)
    cache.put(("a", b""), 1)
    cache.put(("b", b""), 2)
    assert cache.get(("a", b"")) == 1
    cache.put(("c", b""), 3)
    assert cache.get(("b", b"")) is None
    assert cache.get(("a", b"")) == 1


def test_content_key_is_exact() -> None:
    org = Org.did_key()
    first = org.status_list("revocation")
    key = content_key(first)
    assert key is not None
    assert key[0] == first["id"]
    assert content_key(org.status_list("revocation")) == key  # deterministic signature
    assert content_key(dict(reversed(list(first.items())))) == key  # key order is not content
    later = org.status_list("revocation", created=NOW - timedelta(minutes=30))
    assert content_key(later) != key  # same id, another proof
    assert content_key({"type": "x"}) is None
    assert content_key({"id": "x", "v": float("nan")}) is None


def test_negative_cache_size_is_a_configuration_error() -> None:
    from innopass.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        Verifier(TrustStore(), trust_no_one=True, cache_size=-1)
    assert Verifier(TrustStore(), trust_no_one=True, cache_size=0).trust.is_empty()


@pytest.mark.parametrize("entries", [MIN_ENTRIES, 1_000_000])
def test_a_large_list_is_decoded_once_and_read_by_index(
    monkeypatch: pytest.MonkeyPatch, entries: int
) -> None:
    """A list of a million entries is expanded once for a whole batch; each passport's
    bit is then read directly (the list is never scanned or expanded again)."""
    import innopass.status as status_module
    from innopass._internal.bitstring import with_bit

    decoded: list[int] = []
    real = status_module.decode_bitstring

    def counting(encoded: object, *, max_bytes: int) -> bytes:
        bits = real(encoded, max_bytes=max_bytes)
        decoded.append(len(bits))
        return bits

    monkeypatch.setattr(status_module, "decode_bitstring", counting)
    org = Org.did_key()
    bits = new_bitstring(entries)
    for index in (0, entries // 2, entries - 1):  # set around the passports' index
        bits = with_bit(bits, index, True)
    lists = [org.status_list("revocation", bits=bits), org.status_list("suspension", bits=bits)]
    verifier = make_verifier(issuers=[org.did], status_lists=lists)
    for _ in range(20):
        assert verifier.verify(passport(org)).verified
    assert sorted(decoded) == [(entries + 7) // 8] * 2  # each list once, for 20 passports
    org.set_bit("revocation", REVOCATION_INDEX)
    revoked = make_verifier(
        issuers=[org.did], status_lists=[org.status_list("revocation"), lists[1]]
    ).verify(passport(org))
    assert FailureCode.REVOKED in revoked.codes
