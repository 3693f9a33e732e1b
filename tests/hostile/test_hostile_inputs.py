"""The hostile-input suite: every crafted case gets a coded failure, never ``verified``.

Each case (``cases.py``) is verified through the public ``Verifier``; the result
must name at least one failure code of the case's family, must not be
``verified``, must not be an internal error, and the verification must stay
within a bounded amount of memory (tracemalloc's peak, not wall-clock time).
A sample of the same files is then run through ``innopass verify`` itself.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cases import CASES, Case, Given, World

from innopass.verifier import TrustStore, Verifier
from verifier_factory import NOW, no_fetching, trust_list

__all__ = ["no_fetching"]

#: Peak Python memory one hostile verification may use, beyond its input.
MEMORY_BOUND = 64 * 1024 * 1024


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture(scope="module")
def verifier(world: World) -> Verifier:
    held = trust_list(world.anchor, [world.rf4.trusted_issuer()], version=5)
    store = (
        TrustStore().with_anchor(world.anchor.did).with_issuer(world.rf4.did).with_trust_list(held)
    )
    return Verifier(store, clock=lambda: NOW)


def test_there_are_at_least_a_hundred_cases() -> None:
    assert len(CASES) >= 100
    assert len({c.name for c in CASES}) == len(CASES)


def _verify(verifier: Verifier, world: World, given: Given) -> Any:
    lists = given.status_lists
    return verifier.verify(
        given.passport,
        trust_lists=given.trust_lists,
        status_lists=world.rf4.status_lists() if lists is None else lists,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_case(case: Case, world: World, verifier: Verifier) -> None:
    given = case.make(world)
    tracemalloc.start()
    try:
        result = _verify(verifier, world, given)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    codes = {f.code for f in result.failures}
    assert result.verdict != "verified", case.name
    assert not result.verified
    assert "internal-error" not in codes, [f.message for f in result.failures]
    assert codes & case.expected, (case.name, sorted(codes))
    assert peak < MEMORY_BOUND, f"{case.name}: {peak} bytes"
    json.dumps(result.to_json())  # the result is always reportable


def test_the_good_passport_verifies(world: World, verifier: Verifier) -> None:
    """The control: the cases break a passport that otherwise verifies."""
    from cases import _good

    result = _verify(verifier, world, Given(_good(world)))
    assert result.verdict == "verified", [f.code for f in result.failures]
    web = verifier.verify(
        _web(world),
        trust_lists=[trust_list(world.anchor, [world.web.trusted_issuer()], version=9)],
        status_lists=world.web.status_lists(),
    )
    assert web.verdict == "verified", [f.code for f in web.failures]


def _web(world: World) -> Any:
    from cases import _web_passport

    return _web_passport(world)


# --- the same inputs through the command line ---------------------------------------------


def _write(path: Path, value: Any) -> Path:
    if isinstance(value, bytes):
        path.write_bytes(value)
    elif isinstance(value, str):
        path.write_text(value)
    else:
        path.write_text(json.dumps(value))
    return path


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_case_on_the_command_line(
    case: Case, world: World, tmp_path: Path, run: Callable[..., Any]
) -> None:
    given = case.make(world)
    passport = _write(tmp_path / "passport", given.passport)
    args: list[Any] = [
        "verify",
        passport,
        "--home",
        tmp_path / "home",
        "--at",
        "2026-05-01T09:30:00Z",
    ]
    args += ["--trust-issuer", world.rf4.did]
    lists = world.rf4.status_lists() if given.status_lists is None else given.status_lists
    for i, item in enumerate(lists):
        args += ["--status-list", _write(tmp_path / f"list-{i}.json", item)]
    for i, item in enumerate(given.trust_lists):
        args += ["--trust-list", _write(tmp_path / f"trust-{i}.json", item)]
    if given.trust_lists:
        args += ["--anchor", world.anchor.did]
    tracemalloc.start()
    try:
        result = run(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.code in (1, 2, 3), (case.name, result.out, result.err)
    assert "internal error" not in result.err
    assert peak < MEMORY_BOUND, f"{case.name}: {peak} bytes"
    if result.code == 2:
        assert len(result.err.strip().splitlines()) == 1, result.err  # one line, naming the fix
    assert "verified" not in result.out.split("\n", 1)[0].lower().replace("not verified", "")


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: tmp / "missing.json",
        lambda tmp: tmp,  # a directory
        lambda tmp: Path("/dev/zero"),
        lambda tmp: Path("/dev/null"),
    ],
    ids=["missing", "directory", "dev-zero", "dev-null"],
)
def test_unreadable_inputs_on_the_command_line(
    make: Callable[[Path], Path], tmp_path: Path, run: Callable[..., Any]
) -> None:
    result = run("verify", make(tmp_path), "--home", tmp_path / "home")
    assert result.code in (1, 2, 3)
    assert result.err.startswith("innopass:") or result.out
    assert "internal error" not in result.err


def test_a_fifo_does_not_hang_verify(tmp_path: Path, run: Callable[..., Any]) -> None:
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = run("verify", fifo, "--home", tmp_path / "home")
    assert result.code in (1, 2, 3)
    assert "internal error" not in result.err


@pytest.mark.parametrize(
    "args",
    [
        ["verify"],
        ["verify", "--at", "not-a-time", "x.json"],
        ["verify", "--bogus", "x.json"],
        ["verify", "--trust-list", "/dev/zero", "x.json"],
        ["verify", "--trust-issuer", "did:web:" + "a" * 5000, "x.json"],
        ["verify", "--status-list", "/nonexistent", "x.json"],
        ["verify", "--anchor", "not-a-did", "x.json"],
        ["verify", "--at", "2026-02-30T00:00:00Z", "x.json"],
        ["trust", "import", "/dev/zero"],
        ["trust", "pin-issuer", "did:key:zGarbage"],
        ["ledger", "verify"],
        ["org", "compromise-key"],
    ],
    ids=lambda a: "-".join(str(x)[:20] for x in a),
)
def test_garbage_options(
    args: list[str], tmp_path: Path, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.json").write_text("{}")
    result = run(*args, "--home", tmp_path / "home")
    assert result.code in (1, 2, 3)
    assert result.err.startswith("innopass:")
    assert "internal error" not in result.err


def test_a_case_can_fail(world: World, verifier: Verifier) -> None:
    """The suite's assertion can fail: a verified passport matches no family."""
    from cases import _good

    result = _verify(verifier, world, Given(_good(world), status_lists=None))
    assert not ({f.code for f in result.failures} & CASES[0].expected)
    assert timedelta(0) == timedelta(0)


