"""``innopass record template | example | validate`` through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from innopass._internal import schema
from innopass._internal.jsonio import dumps_pretty
from innopass.cli._record import record_group
from innopass.record import example

PROFILES = ["device", "digital", "diagnostic"]


@click.group()
def cli() -> None:
    """A stand-in for the ``innopass`` group."""


cli.add_command(record_group)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["record", *map(str, args)])


def write(path: Path, value: Any) -> Path:
    path.write_text(dumps_pretty(value), encoding="utf-8")
    return path


def assert_input_error(result: Result) -> None:
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "args",
    [(), ("template",), ("example",), ("validate",)],
)
def test_every_command_has_help(args: tuple[str, ...]) -> None:
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


@pytest.mark.parametrize("profile", PROFILES)
def test_validate_valid_example_exits_0(tmp_path: Path, profile: str) -> None:
    record = example(profile)
    result = run("validate", write(tmp_path / "r.json", record))
    assert result.exit_code == 0, result.output
    assert str(record["record_id"]) in result.stdout
    assert profile in result.stdout


def test_validate_invalid_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    record: Any = example("device")
    record["assessing_org"]["ods_code"] = "rf4"
    record["evidence"][0]["sha256"] = "not-a-digest"
    record["domains"] = [d for d in record["domains"] if d["domain"] != "regulatory"]
    record["unexpected"] = 1
    result = run("validate", write(tmp_path / "bad.json", record))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    expected = list(schema.iter_problems(record))
    assert len(expected) == 4
    assert lines[: len(expected)] == [str(p) for p in expected]
    for path in ("/assessing_org/ods_code", "/evidence/0/sha256", "/domains", "/:"):
        assert any(line.startswith(path) for line in lines)
    assert len(lines) == len(expected) + 1  # and a summary


def test_validate_json_output(tmp_path: Path) -> None:
    record: Any = example("digital")
    good = write(tmp_path / "good.json", record)
    record["record_version"] = 0
    record["profile"] = "tablet"
    bad = write(tmp_path / "bad.json", record)

    result = run("validate", good, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"file": str(good), "valid": True, "problems": []}

    result = run("validate", bad, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["file"] == str(bad)
    assert report["valid"] is False
    assert [p["path"] for p in report["problems"]] == ["/profile", "/record_version"]
    assert all(set(p) == {"path", "message"} for p in report["problems"])


def test_validate_not_an_object_is_invalid_not_an_input_error(tmp_path: Path) -> None:
    result = run("validate", write(tmp_path / "list.json", []))
    assert result.exit_code == 1
    assert result.stdout.startswith("/: ")


def test_validate_missing_file_exits_2(tmp_path: Path) -> None:
    assert_input_error(run("validate", tmp_path / "missing.json"))


def test_validate_directory_exits_2(tmp_path: Path) -> None:
    assert_input_error(run("validate", tmp_path))


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b'{"record_id": "a", "record_id": "b"}',
        b'{"n": NaN}',
        b"\xff\xfe{}",
    ],
    ids=["not-json", "empty", "duplicate-keys", "nan", "not-utf8"],
)
def test_validate_unparsable_file_exits_2(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    result = run("validate", path)
    assert_input_error(result)
    assert str(path) in result.stderr
    assert_input_error(run("validate", path, "--json"))


def test_template_to_stdout_and_to_file(tmp_path: Path) -> None:
    result = run("template")
    assert result.exit_code == 0
    blank = json.loads(result.stdout)
    assert blank["schema"]["id"] == schema.RECORD_SCHEMA_ID
    out = tmp_path / "blank.json"
    result = run("template", "-o", out)
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == blank
    # a blank record is to be filled in: validate says what is missing
    assert run("validate", out).exit_code == 1


@pytest.mark.parametrize("profile", PROFILES)
def test_example_writes_a_valid_record(tmp_path: Path, profile: str) -> None:
    out = tmp_path / f"{profile}.json"
    result = run("example", "--profile", profile, "--output", out)
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == dumps_pretty(example(profile))
    assert schema.is_valid(json.loads(out.read_text(encoding="utf-8")))
    assert run("validate", out).exit_code == 0


def test_example_defaults_to_device() -> None:
    result = run("example")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == example("device")


def test_example_unknown_profile_is_a_usage_error() -> None:
    assert run("example", "--profile", "consumable").exit_code == 2


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    assert_input_error(run("example", "-o", tmp_path / "no-such-dir" / "x.json"))
