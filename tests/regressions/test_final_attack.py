"""Final attack session: bugs found by attacking the product from outside (CLI, API, files).

Each test failed on the code before its fix (it was a strict xfail until then) and asserts
the right behaviour: verdicts, failure codes, exit codes.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from innopass._internal.jsonio import JSONObject
from innopass.issuer import Issuer, OrganisationHome, TrustAnchor
from innopass.record import example
from innopass.verifier import TrustStore, Verifier
from innopass.verifier._checks import Found, ProofMade, Signing, _check_merger_time
from innopass.verifier._result import CheckName

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "final attack passphrase"
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
MERGER = datetime(2026, 6, 5, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _home(tmp: Path, name: str, ods: str, host: str, clock: Clock) -> Path:
    OrganisationHome.init(
        tmp / name, ods_code=ods, name=name.upper(), passphrase=PASS, did_web=host, clock=clock
    )
    return tmp / name


def _record(ods: str) -> JSONObject:
    record: JSONObject = example("device")
    changed: Any = record
    changed["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    changed["assessing_org"]["ods_code"] = ods
    changed["assessing_org"]["name_at_issue"] = ods
    return record


def _merger(tmp_path: Path, reissue_at: datetime) -> dict[str, Any]:
    clock = Clock(START)
    a = _home(tmp_path, "anchora", "X24", "a.example", clock)
    b = _home(tmp_path, "anchorb", "X25", "b.example", clock)
    homes = {
        ods: _home(tmp_path, ods.lower(), ods, f"{ods.lower()}.example", clock)
        for ods in ("RVJ", "RA7", "RB9")
    }
    orgs = [OrganisationHome.open(h).description() for h in homes.values()]
    record = _record("RVJ")
    lists: list[Any] = []
    reissued: dict[str, str] = {}
    clock.now = reissue_at
    for ods in ("RA7", "RB9"):
        with Issuer.from_home(homes[ods], passphrase=PASS, clock=clock) as issuer:
            reissued[ods] = issuer.issue(record, successor_of=["RVJ"]).text()
            lists += [s.credential for s in issuer.signed_status_lists()]
    clock.now = START
    with TrustAnchor.from_home(a, passphrase=PASS, clock=clock) as anchor:
        list_a = anchor.sign_trust_list(orgs, withdrawn={"RVJ": MERGER}, successors={"RVJ": "RA7"})
        org_a = anchor.description
    with TrustAnchor.from_home(b, passphrase=PASS, clock=clock) as anchor:
        list_b = anchor.sign_trust_list(orgs, withdrawn={"RVJ": MERGER}, successors={"RVJ": "RB9"})
        org_b = anchor.description
    return {
        "lists": lists,
        "reissued": reissued,
        "anchors": {"A": (org_a, list_a.credential), "B": (org_b, list_b.credential)},
    }


@pytest.fixture
def merger(tmp_path: Path) -> dict[str, Any]:
    """RVJ is withdrawn on MERGER. Anchor A (X24) names RA7 its successor, anchor B (X25)
    names RB9; RA7 and RB9 each reissued RVJ's assessment on 1 June, before the merger."""
    return _merger(tmp_path, START)


def _verify(merger: dict[str, Any], anchors: list[str], ods: str, at: datetime) -> Any:
    store = TrustStore()
    for name in anchors:
        store = store.with_anchor(merger["anchors"][name][0])
    for name in anchors:
        store = store.with_trust_list(merger["anchors"][name][1])
    verifier = Verifier(store, clock=Clock(at))
    return verifier.verify(merger["reissued"][ods], status_lists=merger["lists"])


def test_two_anchors_naming_different_successors_are_treated_alike(
    merger: dict[str, Any],
) -> None:
    at = MERGER + timedelta(days=1)
    ra7 = _verify(merger, ["A", "B"], "RA7", at)
    rb9 = _verify(merger, ["A", "B"], "RB9", at)
    # Either both are accepted (each named by a trusted anchor) or both refused
    # (trust-conflict): never one of two equally trusted claims silently ignored.
    assert ra7.verdict == rb9.verdict, (ra7.codes, rb9.codes)


