"""Honest results (issue 11): what was not verified is never reported as fact.

- content is vouched for only when the verdict is ``verified`` (``content_verified``);
- the assessing organisation is ``claimed`` unless a trust source gives the issuer
  the record's ODS code (finding 1);
- a key newer than the trust list held is ``trust-list-outdated``, indeterminate,
  not a forgery (finding 4);
- a passport saved with a byte order mark verifies (finding 12, FORMATS.md §1);
- the status lists a verdict relied on, and how fresh they were, are in the result;
  an ``--online`` fetch that failed says why; every time in a message is one format
  (finding 14).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from innopass._internal.timestamps import format_datetime
from innopass.errors import NetworkError
from innopass.verifier import FailureCode, TrustStore, Verdict
from verifier_factory import (
    NOW,
    Org,
    _web_document,
    bundle,
    jwt_passport,
    make_verifier,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    trust_list,
)


def _tampered(org: Org) -> Any:
    forged: Any = passport(org)
    record = forged["credentialSubject"]["assessmentRecord"]
    record["outcome"]["decision"] = "approved"
    record["outcome"]["conditions"] = []
    return forged


# --- finding 1: content and the assessing organisation -----------------------------------


def test_content_is_vouched_for_only_when_verified() -> None:
    org = Org.did_key()
    verifier = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    good = verifier.verify(passport(org))
    forged = verifier.verify(_tampered(org))
    assert good.verdict is Verdict.VERIFIED
    assert good.content_verified
    assert good.to_json()["content_verified"] is True
    assert forged.verdict is Verdict.REJECTED
    assert not forged.content_verified
    assert forged.to_json()["content_verified"] is False
    unchecked = make_verifier(issuers=[org.organisation()]).verify(passport(org))
    assert unchecked.verdict is Verdict.INDETERMINATE
    assert unchecked.to_json()["content_verified"] is False


def test_a_did_key_calling_itself_rf4_is_only_claiming_to_be_rf4() -> None:
    org = Org.did_key()  # the record and the credential say RF4; nothing vouches for it
    pinned_by_did = make_verifier(issuers=[org.did], status_lists=org.status_lists())
    result = pinned_by_did.verify(passport(org))
    assert result.verdict is Verdict.VERIFIED  # a genuine signature by the pinned key
    assert result.passport is not None
    assert result.passport.assessing_organisation.ods_code == "RF4"
    assert result.passport.assessing_organisation.claimed
    assert result.issuer.claimed
    line = json.loads(json.dumps(result.to_json()))
    assert line["passport"]["assessing_organisation"]["claimed"] is True

    described = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    vouched = described.verify(passport(org))
    assert vouched.verdict is Verdict.VERIFIED
    assert vouched.passport is not None
    assert not vouched.passport.assessing_organisation.claimed
    assert not vouched.issuer.claimed


# --- finding 4: a key newer than the trust list held ---------------------------------------


def _rotated() -> tuple[Org, Org, Org]:
    """An anchor, RF4 as its trust list v1 knows it (key 1), and RF4 after rotating (keys 1, 2)."""
    anchor = Org.did_key(ods="X24", name="NHS ENGLAND")
    rotated = Org.did_web(
        windows=[(NOW - timedelta(days=400), None), (NOW - timedelta(days=5), None)]
    )
    before = Org(
        rotated.ods,
        rotated.name,
        rotated.did,
        rotated.keys[:1],
        _web_document(rotated.did, rotated.keys[:1], [rotated.keys[0].vm_id]),
        rotated.status_base,
    )
    return anchor, before, rotated


def test_a_key_newer_than_the_trust_list_is_indeterminate_not_a_forgery() -> None:
    anchor, before, rotated = _rotated()
    v1 = trust_list(
        anchor, [before.trusted_issuer()], version=1, valid_from=NOW - timedelta(days=6)
    )
    verifier = make_verifier(
        anchors=[anchor.did], trust_lists=[v1], status_lists=rotated.status_lists()
    )
    assert verifier.verify(passport(rotated, key=0)).verdict is Verdict.VERIFIED
    for new in (passport(rotated, key=1), jwt_passport(rotated, key=1)):
        result = verifier.verify(new)
        assert result.verdict is Verdict.INDETERMINATE, result.failures
        assert result.codes == {FailureCode.TRUST_LIST_OUTDATED}
        assert FailureCode.TRUST_LIST_OUTDATED.family.value == "unverifiable"
        assert "v1" in result.check("proof").message

    # A key the list does not name, used before the list was signed: not a rotation.
    older = passport(rotated, key=1, created=NOW - timedelta(days=7))
    assert verifier.verify(older).codes >= {FailureCode.KEY_NOT_FOUND}
    assert verifier.verify(older).verdict is Verdict.REJECTED

    # The newer list names the key: verified.
    v2 = trust_list(
        anchor, [rotated.trusted_issuer()], version=2, valid_from=NOW - timedelta(days=2)
    )
    newer = make_verifier(
        anchors=[anchor.did], trust_lists=[v2], status_lists=rotated.status_lists()
    )
    assert newer.verify(passport(rotated, key=1)).verdict is Verdict.VERIFIED


def test_a_pinned_issuer_without_the_key_is_still_key_not_found() -> None:
    _, before, rotated = _rotated()
    verifier = make_verifier(issuers=[before.organisation()], status_lists=rotated.status_lists())
    result = verifier.verify(passport(rotated, key=1))
    assert FailureCode.KEY_NOT_FOUND in result.codes
    assert result.verdict is Verdict.REJECTED


# --- finding 12: a byte order mark ---------------------------------------------------------


def test_a_passport_saved_with_a_byte_order_mark_verifies() -> None:
    org = Org.did_key()
    verifier = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    text = json.dumps(passport(org))
    for saved in ("\ufeff" + text, ("\ufeff" + text).encode("utf-8"), "\ufeff" + jwt_passport(org)):
        assert verifier.verify(saved).verdict is Verdict.VERIFIED
    bundled = "\ufeff" + json.dumps(bundle(passport(org), org))
    assert verifier.verify(bundled.encode()).verdict is Verdict.VERIFIED
    # Only one mark, only at the start: anything else is still malformed.
    for broken in ("\ufeff\ufeff" + text, text[:1] + "\ufeff" + text[1:]):
        result = verifier.verify(broken)
        assert result.codes == {FailureCode.MALFORMED}


# --- finding 14: freshness ------------------------------------------------------------------


def test_the_status_lists_relied_on_are_in_the_result() -> None:
    org = Org.did_key()
    lists = org.status_lists()
    given = make_verifier(issuers=[org.organisation()], status_lists=lists).verify(passport(org))
    assert given.verdict is Verdict.VERIFIED
    assert given.checked_at == NOW
    assert [(s.purpose, s.source) for s in given.status_sources] == [
        ("revocation", "given"),
        ("suspension", "given"),
    ]
    assert given.status_sources[0].list_id == org.list_id("revocation")
    assert format_datetime(given.status_sources[0].valid_from) == lists[0]["validFrom"]  # type: ignore[arg-type]
    line = given.to_json()
    assert line["checked_at"] == format_datetime(NOW)
    assert line["status_sources"][0]["valid_from"] == lists[0]["validFrom"]  # type: ignore[index,call-overload]

    from_bundle = make_verifier(issuers=[org.organisation()]).verify(bundle(passport(org), org))
    assert {s.source for s in from_bundle.status_sources} == {"bundle"}

    fetched_at = NOW - timedelta(minutes=20)
    store = TrustStore().with_issuer(org.organisation())
    for credential in lists:
        store = store.with_status_list(credential, now=fetched_at)
    held = make_verifier(store=store).verify(passport(org))
    assert held.verdict is Verdict.VERIFIED
    assert {(s.source, s.fetched_at) for s in held.status_sources} == {("held", fetched_at)}

    unchecked = make_verifier(issuers=[org.organisation()]).verify(passport(org))
    assert unchecked.status_sources == ()


class _Down:
    def fetch(self, url: str, *, max_bytes: int, accept: str = "application/json") -> bytes:
        raise NetworkError(url, f"cannot connect to {url}: connection refused")


def test_an_online_fetch_that_failed_says_why() -> None:
    org = Org.did_web()
    offline = make_verifier(issuers=[org.organisation()]).verify(passport(org))
    online = make_verifier(issuers=[org.organisation()], fetcher=_Down()).verify(passport(org))
    assert offline.codes == online.codes == {FailureCode.STATUS_UNAVAILABLE}
    assert "connection refused" in online.check("status").message
    assert "connection refused" not in offline.check("status").message


@pytest.mark.parametrize("kind", ["expired", "future-proof", "stale-list"])
def test_every_time_in_a_message_has_one_format(kind: str) -> None:
    org = Org.did_key()
    if kind == "expired":
        credential = passport(org, valid_until=NOW - timedelta(days=1))
        lists = org.status_lists()
    elif kind == "future-proof":
        credential = passport(org, created=NOW + timedelta(hours=2))
        lists = org.status_lists()
    else:
        credential = passport(org)
        start = NOW - timedelta(days=9)
        lists = [
            org.status_list(p, valid_from=start, valid_until=start + timedelta(days=7))
            for p in ("revocation", "suspension")
        ]
    result = make_verifier(issuers=[org.organisation()], status_lists=lists).verify(credential)
    messages = " ".join(f.message for f in result.failures)
    stamps = re.findall(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?", messages)
    assert stamps, messages
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", s) for s in stamps), stamps