def test_a_folder_of_every_hostile_file_in_one_batch(
    world: World, tmp_path: Path, run: Callable[..., Any]
) -> None:
    """``innopass verify DIR --json``: one line per file, none verified, exit 1.

    Every case whose breakage is in the passport file itself (not in the status or
    trust lists beside it) goes into one folder, verified as one batch.
    """
    folder = tmp_path / "hostile"
    folder.mkdir()
    written = 0
    for number, case in enumerate(CASES):
        given = case.make(world)
        if given.status_lists is not None or given.trust_lists:
            continue
        suffix = ".jwt" if isinstance(given.passport, str) else ".json"
        _write(folder / f"{number:03d}-{case.name}{suffix}", given.passport)
        written += 1
    lists = [
        _write(tmp_path / f"list-{i}.json", item) for i, item in enumerate(world.rf4.status_lists())
    ]
    args: list[Any] = ["verify", folder, "--json", "--home", tmp_path / "home"]
    args += ["--at", "2026-05-01T09:30:00Z", "--trust-issuer", world.rf4.did]
    for path in lists:
        args += ["--status-list", path]
    result = run(*args)
    assert result.code == 1, result.err
    assert "internal error" not in result.err
    lines = [json.loads(line) for line in result.out.splitlines() if line.startswith("{")]
    verified = [line.get("file") for line in lines if line.get("verdict") == "verified"]
    assert verified == []
    assert len(lines) == written
