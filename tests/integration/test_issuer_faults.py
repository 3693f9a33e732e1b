"""Issuer faults: a full disk or a read-only home during issue, revoke, status publish and
rotate-key leaves the ledger and the published files consistent, and says so.

The write layer (``atomic_write``) and SQLite's commit are made to fail with ENOSPC
or EROFS; afterwards the ledger must still verify (``innopass ledger verify``), the
command must have printed one line saying what was (or was not) committed, and
nothing half-written may be left where a verifier would read it. A corrupted
ledger or key file is reported, never silently replaced.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from innopass.errors import ConfigurationError
from innopass.issuer import Issuer, OrganisationHome
from innopass.issuer._ledger import Ledger
from innopass.record import example

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "faults test passphrase"
#: Every module that writes through ``atomic_write`` under its own name.
WRITERS = (
    "innopass._internal.output",
    "innopass.issuer._home",
    "innopass.issuer._passport",
    "innopass._internal.files",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrganisationHome:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)
    return OrganisationHome.init(
        tmp_path / "rf4", ods_code="RF4", name="B", passphrase=PASS, did_web="rf4.nhs.example"
    )


@pytest.fixture
def record(tmp_path: Path) -> Path:
    value = example("device")
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(value))
    return path


def _failing_writes(monkeypatch: pytest.MonkeyPatch, code: int, *, only: str = "") -> None:
    import importlib

    def fail(path: Path, data: bytes, *, mode: int = 0o644) -> None:
        if only in str(path):
            raise OSError(code, errno.errorcode[code].replace("E", "", 1), str(path))
        real(path, data, mode=mode)

    from innopass._internal import files

    real = files.atomic_write
    for name in WRITERS:
        module = importlib.import_module(name)
        if hasattr(module, "atomic_write"):
            monkeypatch.setattr(module, "atomic_write", fail)


class _CommitFails:
    """A connection whose COMMIT fails as on a full disk (SQLite rolls back)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.strip().upper() == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


@pytest.fixture
def full_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = Ledger.open.__func__  # type: ignore[attr-defined]

    def opening(cls: type[Ledger], *args: Any, **kwargs: Any) -> Ledger:
        ledger: Ledger = real_open(cls, *args, **kwargs)
        ledger._db = _CommitFails(ledger._db)  # type: ignore[assignment]
        return ledger

    monkeypatch.setattr(Ledger, "open", classmethod(opening))


def _verifies(run: Callable[..., Any], home: OrganisationHome) -> bool:
    return bool(run("ledger", "verify", "--home", home.path).code == 0)


def _issue(run: Callable[..., Any], home: OrganisationHome, record: Path, out: Path) -> Any:
    return run("issue", record, "-o", out, "--home", home.path)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_issue_with_a_full_disk_keeps_the_passport_in_the_ledger(
    home: OrganisationHome,
    record: Path,
    tmp_path: Path,
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
) -> None:
    out = tmp_path / "passport.json"
    with monkeypatch.context() as patch:
        _failing_writes(patch, code, only="passport.json")
        result = _issue(run, home, record, out)
    assert result.code == 2
    assert "recorded in the ledger" in result.err
    assert "passport export" in result.err or "export" in result.err
    assert not out.exists()
    assert not list(tmp_path.glob(".passport.json.*"))  # no temporary file left
    assert _verifies(run, home)
    with home.open_ledger() as ledger:
        [entry] = list(ledger.passports())
    again = run("passport", "export", entry.id, "-o", out, "--home", home.path)
    assert again.code == 0
    assert out.read_text() == entry.credential_text


def test_issue_whose_commit_fails_records_nothing_and_writes_nothing(
    home: OrganisationHome, record: Path, tmp_path: Path, run: Callable[..., Any], full_ledger: None
) -> None:
    out = tmp_path / "passport.json"
    result = _issue(run, home, record, out)
    assert result.code == 2
    assert "ledger" in result.err
    assert not out.exists()


def test_revoke_whose_commit_fails_changes_nothing(
    home: OrganisationHome,
    record: Path,
    tmp_path: Path,
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _issue(run, home, record, tmp_path / "p.json").code == 0
    with home.open_ledger() as ledger:
        [entry] = list(ledger.passports())
    with monkeypatch.context() as patch:
        real_open = Ledger.open.__func__  # type: ignore[attr-defined]

        def opening(cls: type[Ledger], *args: Any, **kwargs: Any) -> Ledger:
            ledger: Ledger = real_open(cls, *args, **kwargs)
            ledger._db = _CommitFails(ledger._db)  # type: ignore[assignment]
            return ledger

        patch.setattr(Ledger, "open", classmethod(opening))
        result = run("revoke", entry.id, "--home", home.path)
    assert result.code == 2
    assert "commit" in result.err
    with home.open_ledger() as ledger:
        assert ledger.passport(entry.id).state.value == "active"
    assert _verifies(run, home)
    assert run("revoke", entry.id, "--home", home.path).code == 0


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_status_publish_with_a_full_disk_leaves_the_old_lists_and_says_what_was_signed(
    home: OrganisationHome,
    record: Path,
    tmp_path: Path,
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
) -> None:
    assert _issue(run, home, record, tmp_path / "p.json").code == 0
    out = tmp_path / "published"
    assert run("status", "publish", "-o", out, "--home", home.path).code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with home.open_ledger() as ledger:
        [entry] = list(ledger.passports())
    assert run("revoke", entry.id, "--home", home.path).code == 0
    with monkeypatch.context() as patch:
        _failing_writes(patch, code, only="published")
        result = run("status", "publish", "-o", out, "--home", home.path)
    assert result.code == 2
    assert "was signed" in result.err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # old, whole
    assert _verifies(run, home)
    assert run("ledger", "verify", "--home", home.path, "--published", out).code == 0
    assert run("status", "publish", "-o", out, "--home", home.path).code == 0
    assert run("ledger", "verify", "--home", home.path, "--published", out).code == 0


def test_status_publish_that_cannot_record_its_checkpoint_signs_nothing(
    home: OrganisationHome,
    record: Path,
    tmp_path: Path,
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _issue(run, home, record, tmp_path / "p.json").code == 0
    out = tmp_path / "published"
    with home.open_ledger() as ledger:
        before = len(ledger.audit_entries())
    with monkeypatch.context() as patch:
        _failing_writes(patch, errno.EROFS, only="organisation.json")
        result = run("status", "publish", "-o", out, "--home", home.path)
    assert result.code == 2
    assert "organisation.json" in result.err
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))
    with home.open_ledger() as ledger:
        assert len(ledger.audit_entries()) == before  # rolled back: nothing was signed
    assert _verifies(run, home)


