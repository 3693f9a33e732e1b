"""A command line that guides (issue 11): each test is named after the finding it fixes.

Findings 2 (``show``) are in ``test_cli_show.py``; 4, 12 (byte order mark) and 14
(freshness in the result) also have library tests in ``tests/unit/test_verifier_honesty.py``;
6 (the README) is ``tests/integration/test_readme.py``; 11 is ``test_cli_batch.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from innopass._internal.jsonio import dumps_pretty
from innopass.cli import cli
from innopass.issuer import Ledger, PassportState
from innopass.record import example
from verifier_factory import (
    NOW,
    Org,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
)

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "guidance test passphrase"
AT = ["--at", "2026-05-01T09:30:00Z"]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)
    monkeypatch.delenv("INNOPASS_HOME", raising=False)
    monkeypatch.setenv("COLUMNS", "250")


class TerminalRunner(CliRunner):
    """A :class:`CliRunner` whose standard input is a terminal."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams:
            sys.stdin.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


def write(path: Path, value: Any) -> Path:
    path.write_text(value if isinstance(value, str) else dumps_pretty(value), encoding="utf-8")
    return path


def record_file(path: Path, **changes: Any) -> Path:
    value = example("device")
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    value.update(changes)
    return write(path, value)


def home_for(run: Any, path: Path, ods: str = "RF4", did_web: str | None = None) -> Path:
    extra = ["--did-web", did_web] if did_web else []
    result = run("org", "init", "--ods", ods, "--name", f"Trust {ods}", *extra, "--home", path)
    assert result.code == 0, result
    return path


def passports_in(home: Path) -> list[Any]:
    with Ledger.open(home / "ledger.sqlite") as ledger:
        return list(ledger.passports())


# --- finding 1: rejected passports printed their content as fact ------------------------------


def test_f01_rejected_content_is_shown_only_under_a_not_verified_heading(
    run: Any, tmp_path: Path
) -> None:
    org = Org.did_web(windows=[(NOW - timedelta(days=365), None)])
    forged: Any = passport(org)
    forged["credentialSubject"]["assessmentRecord"]["outcome"]["decision"] = "approved"
    forged["credentialSubject"]["assessmentRecord"]["outcome"]["conditions"] = []
    files = [
        "--trust-issuer", write(tmp_path / "rf4.json", org.description()),
        "--status-list", write(tmp_path / "r.json", org.status_list("revocation")),
        "--status-list", write(tmp_path / "s.json", org.status_list("suspension")),
    ]  # fmt: skip
    target = write(tmp_path / "forged.json", forged)
    text = run("verify", target, *files, *AT, "--home", tmp_path / "h")
    assert text.code == 1
    assert text.out.index("NOT VERIFIED") < text.out.index("Outcome:")
    assert text.out.index("NOT VERIFIED") < text.out.index("Local actions")
    line = json.loads(run("verify", target, *files, *AT, "--json", "--home", tmp_path / "h").out)
    assert line["content_verified"] is False
    good = write(tmp_path / "good.json", passport(org))
    verified = json.loads(run("verify", good, *files, *AT, "--json", "--home", tmp_path / "h").out)
    assert verified["content_verified"] is True
    assert "NOT VERIFIED" not in run("verify", good, *files, *AT, "--home", tmp_path / "h").out


def test_f01_a_did_key_home_calling_itself_rf4_is_shown_as_claimed(
    run: Any, tmp_path: Path
) -> None:
    org = Org.did_key()  # trusted by its DID alone: nothing says who it is
    files = [
        "--trust-issuer", org.did,
        "--status-list", write(tmp_path / "r.json", org.status_list("revocation")),
        "--status-list", write(tmp_path / "s.json", org.status_list("suspension")),
    ]  # fmt: skip
    target = write(tmp_path / "p.json", passport(org))
    text = run("verify", target, *files, *AT, "--home", tmp_path / "h")
    assert text.code == 0, text
    [assessed] = [line for line in text.out.splitlines() if "Assessed by:" in line]
    assert "claimed, not verified" in assessed
    line = json.loads(run("verify", target, *files, *AT, "--json", "--home", tmp_path / "h").out)
    assert line["passport"]["assessing_organisation"]["claimed"] is True


# --- finding 3: no trust configured -----------------------------------------------------------


