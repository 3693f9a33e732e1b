"""``innopass verify`` and ``innopass trust`` end to end, run through ``innopass.cli.main``."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from innopass._internal.jsonio import dumps_pretty
from verifier_factory import (
    NOW,
    REVOCATION_INDEX,
    Org,
    bundle,
    jwt_passport,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
    trust_list,
)

AT = ["--at", "2026-05-01T09:30:00Z"]
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "verify-output.schema.json").read_text()
)


@pytest.fixture(autouse=True)
def _no_env_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNOPASS_HOME", raising=False)


def write(path: Path, value: Any) -> Path:
    path.write_text(value if isinstance(value, str) else dumps_pretty(value), encoding="utf-8")
    return path


@pytest.fixture
def org() -> Org:
    return Org.did_web(windows=[(NOW - timedelta(days=365), None)])


@pytest.fixture
def files(tmp_path: Path, org: Org) -> dict[str, Path]:
    return {
        "passport": write(tmp_path / "passport.json", passport(org)),
        "jwt": write(tmp_path / "passport.jwt", jwt_passport(org)),
        "org": write(tmp_path / "rf4.json", org.description()),
        "revocation": write(tmp_path / "revocation.json", org.status_list("revocation")),
        "suspension": write(tmp_path / "suspension.json", org.status_list("suspension")),
    }


def trusting(files: dict[str, Path]) -> list[str | Path]:
    return [
        "--trust-issuer", files["org"],
        "--status-list", files["revocation"],
        "--status-list", files["suspension"],
        *AT,
    ]  # fmt: skip


def test_verified_text_output(run: Any, tmp_path: Path, files: dict[str, Path]) -> None:
    result = run(
        "verify", files["passport"], files["jwt"], *trusting(files), "--home", tmp_path / "h"
    )
    assert result.code == 0, result
    assert result.out.count("✔ VERIFIED") == 2
    assert "passport.json" in result.out
    assert "RF4" in result.out
    assert "Local actions" in result.out
    assert "Outcome:" in result.out


def test_json_lines_in_input_order_match_the_schema(
    run: Any, tmp_path: Path, files: dict[str, Path]
) -> None:
    garbage = write(tmp_path / "garbage.json", "not a credential")
    result = run(
        "verify",
        files["jwt"],
        garbage,
        files["passport"],
        *trusting(files),
        "--json",
        "--home",
        tmp_path,
    )
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["file"] for line in lines] == [
        str(files["jwt"]),
        str(garbage),
        str(files["passport"]),
    ]
    assert [line["verdict"] for line in lines] == ["verified", "rejected", "verified"]
    assert lines[1]["failures"][0]["code"] == "malformed"
    validator = Draft202012Validator(SCHEMA)
    for line in lines:
        assert not list(validator.iter_errors(line))
    assert result.code == 1


def test_empty_store_is_not_an_error(run: Any, tmp_path: Path, files: dict[str, Path]) -> None:
    result = run("verify", files["passport"], "--json", *AT, "--home", tmp_path)
    line = json.loads(result.out)
    assert {f["code"] for f in line["failures"]} >= {"issuer-untrusted"}
    assert result.code == 1


def test_indeterminate_exit_3(run: Any, tmp_path: Path, files: dict[str, Path]) -> None:
    result = run(
        "verify", files["passport"], "--trust-issuer", files["org"], *AT, "--home", tmp_path
    )
    assert result.code == 3
    assert "? INDETERMINATE" in result.out
    assert "status-unavailable" in result.out


def test_revoked_exit_1(run: Any, tmp_path: Path, org: Org, files: dict[str, Path]) -> None:
    org.set_bit("revocation", REVOCATION_INDEX)
    write(files["revocation"], org.status_list("revocation"))
    result = run("verify", files["passport"], *trusting(files), "--json", "--home", tmp_path)
    assert result.code == 1
    assert [f["code"] for f in json.loads(result.out)["failures"]] == ["revoked"]


def test_bundle_with_anchor_and_trust_list(run: Any, tmp_path: Path, org: Org) -> None:
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    tl = write(tmp_path / "tl.json", trust_list(anchor, [org.trusted_issuer()]))
    b = write(tmp_path / "bundle.json", bundle(passport(org), org))
    result = run("verify", b, "--anchor", anchor.did, "--trust-list", tl, *AT, "--home", tmp_path)
    assert result.code == 0, result


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "missing.json"],
        ["verify", "{passport}", "--at", "yesterday"],
        ["verify", "{passport}", "--trust-list", "missing.json"],
        ["verify", "{passport}", "--trust-issuer", "{garbage}"],
        ["verify", "{passport}", "--trust-issuer", "{passport}"],
        ["verify", "{passport}", "--anchor", "did:web:anchor.example"],
        ["verify"],
    ],
)
def test_input_errors_exit_2_with_one_line(
    run: Any, tmp_path: Path, files: dict[str, Path], args: list[str]
) -> None:
    garbage = write(tmp_path / "garbage.txt", "{")
    names = {"passport": files["passport"], "garbage": garbage}
    result = run(*[a.format(**names) for a in args], "--home", tmp_path)
    assert result.code == 2, result
    assert result.err.strip()


def _special_files(tmp_path: Path) -> list[Path]:
    """Files that are not regular files: reading them must not hang or exhaust memory."""
    special = [tmp_path]
    if Path("/dev/zero").exists():
        special.append(Path("/dev/zero"))
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        special.append(fifo)
    return special


def test_devices_and_fifos_are_input_errors(
    run: Any, tmp_path: Path, files: dict[str, Path]
) -> None:
    home = tmp_path / "h"
    for special in _special_files(tmp_path):
        for args in (
            # a directory argument is searched for passports (test_cli_batch.py)
            *([["verify", special]] if not special.is_dir() else []),
            ["verify", files["passport"], "--trust-list", special],
            ["verify", files["passport"], "--status-list", special],
            ["verify", files["passport"], "--trust-issuer", special],
            ["trust", "import", special],
            ["trust", "pin-anchor", special],
        ):
            result = (
                run(*args, *AT, "--home", home)
                if args[0] == "verify"
                else run(*args, "--home", home)
            )
            assert result.code == 2, (args, result)
            assert result.err.strip()


def test_oversized_file_is_rejected_as_malformed(
    run: Any, tmp_path: Path, files: dict[str, Path]
) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # sparse: nothing is written but the size
        handle.truncate(9 * 1024 * 1024)
    result = run("verify", big, "--json", *AT, "--home", tmp_path)
    assert result.code == 1, result
    assert [f["code"] for f in json.loads(result.out)["failures"]] == ["malformed"]
    assert run("trust", "import", big, "--home", tmp_path).code == 2


# --- trust commands ----------------------------------------------------------------


def test_trust_store_workflow(run: Any, tmp_path: Path, org: Org, files: dict[str, Path]) -> None:
    home = tmp_path / "r1h"
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    v1 = write(tmp_path / "v1.json", trust_list(anchor, [org.trusted_issuer()], version=1))
    v2 = write(tmp_path / "v2.json", trust_list(anchor, [org.trusted_issuer()], version=2))
    assert run("trust", "import", v2, "--home", home).code == 1  # no anchor pinned yet
    assert run("trust", "pin-anchor", anchor.did, "--home", home).code == 0
    assert run("trust", "import", v2, "--home", home).code == 0
    rollback = run("trust", "import", v1, "--home", home)
    assert rollback.code == 1
    assert "trust-list-rollback" in rollback.err
    for purpose in ("revocation", "suspension"):
        assert run("trust", "import", files[purpose], "--home", home, *AT).code == 0
    assert run("verify", files["passport"], *AT, "--home", home).code == 0
    # run-only additions are not persisted
    assert run("verify", files["passport"], "--trust-list", v1, *AT, "--home", home).code == 1
    assert run("verify", files["passport"], *AT, "--home", home).code == 0
    cached = list((home / "verifier" / "status").glob("*.json"))
    assert len(cached) == 2
    assert all("fetchedAt" in json.loads(p.read_text()) for p in cached)


def test_pin_issuer(run: Any, tmp_path: Path, org: Org, files: dict[str, Path]) -> None:
    home = tmp_path / "h"
    refused = run("trust", "pin-issuer", org.did, "--home", home)
    assert refused.code == 2
    assert "description" in refused.err
    assert run("trust", "pin-issuer", files["org"], "--home", home).code == 0
    key_org = Org.did_key()
    assert run("trust", "pin-issuer", key_org.did, "--home", home).code == 0
    assert len(list((home / "verifier" / "issuers").glob("*.json"))) == 2


def test_import_bundle_and_non_trust_file(
    run: Any, tmp_path: Path, org: Org, files: dict[str, Path]
) -> None:
    home = tmp_path / "h"
    assert run("trust", "pin-issuer", files["org"], "--home", home).code == 0
    b = write(tmp_path / "bundle.json", bundle(passport(org), org))
    assert run("trust", "import", b, "--home", home, *AT).code == 0
    assert run("verify", files["passport"], *AT, "--home", home).code == 0
    assert run("trust", "import", files["passport"], "--home", home).code == 2


def test_importing_a_bundle_says_when_its_trust_list_is_not_taken(
    run: Any, tmp_path: Path, org: Org
) -> None:
    anchor = Org.did_key(ods="X26", name="NHS ENGLAND")
    home = tmp_path / "h"
    assert run("trust", "pin-anchor", anchor.did, "--home", home).code == 0
    listed = trust_list(anchor, [org.trusted_issuer()])
    b = write(tmp_path / "bundle.json", bundle(passport(org), org, trust=listed))
    first = run("trust", "import", b, "--home", home, *AT)
    assert first.code == 0, first
    assert "trust list version" in first.out
    again = run("trust", "import", b, "--home", home, *AT)  # the same version: not newer
    assert again.code == 0, again
    assert "trust list version" not in again.out
    assert "not newer" in again.out  # said, not silently dropped


# --- hardening: did:web by DID alone, claimed identity, --at limits, batch input errors ---


def test_trust_issuer_did_web_by_did_alone_is_refused(
    run: Any, tmp_path: Path, org: Org, files: dict[str, Path]
) -> None:
    result = run(
        "verify",
        files["passport"],
        "--trust-issuer", org.did,
        "--status-list", files["revocation"],
        "--status-list", files["suspension"],
        *AT, "--home", tmp_path,
    )  # fmt: skip
    assert result.code == 2, result
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert "description" in result.err
    assert org.did in result.err


def test_trust_issuer_did_key_by_did_marks_claims(run: Any, tmp_path: Path) -> None:
    key_org = Org.did_key()
    p = write(tmp_path / "p.json", passport(key_org))
    lists = [
        write(tmp_path / f"{purpose}.json", key_org.status_list(purpose))
        for purpose in ("revocation", "suspension")
    ]
    common = ["--trust-issuer", key_org.did, "--status-list", lists[0], "--status-list", lists[1]]
    text = run("verify", p, *common, *AT, "--home", tmp_path / "h")
    assert text.code == 0, text
    assert "claimed, not verified" in text.out
    as_json = run("verify", p, *common, "--json", *AT, "--home", tmp_path / "h")
    assert as_json.code == 0, as_json
    line = json.loads(as_json.out)
    assert line["issuer"]["claimed"] is True
    assert line["issuer"]["ods_code"] == key_org.ods
    assert not list(Draft202012Validator(SCHEMA).iter_errors(line))


def test_described_issuer_is_not_marked_claimed(
    run: Any, tmp_path: Path, files: dict[str, Path]
) -> None:
    text = run("verify", files["passport"], *trusting(files), "--home", tmp_path / "h")
    assert text.code == 0, text
    assert "claimed" not in text.out
    as_json = run("verify", files["passport"], *trusting(files), "--json", "--home", tmp_path)
    assert json.loads(as_json.out)["issuer"]["claimed"] is False


@pytest.mark.parametrize(
    "at",
    [
        "9999-12-31T23:58:00Z",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-01:00",
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_at_out_of_range_exits_2(run: Any, tmp_path: Path, files: dict[str, Path], at: str) -> None:
    result = run("verify", files["passport"], "--at", at, "--home", tmp_path)
    assert result.code == 2, result
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1


def test_valid_until_9999_verifies(
    run: Any, tmp_path: Path, org: Org, files: dict[str, Path]
) -> None:
    p = write(
        tmp_path / "far.json",
        passport(org, valid_until=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    )
    result = run("verify", p, *trusting(files), "--json", "--home", tmp_path)
    assert result.code == 0, result
    assert json.loads(result.out)["passport"]["valid_until"] == "9999-12-31T23:59:59Z"


@pytest.mark.parametrize("as_json", [True, False])
def test_unreadable_file_in_a_batch_does_not_abort_it(
    run: Any, tmp_path: Path, files: dict[str, Path], as_json: bool
) -> None:
    missing = tmp_path / "missing.json"
    directory = tmp_path / "a-directory"
    directory.mkdir()
    result = run(
        "verify", files["passport"], missing, directory, files["jwt"],
        *trusting(files), *(["--json"] if as_json else []), "--home", tmp_path / "h",
    )  # fmt: skip
    assert result.code == 2, result
    summary = "4 files: 2 verified, 2 unreadable"
    if as_json:
        assert result.err.strip() == summary
        lines = [json.loads(line) for line in result.out.splitlines()]
        assert [line["file"] for line in lines] == [
            str(files["passport"]), str(missing), str(directory), str(files["jwt"])
        ]  # fmt: skip
        assert [line.get("verdict") for line in lines] == ["verified", None, None, "verified"]
        assert [line["error"]["code"] for line in lines[1:3]] == ["file-unreadable"] * 2
    else:
        errors = result.err.strip().splitlines()
        assert len(errors) == 2
        assert str(missing) in errors[0]
        assert str(directory) in errors[1]
        assert result.out.count("✔ VERIFIED") == 2
        assert str(files["jwt"]) in result.out
        assert result.out.strip().splitlines()[-1] == summary
