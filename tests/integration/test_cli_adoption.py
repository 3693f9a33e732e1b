"""Adoption end to end on the command line: decide, adopt, verify the adoption record,
summarise reuse; status messages, reissue and mergers as every view shows them."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from innopass._internal.jsonio import dumps_pretty, loads_strict

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "cli adoption passphrase"
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
RF4_NAME = "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST"


def validator(name: str) -> Draft202012Validator:
    schemas = [json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json")]
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas
    )
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=None)


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)
    monkeypatch.delenv("INNOPASS_HOME", raising=False)


@dataclass
class World:
    root: Path
    passport_id: str

    def __truediv__(self, name: str) -> Path:
        return self.root / name


def _ok(result: Any) -> Any:
    assert result.code == 0, result
    return result


@pytest.fixture
def world(tmp_path: Path, run: Any) -> World:
    """An anchor naming RF4 and R1H; RF4's dressing passport and bundle; R1H set up to
    verify (anchor pinned, trust list imported) and to sign (its own organisation home)."""
    homes = {
        "anchor": ("X24", "NHS ENGLAND", "trust.nhs.example"),
        "rf4": ("RF4", RF4_NAME, "rf4.nhs.example"),
        "r1h": ("R1H", "BARTS HEALTH NHS TRUST", "r1h.nhs.example"),
    }
    for home, (ods, name, host) in homes.items():
        _ok(
            run(
                "org",
                "init",
                "--home",
                tmp_path / home,
                "--ods",
                ods,
                "--name",
                name,
                "--did-web",
                host,
            )
        )
        _ok(run("org", "export", "--home", tmp_path / home, "-o", tmp_path / f"{home}.json"))
    _ok(run("record", "example", "--profile", "device", "-o", tmp_path / "record.json"))
    _ok(
        run(
            "issue",
            "--home",
            tmp_path / "rf4",
            tmp_path / "record.json",
            "-o",
            tmp_path / "passport.json",
        )
    )
    passport: Any = loads_strict((tmp_path / "passport.json").read_bytes())
    _ok(
        run(
            "trust-list", "sign", "--home", tmp_path / "anchor",
            "--issuer", tmp_path / "rf4.json", "--issuer", tmp_path / "r1h.json",
            "-o", tmp_path / "trust-list.json",
        )
    )  # fmt: skip
    _ok(run("bundle", "--home", tmp_path / "rf4", passport["id"], "-o", tmp_path / "bundle.json"))
    _ok(run("trust", "pin-anchor", "--home", tmp_path / "r1h", tmp_path / "anchor.json"))
    _ok(run("trust", "import", "--home", tmp_path / "r1h", tmp_path / "trust-list.json"))
    _ok(run("policy", "template", "--ods", "R1H", "-o", tmp_path / "policy.toml"))
    return World(tmp_path, str(passport["id"]))


def decide(run: Any, world: World, *args: str | Path) -> Any:
    return run(
        "decide",
        world / "bundle.json",
        "--home",
        world / "r1h",
        "--policy",
        world / "policy.toml",
        *args,
    )


def test_decide_adopts_with_actions_and_says_why(run: Any, world: World) -> None:
    result = decide(run, world)
    assert result.code == 0, result
    assert result.out.startswith("✔ ADOPT WITH ACTIONS")
    assert "[medical-devices-group]" in result.out
    assert "[cond-2]" in result.out
    assert "Assessments reused, not repeated: regulatory" in result.out
    as_json = decide(run, world, "--json", "-o", world / "decision.json")
    assert as_json.code == 0
    [line] = as_json.out.splitlines()
    decision = json.loads(line)
    validator("decision-output.schema.json").validate(decision)
    assert decision["decision"] == "adopt-with-actions"
    assert decision["passport"]["id"] == world.passport_id
    assert decision["verdict"] == "verified"
    assert json.loads((world / "decision.json").read_text()) == decision
    reasons = {r["rule"]: r for r in decision["reasons"]}
    assert reasons["trusted-issuers"]["pointer"] == "/issuer"
    assert (
        reasons["regulatory"]["pointer"] == "/credentialSubject/assessmentRecord/domains/0/result"
    )


def show_decision(run: Any, world: World, *args: str | Path) -> Any:
    return run(
        "show",
        world / "bundle.json",
        "--home",
        world / "r1h",
        "--policy",
        world / "policy.toml",
        *args,
    )


def test_show_with_a_policy_shows_the_decision(run: Any, world: World) -> None:
    shown = show_decision(run, world, "--html", world / "page.html")
    assert shown.code == 0, shown
    html = (world / "page.html").read_text()
    assert 'class="banner decision decision-adopt"' in html
    assert "ADOPT WITH ACTIONS under policy" in html
    terminal = show_decision(run, world)
    assert terminal.code == 0
    assert "ADOPT WITH ACTIONS under policy" in terminal.out
    assert "[medical-devices-group]" in terminal.out
    assert "Assessments reused, not repeated: Regulatory" in terminal.out
    decision = json.loads(decide(run, world, "--json").out)
    done = [arg for a in decision["actions"] for arg in ("--done", a["id"])]
    adopted = show_decision(run, world, *done)
    assert adopted.code == 0, adopted
    assert "ADOPT under policy" in adopted.out
    assert "0 to do" in adopted.out
    # --done is an input error without --policy, or naming no action of the decision
    alone = run("show", world / "bundle.json", "--home", world / "r1h", "--done", "x")
    assert alone.code == 2
    assert show_decision(run, world, "--done", "no-such-action").code == 2
    # without --policy, show is as before: no decision, the verdict's exit code
    plain = run("show", world / "bundle.json", "--home", world / "r1h")
    assert plain.code == 0
    assert "Decision" not in plain.out


def test_decide_exit_codes(run: Any, world: World, tmp_path: Path) -> None:
    strict = (
        (world / "policy.toml")
        .read_text()
        .replace(
            'max = ["III", "IVD_list_A", "IVD_D"]   # one ceiling per ladder; AIMD is above III'
            '\non_fail = "refer"',
            'max = ["IIb", "IVD_list_A", "IVD_D"]\non_fail = "refer"',
        )
    )
    (tmp_path / "strict.toml").write_text(strict)
    referred = run(
        "decide",
        world / "bundle.json",
        "--home",
        world / "r1h",
        "--policy",
        tmp_path / "strict.toml",
    )
    assert referred.code == 3, referred
    assert referred.out.startswith("? REFER")
    assert "device-class-ceiling: class III is above the ceiling IIb" in referred.out
    (tmp_path / "refuse.toml").write_text(
        strict.replace('max = ["IIb", "IVD_list_A", "IVD_D"]\non_fail = "refer"', 'max = ["IIb"]')
    )
    refused = run(
        "decide",
        world / "bundle.json",
        "--home",
        world / "r1h",
        "--policy",
        tmp_path / "refuse.toml",
    )
    assert refused.code == 1, refused
    untrusting = run(
        "decide",
        world / "bundle.json",
        "--home",
        tmp_path / "empty",
        "--policy",
        world / "policy.toml",
    )
    assert untrusting.code == 1  # issuer-untrusted: rejected, so refused
    (tmp_path / "broken.toml").write_text("[policy]\nid = 'x'\n")
    broken = run(
        "decide",
        world / "bundle.json",
        "--home",
        world / "r1h",
        "--policy",
        tmp_path / "broken.toml",
    )
    assert broken.code == 2
    assert broken.err.startswith("innopass: error: policy is invalid")
    missing = run(
        "decide",
        tmp_path / "nosuch.json",
        "--home",
        world / "r1h",
        "--policy",
        world / "policy.toml",
    )
    assert missing.code == 2
    unknown = decide(run, world, "--done", "nonsense")
    assert unknown.code == 2
    assert "no local action nonsense" in unknown.err


def test_policy_template_and_check(run: Any, tmp_path: Path) -> None:
    printed = _ok(run("policy", "template"))
    assert "[[rules]]" in printed.out
    assert '# organisation = "R1H"' in printed.out
    (tmp_path / "p.toml").write_text(printed.out)
    checked = _ok(run("policy", "check", tmp_path / "p.toml"))
    assert "valid policy acceptance-policy" in checked.out
    (tmp_path / "bad.toml").write_text(printed.out.replace('kind = "scope"', 'kind = "scoop"'))
    bad = run("policy", "check", tmp_path / "bad.toml")
    assert bad.code == 1
    assert "/rules/" in bad.err


def test_adopt_signs_a_record_that_verifies_in_a_fresh_home(
    run: Any, world: World, tmp_path: Path
) -> None:
    adopted = run(
        "adopt", world / "bundle.json", "--home", world / "r1h", "--policy", world / "policy.toml",
        "--done", "ipc_review", "-o", world / "adoption.json",
    )  # fmt: skip
    assert adopted.code == 0, adopted
    assert "signed adoption record urn:uuid:" in adopted.out
    record: Any = loads_strict((world / "adoption.json").read_bytes())
    assert record["type"] == ["VerifiableCredential", "InnopassAdoption"]
    [related] = record["relatedResource"]
    assert related["id"] == world.passport_id
    assert related["digestSRI"].startswith("sha384-")
    subject = record["credentialSubject"]
    assert subject["decision"] == "adopt-with-actions"
    assert [a["id"] for a in subject["actionsDone"]] == ["ipc_review"]
    assert "ipc_review" not in {a["id"] for a in subject["actionsRemaining"]}
    # the same passport from its own file has the same digest as from its bundle
    decision = json.loads(
        run(
            "decide", world / "passport.json", "--home", world / "r1h",
            "--policy", world / "policy.toml", "--json",
        ).out
    )  # fmt: skip
    assert decision["passport"]["digestSRI"] == related["digestSRI"]

    _ok(run("status", "publish", "--home", world / "r1h", "-o", world / "r1h-status"))
    fresh = tmp_path / "fresh"
    _ok(run("trust", "pin-issuer", "--home", fresh, world / "r1h.json"))
    lists = [
        a
        for p in ("revocation", "suspension", "message")
        for a in ("--status-list", world / "r1h-status" / p / "1")
    ]
    verified = run("verify", "--home", fresh, world / "adoption.json", *lists)
    assert verified.code == 0, verified
    assert "Adoption:       R1H relied on passport " + world.passport_id in verified.out
    as_json = json.loads(
        run("verify", "--home", fresh, world / "adoption.json", *lists, "--json").out
    )
    validator("verify-output.schema.json").validate(as_json)
    assert as_json["adoption"]["passport"] == world.passport_id
    assert as_json["passport"] is None

    tampered = dict(record)
    tampered["credentialSubject"] = {**subject, "decision": "adopt"}
    (world / "tampered.json").write_text(dumps_pretty(tampered))
    rejected = run("verify", "--home", fresh, world / "tampered.json", *lists, "--json")
    assert rejected.code == 1
    assert [f["code"] for f in json.loads(rejected.out)["failures"]] == ["signature-invalid"]
    unpinned = run(
        "verify", "--home", tmp_path / "nobody", world / "adoption.json", *lists, "--json"
    )
    assert unpinned.code == 1
    assert "issuer-untrusted" in {f["code"] for f in json.loads(unpinned.out)["failures"]}

    # revocable like a passport: R1H revokes its record, republishes, and it is rejected
    _ok(run("revoke", "--home", world / "r1h", record["id"]))
    _ok(run("status", "publish", "--home", world / "r1h", "-o", world / "r1h-status"))
    revoked = run("verify", "--home", fresh, world / "adoption.json", *lists, "--json")
    assert revoked.code == 1
    assert {f["code"] for f in json.loads(revoked.out)["failures"]} == {"revoked"}


def test_adopt_signs_nothing_unless_adopted(run: Any, world: World, tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(
        (world / "policy.toml")
        .read_text()
        .replace('allow = ["device", "digital", "diagnostic"]', 'allow = ["digital"]')
    )
    refused = run(
        "adopt",
        world / "bundle.json",
        "--home",
        world / "r1h",
        "--policy",
        tmp_path / "p.toml",
        "-o",
        tmp_path / "a.json",
    )
    assert refused.code == 1
    assert "refuse: nothing was signed" in refused.err
    assert not (tmp_path / "a.json").exists()
    not_an_org = run(
        "adopt",
        world / "bundle.json",
        "--home",
        tmp_path / "verifier-only",
        "--policy",
        world / "policy.toml",
    )
    assert not_an_org.code == 2
    # a policy written for another organisation is not this home's to adopt under
    (tmp_path / "theirs.toml").write_text(
        (world / "policy.toml").read_text().replace('organisation = "R1H"', 'organisation = "RF4"')
    )
    theirs = run(
        "adopt", world / "bundle.json", "--home", world / "r1h",
        "--policy", tmp_path / "theirs.toml", "-o", tmp_path / "b.json",
    )  # fmt: skip
    assert theirs.code == 2
    assert not (tmp_path / "b.json").exists()
    listed = run("passport", "list", "--home", world / "r1h", "--json")
    assert listed.code == 0
    assert listed.out.strip() == ""  # nothing was signed or recorded


def test_a_policy_saved_with_a_byte_order_mark_is_read(run: Any, world: World) -> None:
    bom = world / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + (world / "policy.toml").read_bytes())
    assert run("policy", "check", bom).code == 0
    decided = run(
        "decide", world / "bundle.json", "--home", world / "r1h", "--policy", bom, "--json"
    )
    assert decided.code == 0
    assert json.loads(decided.out)["decision"] == "adopt-with-actions"


def test_adopting_again_supersedes_the_earlier_record(run: Any, world: World) -> None:
    base = [
        "adopt",
        world / "bundle.json",
        "--home",
        world / "r1h",
        "--policy",
        world / "policy.toml",
    ]
    first = _ok(run(*base, "-o", world / "a1.json"))
    second = _ok(run(*base, "--done", "ipc_review", "--done", "cond-2", "-o", world / "a2.json"))
    first_id = json.loads((world / "a1.json").read_text())["id"]
    assert "signed adoption record" in first.out
    assert f"supersedes {first_id}" in second.out


def test_summary_counts_reuse(run: Any, world: World, tmp_path: Path) -> None:
    collected = tmp_path / "collected"
    collected.mkdir()
    _ok(
        run(
            "adopt",
            world / "bundle.json",
            "--home",
            world / "r1h",
            "--policy",
            world / "policy.toml",
            "-o",
            world / "adoption.json",
        )
    )
    record_id = json.loads((world / "adoption.json").read_text())["id"]
    _ok(run("bundle", "--home", world / "r1h", record_id, "-o", collected / "r1h.json"))
    (collected / "junk.json").write_text("{}")
    trust = [
        "--anchor",
        world / "anchor.json",
        "--trust-list",
        world / "trust-list.json",
        "--home",
        tmp_path / "operator",
    ]
    text = run("adoptions", "summary", collected, *trust)
    assert text.code == 1, text  # junk.json is rejected (not counted), and says so
    assert "1 adoption(s) counted, 1 not counted; 1 assessment(s) not repeated" in text.out
    assert "not counted: " in text.out
    summary = json.loads(run("adoptions", "summary", collected / "r1h.json", *trust, "--json").out)
    validator("adoptions-summary.schema.json").validate(summary)
    [reuse] = summary["passports"]
    assert (reuse["passport"], reuse["organisations"], reuse["assessments_not_repeated"]) == (
        world.passport_id,
        1,
        1,
    )
    assert reuse["adoptions"][0]["adopter"] == "R1H"
    rows = list(
        csv.DictReader(
            io.StringIO(run("adoptions", "summary", collected / "r1h.json", *trust, "--csv").out)
        )
    )
    assert [(r["passport"], r["adopter"], r["decision"]) for r in rows] == [
        (world.passport_id, "R1H", "adopt-with-actions")
    ]
    # without trust in R1H nothing is counted
    untrusted = run(
        "adoptions", "summary", collected / "r1h.json", "--home", tmp_path / "nobody", "--json"
    )
    assert untrusted.code == 1
    assert json.loads(untrusted.out)["counted"] == 0


def test_revocation_then_refusal_with_the_reason(run: Any, world: World) -> None:
    _ok(run("revoke", "--home", world / "rf4", world.passport_id, "--reason", "fsn"))
    _ok(run("status", "publish", "--home", world / "rf4", "-o", world / "status"))
    for purpose in ("revocation", "message"):
        _ok(run("trust", "import", "--home", world / "r1h", world / "status" / purpose / "1"))
    refused = decide(run, world)
    assert refused.code == 1, refused
    assert "revoked" in refused.out
    assert "a field safety notice was issued for the product" in refused.out
    shown = run("verify", "--home", world / "r1h", world / "bundle.json")
    assert "Status message: a field safety notice was issued for the product" in shown.out
    # show says it too, and with the policy shows the refusal after the verdict (exit 1)
    show = run("show", "--home", world / "r1h", world / "bundle.json", "--policy", world / "p.toml")
    assert show.code == 2  # no such policy file: an input error, before any verification
    page = world / "refused.html"
    show = show_decision(run, world, "--html", page)
    assert show.code == 1, show
    html = page.read_text()
    assert 'class="banner decision decision-refuse"' in html
    decision_box = html.split('id="decision"', 1)[1].split("</div>", 1)[0]
    assert "[OVERDUE]" not in decision_box  # a refusal is red, not marked as something late
    assert "a field safety notice was issued for the product" in html
    terminal = show_decision(run, world)
    assert terminal.code == 1
    assert "REFUSE under policy" in terminal.out
    assert "Status message" in terminal.out


def test_suspension_reason_and_message_only(run: Any, world: World) -> None:
    suspended = _ok(run("suspend", "--home", world / "rf4", world.passport_id, "--reason", "fsn"))
    assert "suspended; message: field-safety-notice" in suspended.out
    _ok(run("reinstate", "--home", world / "rf4", world.passport_id))
    review = _ok(
        run("status", "message", "--home", world / "rf4", world.passport_id, "--reason", "review")
    )
    assert "active; message: under-review" in review.out
    bad = run("suspend", "--home", world / "rf4", world.passport_id, "--reason", "bored")
    assert bad.code == 2
    _ok(run("bundle", "--home", world / "rf4", world.passport_id, "-o", world / "bundle.json"))
    line = json.loads(run("verify", "--home", world / "r1h", world / "bundle.json", "--json").out)
    assert line["verdict"] == "verified"
    assert [m["message"] for m in line["status_messages"]] == ["under-review"]
    shown = run("show", "--home", world / "r1h", world / "bundle.json")
    assert shown.code == 0, shown
    assert "the assessing organisation is reviewing" in shown.out
    referred = decide(run, world)
    assert referred.code == 3  # the template refers a passport under review
    assert show_decision(run, world).code == 3
    assert (
        "status-messages: the issuer says: the assessing organisation is reviewing" in referred.out
    )


def test_reissue_is_needed_and_supersedes_in_every_view(run: Any, world: World) -> None:
    again = run("issue", "--home", world / "rf4", world / "record.json", "-o", world / "p2.json")
    assert again.code == 1
    assert "--reissue" in again.err
    reissued = _ok(
        run(
            "issue",
            "--home",
            world / "rf4",
            world / "record.json",
            "-o",
            world / "p2.json",
            "--reissue",
        )
    )
    assert f"supersedes {world.passport_id}" in reissued.out
    _ok(run("bundle", "--home", world / "rf4", world.passport_id, "-o", world / "old-bundle.json"))
    old = run("verify", "--home", world / "r1h", world / "old-bundle.json")
    assert old.code == 0
    assert "Status message: superseded by a newer passport for this record" in old.out
    as_json = json.loads(
        run("verify", "--home", world / "r1h", world / "old-bundle.json", "--json").out
    )
    assert [m["message"] for m in as_json["status_messages"]] == ["superseded"]
    shown = run("show", "--home", world / "r1h", world / "old-bundle.json")
    assert shown.code == 0, shown
    assert "superseded by a newer passport for this record" in shown.out


def test_a_merger_in_every_view(run: Any, world: World, tmp_path: Path) -> None:
    """The anchor withdraws RF4 with R1H as successor: RF4's earlier passport still verifies,
    and the text and JSON views say "RF4 merges into R1H on 2030-01-01"."""
    _ok(
        run(
            "trust-list", "sign", "--home", world / "anchor",
            "--issuer", world / "rf4.json", "--issuer", world / "r1h.json",
            "--withdraw", "RF4@2030-01-01T00:00:00Z", "--successor", "RF4=R1H",
            "-o", tmp_path / "tl2.json",
        )
    )  # fmt: skip
    _ok(run("trust", "import", "--home", world / "r1h", tmp_path / "tl2.json"))
    text = run("verify", "--home", world / "r1h", world / "bundle.json")
    assert text.code == 0, text
    assert "RF4 merges into R1H on 2030-01-01" in text.out
    line = json.loads(run("verify", "--home", world / "r1h", world / "bundle.json", "--json").out)
    assert line["issuer"]["withdrawn"]["description"] == "RF4 merges into R1H on 2030-01-01"
    assert line["issuer"]["withdrawn"]["successor_name"] == "BARTS HEALTH NHS TRUST"
    assert line["issuer"]["withdrawn"]["pending"] is True  # 2030: still to come
    shown = run(
        "show", "--home", world / "r1h", world / "bundle.json", "--html", tmp_path / "m.html"
    )
    assert shown.code == 0, shown
    assert (
        "RF4 merges into R1H on 2030-01-01 (BARTS HEALTH NHS TRUST)"
        in (tmp_path / "m.html").read_text()
    )
    terminal = run("show", "--home", world / "r1h", world / "bundle.json")
    assert "RF4 merges into R1H on 2030-01-01" in terminal.out
    decision = json.loads(decide(run, world, "--json").out)
    assert decision["decision"] == "adopt-with-actions"
    merged = next(r for r in decision["reasons"] if r["rule"] == "merged-or-closed")
    assert merged["finding"] == "met"
    assert merged["message"].startswith("RF4 merges into R1H on 2030-01-01")
    # R1H, the successor, may reissue RF4's assessment, once the merger took effect
    reissued = run(
        "issue", "--home", world / "r1h", world / "record.json", "--successor-of", "RF4",
        "-o", tmp_path / "r1h-passport.json",
    )  # fmt: skip
    assert reissued.code == 0, reissued
    _ok(run("status", "publish", "--home", world / "r1h", "-o", tmp_path / "r1h-status"))
    lists = [
        a
        for p in ("revocation", "suspension", "message")
        for a in ("--status-list", tmp_path / "r1h-status" / p / "1")
    ]
    verify_r1h = ("verify", "--home", world / "r1h", tmp_path / "r1h-passport.json", *lists)
    pending = json.loads(run(*verify_r1h, "--json").out)
    assert pending["verdict"] == "rejected"  # signed now: the merger is still to come (2030)
    assert {f["code"] for f in pending["failures"]} == {"issuer-untrusted"}
    _ok(
        run(
            "trust-list", "sign", "--home", world / "anchor",
            "--issuer", world / "rf4.json", "--issuer", world / "r1h.json",
            "--withdraw", "RF4@2020-01-01T00:00:00Z", "--successor", "RF4=R1H",
            "-o", tmp_path / "tl3.json",
        )
    )  # fmt: skip
    _ok(run("trust", "import", "--home", world / "r1h", tmp_path / "tl3.json"))
    by_successor = json.loads(run(*verify_r1h, "--json").out)
    assert by_successor["verdict"] == "verified", by_successor["failures"]
    assert by_successor["issuer"]["successor_of"] == "RF4"
