"""The verifier reads a passport's ``message`` status entry and reports it (BSL 1.0 §2.1, §3.2).

A message never decides the verdict by itself: suspension and revocation do. The result
object and its JSON carry what the message list says, for the adopter's policy and for
the human views.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from innopass._internal.jsonio import JSONObject
from innopass.errors import FailureCode
from innopass.issuer import Issuer, OrganisationHome
from innopass.record import example
from innopass.status import (
    MESSAGE_SIZE,
    MIN_ENTRIES,
    REASON_MESSAGES,
    StatusEntry,
    new_bitstring,
    with_value,
)
from innopass.verifier import TrustStore, VerificationResult, Verifier
from verifier_factory import NOW, Org, make_verifier, unsigned_passport

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "verifier message test passphrase"
ISSUED = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)
OUTPUT_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "verify-output.schema.json").read_text()
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(ISSUED)


@pytest.fixture
def issuer(tmp_path: Path, clock: Clock) -> Iterator[Issuer]:
    OrganisationHome.init(
        tmp_path / "rf4",
        ods_code="RF4",
        name="Barking",
        passphrase=PASS,
        did_web="rf4.nhs.example",
        clock=clock,
    )
    with Issuer.from_home(tmp_path / "rf4", passphrase=PASS, clock=clock) as opened:
        yield opened


def record() -> JSONObject:
    value = example("device")
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    return value


def verify(issuer: Issuer, passport: str, clock: Clock) -> VerificationResult:
    lists = [item.credential for item in issuer.signed_status_lists()]
    store = TrustStore().with_issuer(issuer.description)
    result = Verifier(store, clock=clock).verify(passport, status_lists=lists)
    jsonschema.validate(result.to_json(), OUTPUT_SCHEMA)
    return result


def test_the_message_is_reported_and_does_not_decide_the_verdict(
    issuer: Issuer, clock: Clock
) -> None:
    passport = issuer.issue(record())
    fresh = verify(issuer, passport.text(), clock)
    assert fresh.verified
    [note] = fresh.status_messages
    assert (note.purpose, note.status, note.message) == ("message", "0x0", "none")
    assert note.list_id == "https://rf4.nhs.example/status/message/1"
    assert note.as_of == "2026-06-01T10:00:00Z"

    issuer.set_message(passport.id, "under-review")
    reviewed = verify(issuer, passport.text(), clock)
    assert reviewed.verified  # a message alone: still verified, and it says so
    assert [n.message for n in reviewed.status_messages] == ["under-review"]
    assert reviewed.to_json()["status_messages"][0]["description"] == (  # type: ignore[index,call-overload]
        "the assessing organisation is reviewing its assessment"
    )

    issuer.suspend(passport.id, reason="field-safety-notice")
    suspended = verify(issuer, passport.text(), clock)
    assert suspended.codes == {FailureCode.SUSPENDED}
    assert [n.message for n in suspended.status_messages] == ["field-safety-notice"]


def test_a_superseded_passport_says_so(issuer: Issuer, clock: Clock) -> None:
    source = record()
    old = issuer.issue(source)
    new = issuer.issue(source, reissue=True)
    clock.now += timedelta(minutes=1)
    stale = verify(issuer, old.text(), clock)
    assert stale.verified
    assert [n.message for n in stale.status_messages] == ["superseded"]
    assert [n.message for n in verify(issuer, new.text(), clock).status_messages] == ["none"]


# --- the entry's size is honoured (built from the formats, not by the issuer) -------------


def _message_passport(org: Org, index: int) -> JSONObject:
    credential = unsigned_passport(org)
    entries: Any = credential["credentialStatus"]
    entries.append(
        StatusEntry(
            "message",
            index,
            org.list_id("message"),
            size=MESSAGE_SIZE,
            messages=REASON_MESSAGES,
        ).to_json()
    )
    return org.sign(credential)


def test_the_value_is_read_at_index_times_size(monkeypatch: pytest.MonkeyPatch) -> None:
    org = Org.did_key()
    credential = _message_passport(org, 1000)
    bits = with_value(new_bitstring(MIN_ENTRIES, MESSAGE_SIZE), 1000, MESSAGE_SIZE, 4)
    # the bit a one-bit reading of index 1000 would see is clear; entry 1000 of 3 bits is 4
    lists = [*org.status_lists(), org.status_list("message", bits=bits)]
    run = make_verifier(issuers=[org.did], status_lists=lists)
    result = run.verify(credential)
    assert result.verified
    assert [(n.status, n.message) for n in result.status_messages] == [
        ("0x4", "withdrawn-by-supplier")
    ]
    assert result.status_messages[0].as_of == (NOW - timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_a_message_list_too_short_for_its_entry_size_is_invalid() -> None:
    org = Org.did_key()
    credential = _message_passport(org, 5)
    short = new_bitstring(MIN_ENTRIES)  # 131,072 bits: only 43,690 entries of 3 bits
    lists = [*org.status_lists(), org.status_list("message", bits=short)]
    result = make_verifier(issuers=[org.did], status_lists=lists).verify(credential)
    assert result.codes == {FailureCode.STATUS_LIST_INVALID}
    assert result.status_messages == ()


def test_a_missing_message_list_is_status_unavailable() -> None:
    org = Org.did_key()
    credential = _message_passport(org, 5)
    result = make_verifier(issuers=[org.did], status_lists=org.status_lists()).verify(credential)
    assert result.codes == {FailureCode.STATUS_UNAVAILABLE}
    assert result.verdict == "indeterminate"
    assert result.status_messages == ()
