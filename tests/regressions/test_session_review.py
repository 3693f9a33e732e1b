"""An adversarial review of show --policy, GET /passports/{id}, the one Recipe, the issuer's
shared signing, CLI issue's group reports, pending successions and the verify speed-ups.

Each test failed before its fix.
"""

from __future__ import annotations

import errno
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from innopass._view.page import render_html
from innopass._view.passport import build_view
from innopass.errors import FailureCode
from innopass.issuer import OrganisationHome
from innopass.record import example
from innopass.verifier import VerificationResult
from verifier_factory import Org, make_verifier, passport

PASS = "session review passphrase"


# --- the passport view: a marker no text from the passport can hide -------------------------


def test_a_claimed_issuer_name_cannot_hide_its_claimed_marker() -> None:
    """A pinned did:key passport verifies, but its issuer's ODS code and name are only claimed;
    a name that itself says CLAIMED must not suppress the [CLAIMED] flag on the page."""
    org = Org.did_key()
    org.name = "NHS TRUST (CLAIMED BY US)"
    verifier = make_verifier(issuers=[org.did], status_lists=org.status_lists())
    result = verifier.verify(passport(org))
    assert result.verdict == "verified"
    assert result.issuer.claimed
    view = build_view(result, "p.json")
    [signed] = [row for row in view.facts if row.label == "Signed by"]
    assert signed.flag == "claimed"
    page = render_html(view)
    row = page[page.index("<th>Signed by</th>") :]
    row = row[: row.index("</tr>")]
    assert '<span class="flag">[CLAIMED]</span>' in row


# --- innopass issue to a directory: a write failing mid-group -------------------------------


@pytest.fixture
def org_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_kdf: None) -> OrganisationHome:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)
    return OrganisationHome.init(
        tmp_path / "rf4", ods_code="RF4", name="B", passphrase=PASS, did_web="rf4.nhs.example"
    )


def test_issue_failing_mid_group_names_every_passport_it_committed(
    org_home: OrganisationHome,
    tmp_path: Path,
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The group is in the ledger before its files are written: a full disk at the third
    file must not leave the fourth and fifth issued but never named (issuing them again
    is then refused as already issued)."""
    from innopass._internal.files import replace_file as real

    records = []
    for number in range(5):
        value = example("device")
        value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
        path = tmp_path / f"record-{number}.json"
        path.write_text(json.dumps(value))
        records.append(path)
    calls = []

    def full_at_the_third(path: Path, data: bytes, *, mode: int = 0o644) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data, mode=mode)

    monkeypatch.setattr("innopass.issuer._passport.replace_file", full_at_the_third)
    out = tmp_path / "out"
    result = run("issue", *records, "-o", out, "--home", org_home.path)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    with org_home.open_ledger() as ledger:
        ids = [entry.id for entry in ledger.passports()]
    assert len(ids) == 5
    told = result.out + result.err
    assert [i for i in ids if i not in told] == []
    assert run("ledger", "verify", "--home", org_home.path).code == 0


def test_a_claimed_issuer_name_cannot_hide_its_claimed_marker_in_the_terminal() -> None:
    import io

    from innopass.cli._show import render_terminal

    org = Org.did_key()
    org.name = "NHS TRUST [CLAIMED]"
    verifier = make_verifier(issuers=[org.did], status_lists=org.status_lists())
    view = build_view(verifier.verify(passport(org)), "p.json")
    out = io.StringIO()
    render_terminal(view, file=out, width=400)
    [line] = [line for line in out.getvalue().splitlines() if line.startswith("Signed by")]
    assert line.count("CLAIMED") == 2


# --- a withdrawal still to come ------------------------------------------------------------


def test_a_proof_with_no_signing_time_before_a_withdrawal_still_to_come_verifies() -> None:
    """A trust list dates RF4's merger 30 days after the verification: a passport that
    exists now was signed before it, whatever its proof says of its time (a dated
    withdrawal already made is signing-time-unknown, as before)."""
    from datetime import timedelta

    from innopass._internal.canonical import sha256_digest
    from innopass._internal.proof import ProofOptions, add_proof
    from innopass._internal.suites import suite_for_key
    from innopass.verifier import FailureCode
    from verifier_factory import NOW, trust_list, unsigned_passport

    org = Org.did_key("RF4", "B")
    anchor = Org.did_key("X24", "NHS ENGLAND")
    unsigned = unsigned_passport(org)
    record = unsigned["credentialSubject"]["assessmentRecord"]
    record["assessing_org"]["ods_code"] = "RF4"
    unsigned["credentialSubject"]["recordDigest"] = sha256_digest(record)
    key = org.keys[0]
    undated = add_proof(
        unsigned,
        key=key.private,
        suite=suite_for_key(key.private.key_type),
        options=ProofOptions(verification_method=key.vm_id, created=None),
    )

    def verdict(withdrawn_at: Any) -> Any:
        entry = org.trusted_issuer(status="withdrawn", withdrawn_at=withdrawn_at, successor="R1H")
        run = make_verifier(
            anchors=[anchor.organisation()],
            trust_lists=[trust_list(anchor, [entry])],
            status_lists=org.status_lists(),
        )
        return run.verify(undated)

    pending = verdict(NOW + timedelta(days=30))
    assert pending.issuer.withdrawn is not None
    assert pending.issuer.withdrawn.pending
    assert (pending.verdict, pending.codes) == ("verified", frozenset())
    done = verdict(NOW - timedelta(days=1))
    assert done.codes == {FailureCode.SIGNING_TIME_UNKNOWN}


@pytest.mark.parametrize("document", [b"not json", b'{"a": 1, "a": 2}'])
def test_a_document_refused_as_it_is_read_still_says_when_it_was_checked(
    document: bytes,
) -> None:
    """verify_any (the command line's reader) refused unreadable input with no checked_at,
    where verify gives one: every credential result says as of when."""
    verifier = make_verifier(issuers=[Org.did_key().did]).verifier
    result = verifier.verify_any(document)
    assert result.codes == {FailureCode.MALFORMED}
    assert isinstance(result, VerificationResult)
    assert result.checked_at is not None
    assert result.checked_at == verifier.verify(document).checked_at
