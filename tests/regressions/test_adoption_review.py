"""An adversarial review of adoption (issue 12): each test failed before its fix.

Decisions, policies, adoption records and the summary that counts them, as an adopting
trust and a national operator meet them with hostile or odd input.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from innopass._internal import schema
from innopass._internal.jsonio import JSONObject, dumps_pretty
from innopass.adoption import (
    Decision,
    Finding,
    Outcome,
    PassportRef,
    PolicyRef,
    Reason,
    build_adoption_credential,
)
from innopass.cli._adopt import _summary_text
from innopass.errors import ConfigurationError, PolicyError
from innopass.policy import Policy, decide, summarise, template_text
from innopass.record import example
from innopass.status import (
    MESSAGE_SIZE,
    MIN_ENTRIES,
    REASON_MESSAGES,
    StatusEntry,
    new_bitstring,
    with_value,
)
from innopass.verifier import Verifier
from verifier_factory import (
    NOW,
    Org,
    clock,
    make_verifier,
    passport,
    trust_list,
    unsigned_passport,
)

PASSPORT_ID = "urn:uuid:0a0b4a7e-31f4-4e0b-9d23-5b0b2f7f1a01"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@pytest.fixture
def r1h() -> Org:
    return Org.did_key("R1H", "BARTS HEALTH NHS TRUST")


def _decision(outcome: Outcome = Outcome.ADOPT_WITH_ACTIONS, **passport: Any) -> Decision:
    ref = PassportRef(
        id=PASSPORT_ID,
        digest_sri="sha384-" + "A" * 64,
        media_type="application/vc",
        record_id="urn:uuid:8ec4db88-839f-4d9a-88fc-3b7942474735",
        record_version=1,
        product="ArgentaCare Ag silver alginate dressing",
        profile="device",
        assessing_organisation="RF4",
    )
    return Decision(
        outcome=outcome,
        decided_at=NOW - timedelta(hours=3),
        policy=PolicyRef(id="acceptance-policy", version="1", digest_sri="sha384-" + "B" * 64),
        passport=replace(ref, **passport),
        verdict="verified",
        assessments_reused=("regulatory",),
    )


def _adoption(
    org: Org, made: Decision | None = None, *, hours_ago: int = 1, index: int = 94_567
) -> JSONObject:
    """An adoption record signed by ``org``, its status entries at ``index``."""
    status = [
        StatusEntry("revocation", index, org.list_id("revocation")),
        StatusEntry("suspension", index, org.list_id("suspension")),
    ]
    unsigned = build_adoption_credential(
        made or _decision(),
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        adopter=org.organisation(),
        now=NOW - timedelta(hours=hours_ago),
        status=status,
    )
    return org.sign(unsigned, created=NOW - timedelta(hours=hours_ago))


def _verifier(org: Org) -> Verifier:
    """A verifier that pins ``org`` and holds its status lists as they are now."""
    store = make_verifier(issuers=[org.organisation()]).trust
    return Verifier(store, clock=clock(NOW), status_lists=org.status_lists())


def _write(tmp_path: Path, values: dict[str, JSONObject]) -> list[Path]:
    files = []
    for name, value in values.items():
        files.append(tmp_path / name)
        files[-1].write_text(dumps_pretty(value))
    return files


# --- decisions ------------------------------------------------------------------------------


def test_an_adoption_record_is_not_a_passport_to_adopt(r1h: Org) -> None:
    """A verified adoption record has no assessment record: no rule can run on it, and it
    was adopted (exit 0) with the policy never applied."""
    signed = _adoption(r1h)
    run = make_verifier(issuers=[r1h.organisation()], status_lists=r1h.status_lists())
    assert run.verify(signed).verified
    decision = decide(
        run.verifier, signed, Policy.from_text(template_text()), status_lists=run.status_lists
    )
    assert decision.outcome is Outcome.REFUSE
    assert not decision.adopted


def _with_message(org: Org, value: int) -> tuple[JSONObject, list[JSONObject]]:
    """A passport whose message entry (index 77) has status ``value``, and its lists."""
    credential = unsigned_passport(org, record=_record())
    entries: Any = credential["credentialStatus"]
    entries.append(
        StatusEntry(
            "message", 77, org.list_id("message"), size=MESSAGE_SIZE, messages=REASON_MESSAGES
        ).to_json()
    )
    bits = with_value(new_bitstring(MIN_ENTRIES, MESSAGE_SIZE), 77, MESSAGE_SIZE, value)
    return org.sign(credential), [*org.status_lists(), org.status_list("message", bits=bits)]


def _record(change: Any = None) -> JSONObject:
    value: Any = example("device")
    value["assessing_org"]["ods_code"] = "RF4"
    if change is not None:
        change(value)
    return value  # type: ignore[no-any-return]


def _policy(*rules: JSONObject) -> Policy:
    return Policy.from_json(
        {"policy": {"id": "t", "version": "1"}, "rules": [{"id": "i", "kind": "issuer"}, *rules]},
        digest_sri="sha384-AAAA",
    )


def test_on_fail_refuse_applies_to_a_message_the_rule_does_not_name() -> None:
    """on_fail is what a rule that is not met gives; the policy said refuse, and a message
    it did not name was only referred."""
    org = Org.did_key()
    credential, lists = _with_message(org, 3)  # under-review
    run = make_verifier(issuers=[org.organisation()], status_lists=lists)
    rule: JSONObject = {
        "id": "why",
        "kind": "status-message",
        "on_fail": "refuse",
        "outcomes": {"superseded": "accept"},
    }
    decision = decide(run.verifier, credential, _policy(rule), status_lists=run.status_lists)
    assert decision.verdict == "verified"
    assert {r.finding for r in decision.reasons if r.rule == "why"} == {Finding.REFUSE}
    assert decision.outcome is Outcome.REFUSE


def test_on_fail_refuse_applies_to_a_closed_issuer() -> None:
    org = Org.did_key()
    anchor = Org.did_key("X24", "NHS ENGLAND")
    credential = passport(org, record=_record(), created=NOW - timedelta(days=2))
    entry = org.trusted_issuer(status="withdrawn", withdrawn_at=NOW - timedelta(days=1))
    run = make_verifier(
        anchors=[anchor.organisation()],
        trust_lists=[trust_list(anchor, [entry])],
        status_lists=org.status_lists(),
    )
    rule: JSONObject = {"id": "w", "kind": "withdrawn-issuer", "on_fail": "refuse"}
    decision = decide(
        run.verifier,
        credential,
        _policy(rule),
        trust_lists=run.trust_lists,
        status_lists=run.status_lists,
    )
    assert decision.verdict == "verified"
    assert {r.finding for r in decision.reasons if r.rule == "w"} == {Finding.REFUSE}
    assert decision.outcome is Outcome.REFUSE


def test_on_fail_refuse_applies_to_an_open_blocking_condition() -> None:
    org = Org.did_key()

    def blocking(r: Any) -> None:
        r["outcome"]["conditions"] = [
            {
                **r["outcome"]["conditions"][0],
                "responsible_party": "supplier",
                "blocking": True,
                "status": "open",
                "due": "before_go_live",
            }
        ]

    credential = passport(org, record=_record(blocking))
    run = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    rule: JSONObject = {"id": "g", "kind": "go-live", "on_fail": "refuse"}
    decision = decide(run.verifier, credential, _policy(rule), status_lists=run.status_lists)
    assert decision.verdict == "verified"
    assert Finding.REFUSE in {r.finding for r in decision.reasons if r.rule == "g"}
    assert decision.outcome is Outcome.REFUSE


def test_a_medical_device_without_a_class_is_not_within_a_ceiling() -> None:
    """The record says it is a medical device, of class not_applicable: the ceiling was
    met as "not a medical device"."""
    org = Org.did_key()

    def classless(r: Any) -> None:
        r["product"]["regulatory"]["is_medical_device"] = True
        r["product"]["regulatory"]["device_class"] = "not_applicable"

    credential = passport(org, record=_record(classless))
    run = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    rule: JSONObject = {"id": "ceiling", "kind": "device-class", "max": ["IIa"]}
    decision = decide(run.verifier, credential, _policy(rule), status_lists=run.status_lists)
    assert decision.verdict == "verified"
    assert {r.finding for r in decision.reasons if r.rule == "ceiling"} == {Finding.REFUSE}
    assert decision.outcome is Outcome.REFUSE


def test_an_assessment_decided_after_the_decision_is_not_recent() -> None:
    """decided_on a month after the adoption decision was "-30 days old": always recent."""
    org = Org.did_key()

    def future(r: Any) -> None:
        r["outcome"]["decided_on"] = (NOW + timedelta(days=30)).date().isoformat()

    credential = passport(org, record=_record(future))
    run = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    rule: JSONObject = {"id": "age", "kind": "decision-age", "max_days": 730}
    decision = decide(run.verifier, credential, _policy(rule), status_lists=run.status_lists)
    assert decision.verdict == "verified"
    assert {r.finding for r in decision.reasons if r.rule == "age"} == {Finding.REFER}


def test_an_adoption_record_of_a_verbose_passport_still_verifies(r1h: Org) -> None:
    """The record's texts are unbounded, the adoption record's are not: a product name of
    600 characters or a long note made `adopt` sign a record that fails its own schema
    (and `decide --json` print a decision outside decision-output.schema.json)."""
    org = Org.did_key()

    def verbose(r: Any) -> None:
        r["product"]["name"] = "ArgentaCare " + "very " * 120 + "long name"
        r["local_requirements_for_adopters"][0]["note"] = "Read this. " * 300
        r["scope"]["exclusions"] = ["Not for adult use: " + "and so on " * 300]

    credential = passport(org, record=_record(verbose))
    run = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    rule: JSONObject = {"id": "x", "kind": "exclusion", "conflicts": ["veterinary"]}
    decision = decide(run.verifier, credential, _policy(rule), status_lists=run.status_lists)
    assert decision.adopted
    assert list(schema.iter_problems(decision.to_json(), "decision-output.schema.json")) == []
    signed = _adoption(r1h, decision)
    result = _verifier(r1h).verify(signed)
    assert result.verified, result.failures


def test_a_decision_its_record_cannot_hold_is_not_signed(r1h: Org) -> None:
    reason = Reason("r", "domain", Finding.MET, "/x", "met")
    with pytest.raises(ConfigurationError):
        _adoption(r1h, replace(_decision(), reasons=(reason,) * 1001))


def test_an_overdue_blocking_condition_meets_the_overdue_choice_too() -> None:
    """open_blocking_conditions = accept, overdue_conditions = refuse: a blocking condition
    past its due date was accepted (the first choice that applied won, not the worse)."""
    org = Org.did_key()

    def overdue(r: Any) -> None:
        r["outcome"]["conditions"] = [
            {
                **r["outcome"]["conditions"][0],
                "responsible_party": "supplier",
                "blocking": True,
                "status": "open",
                "due": (NOW - timedelta(days=10)).date().isoformat(),
            }
        ]

    credential = passport(org, record=_record(overdue))
    run = make_verifier(issuers=[org.organisation()], status_lists=org.status_lists())
    rule: JSONObject = {
        "id": "g",
        "kind": "go-live",
        "open_blocking_conditions": "accept",
        "overdue_conditions": "refuse",
    }
    decision = decide(run.verifier, credential, _policy(rule), status_lists=run.status_lists)
    assert decision.verdict == "verified"
    assert {r.finding for r in decision.reasons if r.rule == "g"} == {Finding.REFUSE}
    assert decision.outcome is Outcome.REFUSE


# --- the policy file ------------------------------------------------------------------------


def test_a_deeply_nested_policy_is_a_policy_error() -> None:
    text = "a = " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(PolicyError):
        Policy.from_text(text)


def test_policy_check_of_a_deeply_nested_policy_exits_1(run: Any, tmp_path: Path) -> None:
    (tmp_path / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    checked = run("policy", "check", tmp_path / "deep.toml")
    assert checked.code == 1


# --- the summary ----------------------------------------------------------------------------


def test_summary_csv_cells_cannot_be_formulas(r1h: Org, tmp_path: Path) -> None:
    hostile = _decision(
        product='=HYPERLINK("https://evil.example","x")', assessing_organisation="@SUM(1)"
    )
    files = _write(tmp_path, {"a.json": _adoption(r1h, hostile)})
    summary = summarise(_verifier(r1h), files)
    assert summary.passports
    [row] = list(csv.DictReader(io.StringIO(summary.to_csv())))
    assert all(not str(cell).startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_summary_csv_file_names_cannot_be_formulas(
    r1h: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("=cmd.json").write_text(dumps_pretty(_adoption(r1h)))
    summary = summarise(_verifier(r1h), ["=cmd.json"])
    [row] = list(csv.DictReader(io.StringIO(summary.to_csv())))
    assert not row["file"].startswith("=")


def test_summary_text_cannot_write_to_the_terminal(r1h: Org, tmp_path: Path) -> None:
    hostile = _decision(product="dressing\x1b[2J\r\u2714 counted 99 adoptions")
    files = _write(
        tmp_path,
        {"a\x1b[1A.json": _adoption(r1h, hostile), "b\r\u2028.json": {"not": "a record"}},
    )
    summary = summarise(_verifier(r1h), files)
    assert summary.passports
    assert summary.not_counted
    assert not any(_CONTROL.search(line) for line in _summary_text(summary).splitlines())


def test_a_revoked_latest_record_is_not_outlived_by_the_one_it_superseded(
    r1h: Org, tmp_path: Path
) -> None:
    """R1H adopted, adopted again (superseding the first record), then revoked its latest
    record: it no longer relies on the passport, so it is not counted by its older one."""
    first = _adoption(r1h, hours_ago=3, index=1_000)
    latest = _adoption(r1h, _decision(Outcome.ADOPT), hours_ago=2, index=2_000)
    r1h.set_bit("revocation", 2_000)
    files = _write(tmp_path, {"first.json": first, "latest.json": latest})
    summary = summarise(_verifier(r1h), files)
    listed = {Path(n.file).name: (n.verdict, n.codes) for n in summary.not_counted}
    assert listed == {"latest.json": ("rejected", ("revoked",)), "first.json": ("verified", ())}
    assert summary.passports == ()
    assert summary.assessments_not_repeated == 0


def test_a_forged_later_revoked_record_does_not_uncount_an_adopter(
    r1h: Org, tmp_path: Path
) -> None:
    """Only a genuine record withdraws an adoption: one signed by a stranger, or tampered
    with, changes nothing."""
    first = _adoption(r1h, hours_ago=3, index=1_000)
    forged: Any = _adoption(r1h, hours_ago=2, index=2_000)
    forged["credentialSubject"]["assessmentsReused"] = []
    r1h.set_bit("revocation", 2_000)
    files = _write(tmp_path, {"first.json": first, "forged.json": forged})
    summary = summarise(_verifier(r1h), files)
    [reuse] = summary.passports
    assert reuse.organisations == 1


def test_an_assessor_adopting_its_own_passport_repeats_no_assessment(tmp_path: Path) -> None:
    """RF4 assessed the product; its own adoption record is an adoption, not a reuse."""
    rf4 = Org.did_key()
    files = _write(tmp_path, {"rf4.json": _adoption(rf4)})
    summary = summarise(_verifier(rf4), files)
    [reuse] = summary.passports
    assert reuse.organisations == 1
    assert reuse.assessments_not_repeated == 0
    assert reuse.domain_assessments_reused == 0
    assert summary.assessments_not_repeated == 0


def test_every_file_is_counted_or_listed(r1h: Org, tmp_path: Path) -> None:
    """An adopter's earlier record was neither counted nor listed: "2 files: 1 adoption(s)
    counted, 0 not counted"."""
    files = _write(
        tmp_path,
        {
            "first.json": _adoption(r1h, hours_ago=3, index=1_000),
            "latest.json": _adoption(r1h, _decision(Outcome.ADOPT), hours_ago=2, index=2_000),
        },
    )
    summary = summarise(_verifier(r1h), files)
    counted = sum(p.organisations for p in summary.passports)
    assert (summary.files, counted, len(summary.not_counted)) == (2, 1, 1)
    [earlier] = summary.not_counted
    assert (Path(earlier.file).name, earlier.verdict, earlier.outlived) == (
        "first.json",
        "verified",
        True,
    )


def test_a_folder_with_an_earlier_record_still_exits_0(run: Any, r1h: Org, tmp_path: Path) -> None:
    """Listing the earlier record must not make a folder that is all genuine exit 3."""
    folder = tmp_path / "collected"
    folder.mkdir()
    _write(
        folder,
        {
            "first.json": _adoption(r1h, hours_ago=3, index=1_000),
            "latest.json": _adoption(r1h, _decision(Outcome.ADOPT), hours_ago=2, index=2_000),
        },
    )
    (tmp_path / "r1h.json").write_text(dumps_pretty(r1h.description()))
    lists = []
    for i, status_list in enumerate(r1h.status_lists()):
        (tmp_path / f"list-{i}.json").write_text(dumps_pretty(status_list))
        lists += ["--status-list", tmp_path / f"list-{i}.json"]
    at = ["--at", "2026-05-01T09:30:00Z", "--home", tmp_path / "operator"]
    summary = run(
        "adoptions", "summary", folder, "--trust-issuer", tmp_path / "r1h.json", *lists, *at
    )
    assert summary.code == 0, summary
