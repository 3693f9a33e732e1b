"""``innopass verify`` over many files: directories, ``--files-from``, worker processes,
input order, the summary line and the exit-code precedence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from innopass._internal.jsonio import dumps_pretty
from innopass.cli._batch import CHUNK, expand
from verifier_factory import (
    NOW,
    Org,
    jwt_passport,
    no_fetching,  # noqa: F401 - autouse: any network attempt fails the test
    passport,
)

AT = ["--at", "2026-05-01T09:30:00Z"]
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "verify-output.schema.json").read_text()
)


@pytest.fixture(autouse=True)
def _no_env_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNOPASS_HOME", raising=False)


@pytest.fixture(scope="module")
def org() -> Org:
    from datetime import timedelta

    return Org.did_web(windows=[(NOW - timedelta(days=365), None)])


def _write(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else dumps_pretty(value), encoding="utf-8")
    return path


@pytest.fixture
def catalogue(tmp_path: Path, org: Org) -> tuple[Path, list[str], list[str]]:
    """A directory tree of good, tampered and tampered passports (more than two chunks),
    with every file's path and its expected verdict, in the order ``verify`` reports."""
    root = tmp_path / "catalogue"
    good = passport(org)
    tampered = json.loads(json.dumps(good))
    tampered["credentialSubject"]["assessmentRecord"]["product"]["name"] = "Something else"
    made: list[tuple[Path, str]] = []
    for i in range(2 * CHUNK + 7):
        folder = root / f"supplier-{i % 3}"
        if i % 10 == 3:
            made.append((_write(folder / f"p{i:03}.json", tampered), "rejected"))
        elif i % 10 == 7:
            made.append((_write(folder / f"p{i:03}.jwt", jwt_passport(org)), "verified"))
        else:
            made.append((_write(folder / f"p{i:03}.json", good), "verified"))
    _write(root / "notes.txt", "not a passport, and not searched for")
    made.sort(key=lambda item: (item[0].parent.name, item[0].name))
    return root, [str(p) for p, _ in made], [v for _, v in made]


def _trust(tmp_path: Path, org: Org) -> list[str | Path]:
    return [
        "--trust-issuer", _write(tmp_path / "rf4.json", org.description()),
        "--status-list", _write(tmp_path / "rev.json", org.status_list("revocation")),
        "--status-list", _write(tmp_path / "sus.json", org.status_list("suspension")),
        *AT,
    ]  # fmt: skip


def test_expand_sorts_recurses_and_keeps_order_of_arguments(tmp_path: Path) -> None:
    _write(tmp_path / "d" / "b" / "2.json", {})
    _write(tmp_path / "d" / "a" / "9.jwt", "x")
    _write(tmp_path / "d" / "1.jws", "x")
    _write(tmp_path / "d" / "skip.txt", "x")
    (tmp_path / "empty").mkdir()
    names = list(expand(["z.json", str(tmp_path / "d"), "-", str(tmp_path / "empty")]))
    assert names == [
        "z.json",
        str(tmp_path / "d" / "1.jws"),
        str(tmp_path / "d" / "a" / "9.jwt"),
        str(tmp_path / "d" / "b" / "2.json"),
        "-",
        str(tmp_path / "empty"),  # reported as unreadable, never silently dropped
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_directory_in_input_order_with_any_number_of_workers(
    run: Any, tmp_path: Path, org: Org, catalogue: tuple[Path, list[str], list[str]], jobs: str
) -> None:
    root, names, verdicts = catalogue
    result = run(
        "verify", root, "--json", "--jobs", jobs, *_trust(tmp_path, org), "--home", tmp_path / "h"
    )
    assert result.code == 1, result  # some are tampered
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["file"] for line in lines] == names
    assert [line["verdict"] for line in lines] == verdicts
    validator = Draft202012Validator(SCHEMA)
    for line in lines:
        validator.validate(line)
    rejected = [line for line in lines if line["verdict"] == "rejected"]
    codes = {f["code"] for line in rejected for f in line["failures"]}
    assert codes == {"signature-invalid", "digest-mismatch"}
    counts = f"{verdicts.count('verified')} verified, {verdicts.count('rejected')} rejected"
    assert result.err.strip() == f"{len(names)} files: {counts}"


def test_one_and_two_workers_print_the_same(
    run: Any, tmp_path: Path, org: Org, catalogue: tuple[Path, list[str], list[str]]
) -> None:
    root, _, _ = catalogue
    trust = _trust(tmp_path, org)
    one = run("verify", root, "--jobs", "1", *trust, "--home", tmp_path / "h")
    two = run("verify", root, "--jobs", "2", *trust, "--home", tmp_path / "h")
    assert (one.code, one.out, one.err) == (two.code, two.out, two.err)
    assert one.out.count("✖ REJECTED") == 7


def test_files_from_adds_to_the_arguments(
    run: Any, tmp_path: Path, org: Org, catalogue: tuple[Path, list[str], list[str]]
) -> None:
    _, names, verdicts = catalogue
    good = [n for n, v in zip(names, verdicts, strict=True) if v == "verified"]
    listing = _write(tmp_path / "list.txt", "\n".join(good[1:5]) + "\n\n")
    result = run(
        "verify", good[0], "--files-from", listing, "--json", *_trust(tmp_path, org),
        "--home", tmp_path / "h",
    )  # fmt: skip
    assert result.code == 0, result
    assert [json.loads(line)["file"] for line in result.out.splitlines()] == good[:5]


def test_no_input_at_all_is_a_usage_error(run: Any, tmp_path: Path) -> None:
    empty = _write(tmp_path / "empty.txt", "\n")
    for args in (["verify"], ["verify", "--files-from", empty]):
        result = run(*args, "--home", tmp_path / "h")
        assert result.code == 2, result
        assert result.err.startswith("innopass: error:")


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["verified", "verified"], 0),
        (["verified", "indeterminate"], 3),
        (["indeterminate", "unreadable"], 2),
        (["unreadable", "rejected", "indeterminate"], 1),
        (["verified", "rejected"], 1),
    ],
)
def test_exit_code_precedence(
    run: Any, tmp_path: Path, org: Org, kinds: list[str], expected: int
) -> None:
    """A rejection is never hidden by an unreadable file, nor either by an indeterminate."""
    other = Org.did_key(ods="RRK", name="OTHER NHS TRUST")  # its status lists are not held
    good = passport(org)
    tampered = json.loads(json.dumps(good))
    tampered["validUntil"] = "2099-01-01T00:00:00Z"
    made = {"verified": good, "rejected": tampered, "indeterminate": passport(other)}
    paths = []
    for i, kind in enumerate(kinds):
        path = tmp_path / f"{i}-{kind}.json"
        if kind in made:
            _write(path, made[kind])
        paths.append(path)  # "unreadable": never written
    result = run(
        "verify", *paths, "--json", *_trust(tmp_path, org), "--trust-issuer", other.did,
        "--home", tmp_path / "h",
    )  # fmt: skip
    assert result.code == expected, result
    verdicts = [json.loads(line).get("verdict", "unreadable") for line in result.out.splitlines()]
    assert verdicts == kinds