def test_a_successor_may_not_reissue_before_the_merger_takes_effect(
    merger: dict[str, Any],
) -> None:
    before = START + timedelta(hours=2)  # RVJ is still active; the merger is pending
    result = _verify(merger, ["A"], "RA7", before)
    assert result.verdict == "rejected"
    assert "issuer-untrusted" in {f.code for f in result.failures}


@pytest.mark.parametrize("anchors", [["A", "B"], ["B", "A"]])
def test_each_successor_a_trusted_anchor_names_may_reissue_after_the_merger(
    tmp_path: Path, anchors: list[str]
) -> None:
    """Reissued after the merger, RA7 (named by A) and RB9 (named by B) are both accepted,
    whichever anchor's list comes first; with only one anchor, only the one it names."""
    merger = _merger(tmp_path, MERGER + timedelta(hours=1))
    at = MERGER + timedelta(days=1)
    for ods in ("RA7", "RB9"):
        result = _verify(merger, anchors, ods, at)
        assert result.verified, (ods, result.codes)
        assert (result.issuer.ods_code, result.issuer.successor_of) == (ods, "RVJ")
        assessor = result.passport.assessing_organisation
        assert not assessor.claimed
        assert assessor.withdrawn.describe() == f"RVJ merged into {ods} on 2026-06-05"
    only_a = _verify(merger, ["A"], "RB9", at)
    assert only_a.verdict == "rejected"
    assert only_a.codes == {"issuer-untrusted"}


def test_a_successor_without_a_signing_time_is_refused_while_the_merger_is_pending(
    merger: dict[str, Any],
) -> None:
    """A proof with no signing time cannot show it was made after the merger; made before a
    merger still to come, it was made before it."""
    store = TrustStore().with_anchor(merger["anchors"]["A"][0])
    view = store.with_trust_list(merger["anchors"]["A"][1]).view()
    mergers = view.successions("RVJ", "RA7")
    assert len(mergers) == 1
    undated = Signing(
        proofs=(ProofMade(vm_id="did:web:ra7.example#k", created=None, path="/proof"),)
    )
    codes = {}
    for now in (START, MERGER + timedelta(days=1)):
        ctx: Any = SimpleNamespace(now=now, skew=timedelta(minutes=5))
        found = Found(CheckName.ISSUER)
        _check_merger_time(found, mergers, undated, ctx, "RVJ", "RA7")
        codes[now] = {f.code for f in found.failures}
    assert codes == {
        START: {"issuer-untrusted"},
        MERGER + timedelta(days=1): {"signing-time-unknown"},
    }


# --- the issuer's ledger: columns that `ledger verify` does not compare ------------------------


@pytest.fixture
def issued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Any]) -> Any:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)
    home = tmp_path / "rf4"
    assert run("org", "init", "--home", home, "--ods", "RF4", "--name", "RF4").code == 0
    record = tmp_path / "record.json"
    record.write_text(json.dumps(_record("RF4")), encoding="utf-8")
    out = tmp_path / "passport.json"
    assert run("issue", "--home", home, record, "-o", out).code == 0
    passport_id = json.loads(out.read_text(encoding="utf-8"))["id"]
    return home, record, passport_id


def _sql(home: Path, statement: str, *args: object) -> None:
    with sqlite3.connect(home / "ledger.sqlite") as db:
        db.execute(statement, args)