def test_f03_no_trust_configured_says_so_and_shows_the_two_commands(
    run: Any, tmp_path: Path
) -> None:
    org = Org.did_web()
    target = write(tmp_path / "p.json", passport(org))
    result = run("verify", target, *AT, "--home", tmp_path / "empty")
    assert result.code == 1
    assert "Nothing is trusted yet" in result.out
    assert "innopass trust pin-anchor" in result.out
    assert "innopass trust import" in result.out
    trusted = run(
        "verify", target, "--trust-issuer", write(tmp_path / "o.json", org.description()),
        *AT, "--home", tmp_path / "empty",
    )  # fmt: skip
    assert "Nothing is trusted yet" not in trusted.out


# --- finding 5: record validate said valid for records issue refuses --------------------------


def test_f05_record_validate_catches_broken_references_and_expired_evidence(
    run: Any, tmp_path: Path
) -> None:
    value: Any = example("device")
    value["domains"][0]["answers"][0]["evidence_refs"] = ["ev-missing"]
    value["domains"][1]["reviewer_refs"] = ["rev-missing"]
    value["domains"][2]["framework"] = "fw-missing"
    value["evidence"][1]["valid_until"] = "2026-04-01"  # mandatory, expired at AT
    broken = write(tmp_path / "broken.json", value)
    result = run("record", "validate", broken, "--json", *AT)
    assert result.code == 1
    paths = {p["path"] for p in json.loads(result.out)["problems"]}
    assert paths == {
        "/domains/0/answers/0/evidence_refs/0",
        "/domains/1/reviewer_refs/0",
        "/domains/2/framework",
        "/evidence/1/valid_until",
    }
    assert run("record", "validate", write(tmp_path / "ok.json", example("device")), *AT).code == 0
    # issue runs the same checks: the same problems, nothing issued
    home = home_for(run, tmp_path / "rf4")
    refused = run("issue", broken, "--home", home)
    assert refused.code == 1
    for path in ("/domains/0/answers/0/evidence_refs/0", "/domains/2/framework"):
        assert f"{broken}: {path}: " in refused.err
    assert passports_in(home) == []


# --- finding 7: trust-list sign silently dropped issuers ---------------------------------------


def test_f07_the_anchor_keeps_a_roster_and_shows_what_changed(run: Any, tmp_path: Path) -> None:
    anchor = home_for(run, tmp_path / "anchor", "X24")
    for ods in ("RF4", "R1H"):
        home_for(run, tmp_path / ods.lower(), ods)
        assert (
            run(
                "org", "export", "--home", tmp_path / ods.lower(), "-o", tmp_path / f"{ods}.json"
            ).code
            == 0
        )

    def names(path: Path) -> list[str]:
        subject = json.loads(path.read_text())["credentialSubject"]
        return sorted(i["odsCode"] for i in subject["trustedIssuers"])

    first = run(
        "trust-list",
        "sign",
        "--home",
        anchor,
        "--issuer",
        tmp_path / "RF4.json",
        "-o",
        tmp_path / "v1.json",
    )
    assert first.code == 0, first
    assert names(tmp_path / "v1.json") == ["RF4"]
    # Signing with one --issuer no longer drops the others.
    second = run(
        "trust-list",
        "sign",
        "--home",
        anchor,
        "--issuer",
        tmp_path / "R1H.json",
        "-o",
        tmp_path / "v2.json",
    )
    assert second.code == 0, second
    assert names(tmp_path / "v2.json") == ["R1H", "RF4"]
    assert "added R1H" in second.out
    assert "RF4" not in second.out.split("changes since the previous version:")[1]
    same = run("trust-list", "sign", "--home", anchor, "-o", tmp_path / "v3.json")
    assert same.code == 0, same
    assert names(tmp_path / "v3.json") == ["R1H", "RF4"]
    assert "none (the same issuers" in same.out
    withdrawn = run("anchor", "withdraw", "--home", anchor, "RF4", "--at", "2026-06-01T00:00:00Z")
    assert withdrawn.code == 0, withdrawn
    assert "RF4 is now withdrawn from 2026-06-01T00:00:00Z" in withdrawn.out
    assert run("anchor", "successor", "--home", anchor, "RF4", "R1H").code == 0
    v4 = run("trust-list", "sign", "--home", anchor, "-o", tmp_path / "v4.json")
    assert "RF4 is now withdrawn" in v4.out
    assert "RF4's successor is now R1H" in v4.out
    entries = {
        i["odsCode"]: i
        for i in json.loads((tmp_path / "v4.json").read_text())["credentialSubject"][
            "trustedIssuers"
        ]
    }
    assert entries["RF4"]["status"] == "withdrawn"
    assert entries["RF4"]["successor"] == "R1H"
    assert run("anchor", "remove", "--home", anchor, "RF4").code == 0
    v5 = run("trust-list", "sign", "--home", anchor, "-o", tmp_path / "v5.json")
    assert "removed RF4" in v5.out
    assert names(tmp_path / "v5.json") == ["R1H"]
    listed = run("anchor", "list", "--home", anchor)
    assert "R1H" in listed.out
    assert "RF4" not in listed.out
    gone = run("anchor", "remove", "--home", anchor, "RF4")
    assert gone.code == 2
    assert len(gone.err.strip().splitlines()) == 1


