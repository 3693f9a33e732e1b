"""Why a passport's status changed: the ``message`` status list, reissue and supersession.

BSL 1.0 §2.1: a ``message`` entry has ``statusSize`` 3 and a ``statusMessage`` for each of
its eight values; the issuer sets the value through the ledger's one status-change path,
which audits every position that changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jsonio import JSONObject
from innopass.errors import ConfigurationError, RecordInvalidError, StatusChangeError
from innopass.issuer import Issuer, OrganisationHome, PassportState, StatusAction
from innopass.record import example
from innopass.status import (
    MESSAGE_SIZE,
    StatusPurpose,
    StatusReason,
    decode_bitstring,
    status_entries,
    value_at,
)

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "status message test passphrase"
NOW = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[Issuer]:
    OrganisationHome.init(
        tmp_path / "home",
        ods_code="RF4",
        name="Barking",
        passphrase=PASS,
        did_web="rf4.nhs.example",
        clock=lambda: NOW,
    )
    with Issuer.from_home(tmp_path / "home", passphrase=PASS, clock=lambda: NOW) as opened:
        yield opened


def record(**changes: Any) -> JSONObject:
    value = example("device")
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    value.update(changes)
    return value


def published_message(issuer: Issuer, passport_id: str) -> int:
    """The message value the signed message list says for ``passport_id``."""
    entry = issuer.passport(passport_id)
    allocation = entry.allocation(StatusPurpose.MESSAGE)
    [signed] = issuer.signed_status_lists([(StatusPurpose.MESSAGE, allocation.list_number)])
    subject: Any = signed.credential["credentialSubject"]
    assert subject["statusPurpose"] == "message"
    return value_at(decode_bitstring(subject["encodedList"]), allocation.index, MESSAGE_SIZE)


def test_a_passport_carries_a_three_bit_message_entry(issuer: Issuer) -> None:
    passport = issuer.issue(record())
    [_, _, message] = status_entries(passport.credential)
    assert (message.purpose, message.bits) == ("message", 3)
    assert [(m.status, m.message) for m in message.messages or ()][:3] == [
        ("0x0", "none"),
        ("0x1", "superseded"),
        ("0x2", "field-safety-notice"),
    ]
    assert len(message.messages or ()) == 8
    assert issuer.passport(passport.id).message is StatusReason.NONE
    assert published_message(issuer, passport.id) == 0


def test_suspending_for_a_field_safety_notice_publishes_the_reason(issuer: Issuer) -> None:
    passport = issuer.issue(record())
    other = issuer.issue(record())
    entry = issuer.suspend(passport.id, reason="field-safety-notice")
    assert entry.state is PassportState.SUSPENDED
    assert entry.message is StatusReason.FIELD_SAFETY_NOTICE
    assert published_message(issuer, passport.id) == 2
    assert published_message(issuer, other.id) == 0  # only its own position
    changes = [e for e in issuer.ledger.audit_entries() if e.subject == passport.id][1:]
    assert [(e.action, e.details["purpose"], e.details["value"]) for e in changes] == [
        ("suspend", "suspension", 1),
        ("message", "message", 2),
    ]
    assert changes[1].details["reason"] == "field-safety-notice"
    assert issuer.ledger.verify_audit_chain() == len(issuer.ledger.audit_entries())


def test_reinstating_clears_the_message_unless_a_reason_is_given(issuer: Issuer) -> None:
    cleared, kept = issuer.issue(record()), issuer.issue(record())
    for passport in (cleared, kept):
        issuer.suspend(passport.id, reason="under-review")
    assert issuer.reinstate(cleared.id).message is StatusReason.NONE
    assert issuer.reinstate(kept.id, reason="certificate-withdrawn").message is (
        StatusReason.CERTIFICATE_WITHDRAWN
    )
    assert issuer.passport(kept.id).state is PassportState.ACTIVE


def test_a_message_alone_changes_neither_revocation_nor_suspension(issuer: Issuer) -> None:
    passport = issuer.issue(record())
    entry = issuer.set_message(passport.id, "under-review")
    assert (entry.state, entry.message) == (PassportState.ACTIVE, StatusReason.UNDER_REVIEW)
    revoked = issuer.revoke(passport.id, reason="withdrawn-by-supplier")
    assert (revoked.state, revoked.message) == (
        PassportState.REVOKED,
        StatusReason.WITHDRAWN_BY_SUPPLIER,
    )
    # revocation is final, but why may still be said (or corrected) afterwards
    assert issuer.set_message(passport.id, "field-safety-notice").state is PassportState.REVOKED
    with pytest.raises(StatusChangeError) as caught:
        issuer.suspend(passport.id, reason="under-review")
    assert caught.value.code == "status-change-refused"
    with pytest.raises(StatusChangeError):
        issuer.change_status(passport.id, StatusAction.MESSAGE)  # a message needs a reason
    with pytest.raises(ConfigurationError) as unknown:
        issuer.set_message(passport.id, "bored")
    assert unknown.value.code == "configuration"


def test_the_same_record_and_version_needs_reissue(issuer: Issuer) -> None:
    """Issue 11, finding 13: three active passports for one record id and version."""
    source = record()
    first = issuer.issue(source)
    with pytest.raises(RecordInvalidError) as caught:
        issuer.issue(source)
    assert [p.path for p in caught.value.problems] == ["/record_id"]
    assert len(issuer.ledger.passports_for_record(source["record_id"])) == 1  # type: ignore[arg-type]
    second = issuer.issue(source, reissue=True)
    assert second.supersedes == (first.id,)
    old = issuer.passport(first.id)
    assert (old.superseded_by, old.message, old.state) == (
        second.id,
        StatusReason.SUPERSEDED,
        PassportState.ACTIVE,
    )
    assert published_message(issuer, first.id) == 1
    third = issuer.issue(source, reissue=True)
    assert third.supersedes == (second.id,)  # the first is superseded already
    # a revoked passport does not block issuing again
    issuer.revoke(third.id)
    assert issuer.issue(source).supersedes == ()


def test_a_newer_record_version_supersedes_and_an_older_one_is_refused(issuer: Issuer) -> None:
    source = record()
    v1 = issuer.issue(source)
    v2 = issuer.issue({**source, "record_version": 2})
    assert v2.supersedes == (v1.id,)
    with pytest.raises(RecordInvalidError) as caught:
        issuer.issue({**source, "record_version": 1}, reissue=True)
    assert [p.path for p in caught.value.problems] == ["/record_version"]
    replacement = record(supersedes=source["record_id"])
    assert issuer.issue(replacement).supersedes == (v2.id,)


def test_one_batch_may_not_hold_a_record_twice(issuer: Issuer) -> None:
    source = record()
    with pytest.raises(RecordInvalidError) as caught:
        issuer.issue_batch([source, record(), source])
    assert [p.path for p in caught.value.problems] == ["/2/record_id"]
    assert list(issuer.ledger.passports()) == []


def test_a_superseded_suspended_passport_goes_back_to_superseded(issuer: Issuer) -> None:
    source = record()
    old = issuer.issue(source)
    issuer.issue(source, reissue=True)
    issuer.suspend(old.id, reason="field-safety-notice")
    assert issuer.reinstate(old.id).message is StatusReason.SUPERSEDED


def test_an_adoption_record_is_in_the_ledger_beside_the_passports(issuer: Issuer) -> None:
    from innopass.adoption import Decision, Outcome, PassportRef, PolicyRef
    from innopass.issuer import PassportKind

    passport_id = "urn:uuid:0a0b4a7e-31f4-4e0b-9d23-5b0b2f7f1a01"
    made = Decision(
        outcome=Outcome.ADOPT,
        decided_at=NOW,
        policy=PolicyRef(id="p", version="1", digest_sri="sha384-" + "B" * 64),
        passport=PassportRef(
            id=passport_id,
            digest_sri="sha384-" + "A" * 64,
            record_id="urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735",
            valid_until="2027-09-30T23:59:59Z",
        ),
        verdict="verified",
    )
    issuer.issue(record())
    first = issuer.adopt(made)
    entry = issuer.passport(first.id)
    assert (entry.kind, entry.record_id, entry.record_digest) == (
        PassportKind.ADOPTION,
        passport_id,
        "sha384-" + "A" * 64,
    )
    assert [e.purpose for e in status_entries(first.credential)] == [
        "revocation",
        "suspension",
        "message",
    ]
    assert sum(issuer.ledger.count_passports().values()) == 1  # passports only
    second = issuer.adopt(made)
    assert second.supersedes == (first.id,)
    assert issuer.passport(first.id).message is StatusReason.SUPERSEDED
    issued = next(e for e in issuer.ledger.audit_entries() if e.subject == second.id)
    assert (issued.action, issued.details["kind"], issued.details["passport"]) == (
        "issue",
        "adoption",
        passport_id,
    )
    before = len(list(issuer.ledger.passports()))
    with pytest.raises(ConfigurationError):
        issuer.adopt(replace(made, outcome=Outcome.REFER))
    assert len(list(issuer.ledger.passports())) == before  # nothing recorded