def test_an_edited_passport_kind_is_ledger_tampering(issued: Any, run: Callable[..., Any]) -> None:
    home, record, passport_id = issued
    _sql(home, "UPDATE passports SET kind = 'adoption' WHERE id = ?", passport_id)
    assert run("ledger", "verify", "--home", home).code == 1
    assert run("issue", "--home", home, record, "-o", home.parent / "again.json").code != 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE passports SET valid_until = '2099-01-01T00:00:00Z'",
        "UPDATE passports SET superseded_by = 'urn:uuid:00000000-0000-4000-8000-000000000000'",
        "UPDATE passports SET status_json = '[]'",
        "UPDATE passports SET record_version = 7",
        "UPDATE status_lists SET size = 8",
    ],
)
def test_edited_ledger_columns_fail_ledger_verify(
    issued: Any, run: Callable[..., Any], statement: str
) -> None:
    home, _, _ = issued
    _sql(home, statement)
    assert run("ledger", "verify", "--home", home).code == 1


# --- adoptions summary --csv: terminal escapes from a signed passport reach the terminal ------

HOSTILE_PRODUCT = "Dressing\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\u202etxt.exe"


def test_adoptions_summary_csv_escapes_terminal_controls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Any]
) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)
    rf4, r1h = tmp_path / "rf4", tmp_path / "r1h"
    assert run("org", "init", "--home", rf4, "--ods", "RF4", "--name", "RF4").code == 0
    assert run("org", "init", "--home", r1h, "--ods", "R1H", "--name", "R1H").code == 0
    record: Any = _record("RF4")
    record["product"]["name"] = HOSTILE_PRODUCT
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")
    passport = tmp_path / "passport.json"
    assert run("issue", "--home", rf4, tmp_path / "record.json", "-o", passport).code == 0
    assert run("status", "publish", "--home", rf4, "-o", tmp_path / "rf4pub").code == 0
    assert run("org", "export", "--home", rf4, "-o", tmp_path / "rf4.json").code == 0
    assert run("trust", "pin-issuer", "--home", r1h, tmp_path / "rf4.json").code == 0
    for listed in sorted((tmp_path / "rf4pub").glob("*/*")):
        assert run("trust", "import", "--home", r1h, listed).code == 0
    policy = tmp_path / "policy.toml"
    assert run("policy", "template", "--ods", "R1H", "-o", policy).code == 0
    adopts = tmp_path / "adopts"
    adopts.mkdir()
    adopted = run("adopt", "--home", r1h, passport, "--policy", policy, "-o", adopts / "a.json")
    assert adopted.code == 0, adopted.err
    assert run("status", "publish", "--home", r1h, "-o", tmp_path / "r1hpub").code == 0
    assert run("org", "export", "--home", r1h, "-o", tmp_path / "r1h.json").code == 0
    lists = [a for f in sorted((tmp_path / "r1hpub").glob("*/*")) for a in ("--status-list", f)]
    summary = run(
        "adoptions", "summary", adopts, "--home", r1h,
        "--trust-issuer", tmp_path / "r1h.json", *lists, "--csv",
    )  # fmt: skip
    assert summary.code == 0, summary.err
    assert "Dressing" in summary.out  # the row is there
    assert not {"\x1b", "\x07", "\u202e"} & set(summary.out)


def test_verify_json_writes_bidi_and_c1_controls_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Any]
) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)
    rf4 = tmp_path / "rf4"
    assert run("org", "init", "--home", rf4, "--ods", "RF4", "--name", "RF4").code == 0
    record: Any = _record("RF4")
    record["product"]["name"] = "Dressing\u202eexe.txt\u2028\u009b31m"
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")
    passport = tmp_path / "passport.json"
    assert run("issue", "--home", rf4, tmp_path / "record.json", "-o", passport).code == 0
    assert run("org", "export", "--home", rf4, "-o", tmp_path / "rf4.json").code == 0
    result = run("verify", passport, "--trust-issuer", tmp_path / "rf4.json", "--json")
    assert result.code == 3  # no status list given: indeterminate, but the facts are printed
    facts = json.loads(result.out.split("\n")[0])
    assert "Dressing" in json.dumps(facts)  # the product is reported
    assert not {"\u202e", "\u2028", "\u009b"} & set(result.out)