# --- finding 8: revoke asked nothing; revoking twice was an error -----------------------------


def test_f08_revoking_a_revoked_passport_says_already_revoked_and_exits_0(
    run: Any, tmp_path: Path
) -> None:
    home = home_for(run, tmp_path / "rf4")
    assert (
        run(
            "issue", record_file(tmp_path / "r.json"), "--home", home, "-o", tmp_path / "p.json"
        ).code
        == 0
    )
    [entry] = passports_in(home)
    assert run("revoke", entry.id, "--home", home).code == 0
    again = run("revoke", entry.id, "--home", home)
    assert again.code == 0, again
    assert "already revoked" in again.out
    assert passports_in(home)[0].state is PassportState.REVOKED


def test_f08_revoke_asks_for_confirmation_at_a_terminal(run: Any, tmp_path: Path) -> None:
    home = home_for(run, tmp_path / "rf4")
    assert (
        run(
            "issue", record_file(tmp_path / "r.json"), "--home", home, "-o", tmp_path / "p.json"
        ).code
        == 0
    )
    [entry] = passports_in(home)
    declined = TerminalRunner().invoke(cli, ["revoke", entry.id, "--home", str(home)], input="n\n")
    assert declined.exit_code != 0
    assert "final" in declined.output
    assert passports_in(home)[0].state is PassportState.ACTIVE
    accepted = TerminalRunner().invoke(cli, ["revoke", entry.id, "--home", str(home)], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert passports_in(home)[0].state is PassportState.REVOKED
    assert (
        run(
            "issue", record_file(tmp_path / "r2.json"), "--home", home, "-o", tmp_path / "p2.json"
        ).code
        == 0
    )
    second = next(p for p in passports_in(home) if p.id != entry.id)
    quiet = TerminalRunner().invoke(
        cli, ["revoke", second.id, "--yes", "--home", str(home)], input=""
    )
    assert quiet.exit_code == 0, quiet.output
    assert "final" not in quiet.output


# --- finding 9: scripts without a terminal ----------------------------------------------------

_PASSPHRASE_COMMANDS = [
    ("org", "init"),
    ("org", "rotate-key"),
    ("issue",),
    ("status", "publish"),
    ("bundle",),
    ("trust-list", "sign"),
]


@pytest.mark.parametrize("command", _PASSPHRASE_COMMANDS)
def test_f09_every_help_that_needs_the_passphrase_names_innopass_passphrase(
    run: Any, command: tuple[str, ...]
) -> None:
    result = run(*command, "--help")
    assert result.code == 0
    assert "INNOPASS_PASSPHRASE" in result.out


def test_f09_the_record_is_checked_before_the_passphrase_is_asked_for(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = home_for(run, tmp_path / "rf4")
    monkeypatch.delenv("INNOPASS_PASSPHRASE")
    other = record_file(tmp_path / "other.json")
    value = json.loads(other.read_text())
    value["assessing_org"]["ods_code"] = "R1H"
    write(other, value)
    result = TerminalRunner().invoke(
        cli, ["issue", str(other), "--home", str(home)], input=f"{PASS}\n"
    )
    assert result.exit_code == 1
    assert "passphrase" not in result.output.lower()  # refused before any prompt
    assert "/assessing_org/ods_code" in result.output


def test_f09_no_terminal_and_no_variable_is_one_clear_line_without_a_warning(
    run: Any, tmp_path: Path
) -> None:
    home = home_for(run, tmp_path / "rf4")
    env = {k: v for k, v in os.environ.items() if k != "INNOPASS_PASSPHRASE"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "innopass",
            "issue",
            str(record_file(tmp_path / "r.json")),
            "--home",
            str(home),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "INNOPASS_PASSPHRASE" in done.stderr
    assert "Warning" not in done.stderr


# --- finding 10: nothing listed what you hold -------------------------------------------------


def test_f10_passport_list_and_show_for_the_issuer(run: Any, tmp_path: Path) -> None:
    home = home_for(run, tmp_path / "rf4")
    assert run("passport", "list", "--home", home).code == 0
    assert (
        run(
            "issue", record_file(tmp_path / "r.json"), "--home", home, "-o", tmp_path / "p.json"
        ).code
        == 0
    )
    [entry] = passports_in(home)
    listed = run("passport", "list", "--home", home)
    assert listed.code == 0
    assert entry.id in listed.out
    assert "ArgentaCare" in listed.out
    lines = [
        json.loads(line)
        for line in run("passport", "list", "--json", "--home", home).out.splitlines()
    ]
    assert [(line["id"], line["state"]) for line in lines] == [(entry.id, "active")]
    shown = run("passport", "show", entry.id, "--home", home)
    assert shown.code == 0
    assert entry.record_id in shown.out
    assert run("passport", "show", tmp_path / "p.json", "--home", home).out == shown.out


def test_f10_trust_show_and_unpin_for_the_verifier(run: Any, tmp_path: Path) -> None:
    org = Org.did_web()
    verifier = tmp_path / "r1h"
    empty = run("trust", "show", "--home", verifier)
    assert empty.code == 0
    assert "innopass trust pin-anchor" in empty.out
    assert (
        run(
            "trust",
            "pin-issuer",
            write(tmp_path / "rf4.json", org.description()),
            "--home",
            verifier,
        ).code
        == 0
    )
    shown = run("trust", "show", "--home", verifier)
    assert "RF4" in shown.out
    assert org.did in shown.out
    unpinned = run("trust", "unpin", "RF4", "--home", verifier)
    assert unpinned.code == 0, unpinned
    assert org.did in unpinned.out
    assert org.did not in run("trust", "show", "--home", verifier).out
    again = run("trust", "unpin", org.did, "--home", verifier)
    assert again.code == 2


def test_f10_a_command_in_the_wrong_group_points_to_the_right_one(run: Any) -> None:
    result = run("trust-list", "import", "x.json")
    assert result.code == 2
    assert "innopass trust import FILE" in result.err
    assert "did you mean" not in result.err.lower()
    other = run("trust", "sign")
    assert "innopass trust-list sign" in other.err


# --- finding 12: wrong kinds of file ----------------------------------------------------------


def test_f12_a_record_given_to_verify_is_an_input_error(run: Any, tmp_path: Path) -> None:
    record = write(tmp_path / "record.json", example("device"))
    text = run("verify", record, "--home", tmp_path / "h")
    assert text.code == 2
    assert "assessment record, not a passport" in text.err
    line = json.loads(run("verify", record, "--json", "--home", tmp_path / "h").out)
    assert line["error"]["code"] == "wrong-kind-of-file"


def test_f12_a_passport_saved_with_a_byte_order_mark_verifies(run: Any, tmp_path: Path) -> None:
    org = Org.did_key()
    target = tmp_path / "bom.json"
    target.write_bytes(b"\xef\xbb\xbf" + json.dumps(passport(org)).encode())
    result = run(
        "verify", target, "--trust-issuer", write(tmp_path / "o.json", org.description()),
        "--status-list", write(tmp_path / "r.json", org.status_list("revocation")),
        "--status-list", write(tmp_path / "s.json", org.status_list("suspension")),
        *AT, "--home", tmp_path / "h",
    )  # fmt: skip
    assert result.code == 0, result


def test_f12_revoke_of_a_record_or_a_missing_file_says_what_it_is(run: Any, tmp_path: Path) -> None:
    home = home_for(run, tmp_path / "rf4")
    record = record_file(tmp_path / "record.json")
    wrong = run("revoke", record, "--home", home)
    assert wrong.code == 2
    assert "assessment record, not a passport" in wrong.err
    missing = run("revoke", tmp_path / "nosuch.json", "--home", home)
    assert missing.code == 2
    assert "no such file" in missing.err
    assert len(missing.err.strip().splitlines()) == 1


def test_f12_did_web_given_as_a_url_names_the_host_to_give(run: Any, tmp_path: Path) -> None:
    result = run(
        "org", "init", "--ods", "RF4", "--name", "X", "--did-web", "https://rf4.nhs.example",
        "--home", tmp_path / "rf4",
    )  # fmt: skip
    assert result.code == 2
    assert "--did-web rf4.nhs.example" in result.err
    assert "port" not in result.err
    assert not (tmp_path / "rf4").exists()


def test_f12_standard_input_is_accepted_where_a_file_is_read(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stdin(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    record = record_file(tmp_path / "r.json")
    stdin(record.read_bytes())
    assert run("record", "validate", "-").code == 0
    home = home_for(run, tmp_path / "rf4")
    stdin(record.read_bytes())
    issued = run("issue", "-", "--home", home, "-o", tmp_path / "p.json")
    assert issued.code == 0, issued
    stdin((tmp_path / "p.json").read_bytes())
    assert run("passport", "show", "-", "--home", home).code == 0
    assert run("org", "export", "--home", home, "-o", tmp_path / "rf4.json").code == 0
    stdin((tmp_path / "rf4.json").read_bytes())
    pinned = run("trust", "pin-issuer", "-", "--home", tmp_path / "r1h")
    assert pinned.code == 0, pinned


# --- finding 14: freshness --------------------------------------------------------------------


def test_f14_the_status_list_date_a_verdict_relied_on_is_shown(run: Any, tmp_path: Path) -> None:
    org = Org.did_key()
    revocation = org.status_list("revocation")
    files = [
        "--trust-issuer", write(tmp_path / "o.json", org.description()),
        "--status-list", write(tmp_path / "r.json", revocation),
        "--status-list", write(tmp_path / "s.json", org.status_list("suspension")),
    ]  # fmt: skip
    target = write(tmp_path / "p.json", passport(org))
    text = run("verify", target, *files, *AT, "--home", tmp_path / "h")
    assert text.code == 0
    assert f"revocation list signed {revocation['validFrom']}" in text.out
    line = json.loads(run("verify", target, *files, *AT, "--json", "--home", tmp_path / "h").out)
    assert line["status_sources"][0]["valid_from"] == revocation["validFrom"]
    assert line["checked_at"] == "2026-05-01T09:30:00Z"
    assert "+00:00" not in text.out  # one time format


# --- finding 15: help -------------------------------------------------------------------------


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_f15_summaries_in_the_help_are_never_cut_mid_sentence(run: Any) -> None:
    for path in [(), *[c for c in _commands(cli) if isinstance(_command(c), click.Group)]]:
        out = run(*path, "--help").out
        listing = out.split("Commands:", 1)[1] if "Commands:" in out else ""
        assert "..." not in listing, (path, listing)


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def test_f15_every_help_has_examples(run: Any) -> None:
    missing = [
        " ".join(path)
        for path in _commands(cli)
        if not re.search(r"^\s*Examples?:\s*$", run(*path, "--help").out, re.M)
    ]
    assert missing == []


def test_f15_verify_help_names_its_json_schema(run: Any) -> None:
    assert "verify-output.schema.json" in run("verify", "--help").out


def test_f15_quiet_prints_one_line_per_file_and_the_summary(run: Any, tmp_path: Path) -> None:
    org = Org.did_key()
    files = [write(tmp_path / f"p{i}.json", passport(org)) for i in range(3)]
    result = run(
        "verify", *files, "--quiet", "--trust-issuer", org.did, *AT, "--home", tmp_path / "h"
    )
    lines = result.out.strip().splitlines()
    assert lines[:3] == [f"indeterminate  {f}" for f in files]
    assert lines[3] == "3 files: 3 indeterminate"
    assert len(lines) == 4


def test_f15_rich_and_segno_are_loaded_only_by_show() -> None:
    """`innopass --help` and `innopass verify` stay fast: the view libraries load lazily."""
    code = (
        "import sys\n"
        "from innopass.cli import main\n"
        "for argv in (['--help'], ['verify', '--help'], ['verify', 'nosuch.json']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'segno')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