@pytest.mark.parametrize("target", ["key-2.pem", "organisation.json"])
def test_rotate_key_with_a_full_disk_changes_nothing(
    home: OrganisationHome,
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    target: str,
) -> None:
    description = home.organisation_path.read_bytes()
    keys = sorted(p.name for p in home.keys_dir.iterdir())
    with monkeypatch.context() as patch:
        _failing_writes(patch, errno.ENOSPC, only=target)
        result = run("org", "rotate-key", "--home", home.path)
    assert result.code == 2
    assert result.err.startswith("innopass: error:")
    assert home.organisation_path.read_bytes() == description
    assert sorted(p.name for p in home.keys_dir.iterdir()) == keys
    assert _verifies(run, home)
    assert run("org", "rotate-key", "--home", home.path).code == 0
    assert sorted(p.name for p in home.keys_dir.iterdir()) == ["key-2.pem"]


def test_rotate_key_that_cannot_destroy_the_old_key_says_so(
    home: OrganisationHome, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import innopass.issuer._home as module

    def read_only(path: Path) -> None:
        raise ConfigurationError(f"cannot destroy the retired key file {path}: read-only")

    monkeypatch.setattr(module, "_destroy_file", read_only)
    result = run("org", "rotate-key", "--home", home.path)
    assert result.code == 2
    assert "rotated to" in result.err
    assert home.current_key_id().endswith("#key-2")  # the rotation itself is done
    assert "retired private key still on disk" in run("org", "show", "--home", home.path).out


def test_a_corrupted_key_file_is_reported_and_kept(
    home: OrganisationHome, record: Path, tmp_path: Path, run: Callable[..., Any]
) -> None:
    path = home.key_path(home.current_key_id())
    path.write_bytes(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n")
    result = _issue(run, home, record, tmp_path / "p.json")
    assert result.code == 2
    assert "damaged" in result.err
    assert path.read_bytes().startswith(b"-----BEGIN")  # never replaced
    assert run("org", "rotate-key", "--home", home.path).code == 2


def test_a_corrupted_ledger_is_reported_and_kept(
    home: OrganisationHome, record: Path, tmp_path: Path, run: Callable[..., Any]
) -> None:
    assert _issue(run, home, record, tmp_path / "p.json").code == 0
    damaged = b"not a database at all " * 300
    home.ledger_path.write_bytes(damaged)
    for suffix in ("-wal", "-shm"):
        Path(f"{home.ledger_path}{suffix}").unlink(missing_ok=True)
    for args in (
        ["org", "show"],
        ["ledger", "verify"],
        ["issue", record, "-o", tmp_path / "q.json"],
        ["status", "publish", "-o", tmp_path / "out"],
    ):
        result = run(*args, "--home", home.path)
        assert result.code in (1, 2), args
        assert "internal error" not in result.err
        assert result.err.startswith("innopass: error:"), (args, result.err)
    assert home.ledger_path.read_bytes() == damaged  # never silently replaced


def test_issuing_from_the_library_on_a_tampered_ledger_is_refused(
    home: OrganisationHome, record: Path
) -> None:
    from innopass.errors import LedgerTamperedError

    with Issuer.from_home(home.path, passphrase=PASS) as issuer:
        passport = issuer.issue(json.loads(record.read_text()))
        issuer.revoke(passport.id)
    db = sqlite3.connect(home.ledger_path)
    db.execute("UPDATE status_allocations SET value = 0")
    db.commit()
    db.close()
    with Issuer.from_home(home.path, passphrase=PASS) as issuer:
        with pytest.raises(LedgerTamperedError) as caught:
            # a new record (the same one again would be refused as a duplicate first)
            issuer.issue(
                {**json.loads(record.read_text()), "record_id": f"urn:uuid:{uuid.uuid4()}"}
            )
        assert caught.value.code == "ledger-tampered"
        with pytest.raises(LedgerTamperedError):
            issuer.signed_status_lists()
        with pytest.raises(LedgerTamperedError):
            issuer.suspend(passport.id)
