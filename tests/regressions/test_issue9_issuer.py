"""Issue 9, reproduced holes on the issuer side: each test failed on the code before its fix.

Retired and leaked keys (hole 1), ledger tampering (hole 4) and the smaller ones
(hole 6).
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from innopass._internal.jsonio import JSONObject, load_file_strict
from innopass._internal.proof import ProofOptions, add_proof
from innopass._internal.suites import suite_for_key
from innopass.errors import KeyMaterialError, PassphraseError
from innopass.issuer import Issuer, OrganisationHome
from innopass.record import example
from innopass.trust import OrganisationDescription
from innopass.verifier import TrustStore, Verifier

pytestmark = pytest.mark.usefixtures("fast_kdf")

PASS = "issue nine passphrase"
T0 = datetime(2026, 6, 1, 10, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def record() -> JSONObject:
    value = example("device")
    value["record_id"] = f"urn:uuid:{uuid.uuid4()}"
    return value


def web_home(tmp_path: Path, clock: Clock, name: str = "rf4") -> OrganisationHome:
    return OrganisationHome.init(
        tmp_path / name,
        ods_code="RF4",
        name="Barking",
        passphrase=PASS,
        did_web="rf4.nhs.example",
        clock=clock,
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOPASS_PASSPHRASE", PASS)


# --- hole 1: a leaked retired key -------------------------------------------------------------


def test_rotation_destroys_the_retired_private_key(tmp_path: Path) -> None:
    clock = Clock()
    home = web_home(tmp_path, clock)
    old = home.current_key_id()
    old_file = home.key_path(old)
    assert old_file.exists()
    home.rotate_key(PASS, clock=clock)
    assert not old_file.exists()
    assert list(home.keys_dir.glob("*.pem")) == [home.key_path(home.current_key_id())]
    with pytest.raises(KeyMaterialError):
        home.load_key(old, PASS)


def test_compromise_key_marks_a_retired_key_and_forgeries_fail(
    tmp_path: Path, run: Callable[..., Any], env: None
) -> None:
    clock = Clock()
    home = web_home(tmp_path, clock)
    old = home.current_key_id()
    leaked = home.load_key(old, PASS)  # what a thief copied before the rotation
    clock.now += timedelta(hours=1)
    home.rotate_key(PASS, clock=clock)
    clock.now += timedelta(hours=1)
    with Issuer.from_home(home.path, passphrase=PASS, clock=clock) as issuer:
        honest = issuer.bundle(issuer.issue(record()).id).to_json()
        template = issuer.bundle(issuer.issue(record()).id).to_json()
    carried: Any = template["passport"]
    forged_passport = dict(carried)
    del forged_passport["proof"]
    forged_passport = add_proof(
        forged_passport,
        key=leaked,
        suite=suite_for_key(leaked.key_type),
        options=ProofOptions(verification_method=old, created=T0 + timedelta(minutes=10)),
    )
    forged = dict(template, passport=forged_passport)

    def verdicts() -> tuple[str, set[str], str]:
        store = TrustStore().with_issuer(home.description())
        verifier = Verifier(store, clock=clock)
        bad = verifier.verify(forged)
        return (
            str(bad.verdict),
            {f.code for f in bad.failures},
            str(verifier.verify(honest).verdict),
        )

    assert verdicts()[0] == "verified"  # the hole: a back-dated forgery verifies
    result = run("org", "compromise-key", old, "--home", home.path)
    assert result.code == 0, result.err
    window = home.description().key_window(old)
    assert window is not None
    assert window.compromised
    verdict, codes, honest_verdict = verdicts()
    assert verdict == "rejected"
    assert "key-compromised" in codes
    assert honest_verdict == "verified"
    exported = run("org", "export", "--home", home.path)
    assert '"compromised": true' in exported.out


def test_compromise_key_refuses_an_unknown_key(
    tmp_path: Path, run: Callable[..., Any], env: None
) -> None:
    home = web_home(tmp_path, Clock())
    result = run("org", "compromise-key", "did:web:rf4.nhs.example#key-9", "--home", home.path)
    assert result.code == 2
    assert result.err.startswith("innopass: error:")


# --- hole 4: the ledger can be edited without detection --------------------------------------


def _issue_and_revoke(home: OrganisationHome, clock: Clock) -> tuple[str, str]:
    with Issuer.from_home(home.path, passphrase=PASS, clock=clock) as issuer:
        first = issuer.issue(record()).id
        second = issuer.issue(record()).id
        issuer.revoke(first)
    return first, second


def test_an_sql_unrevoke_is_detected_and_status_publish_refuses(
    tmp_path: Path, run: Callable[..., Any], env: None
) -> None:
    clock = Clock()
    home = web_home(tmp_path, clock)
    first, _ = _issue_and_revoke(home, clock)
    with sqlite3.connect(home.ledger_path) as db:
        db.execute("UPDATE status_allocations SET value = 0 WHERE passport_id = ?", (first,))
    out = tmp_path / "published"
    result = run("status", "publish", "-o", out, "--home", home.path)
    assert result.code == 2
    assert "ledger" in result.err
    assert not out.exists() or not any(out.rglob("*"))
    assert run("ledger", "verify", "--home", home.path).code == 1
    shown = run("org", "show", "--home", home.path)
    assert "hash chain intact" not in shown.out
    assert run("revoke", first, "--home", home.path).code == 2
    assert run("issue", "--home", home.path, "-o", tmp_path / "p.json", tmp_path / "r").code == 2


def test_a_rewritten_chain_contradicts_what_was_published(
    tmp_path: Path, run: Callable[..., Any], env: None
) -> None:
    clock = Clock()
    home = web_home(tmp_path, clock)
    _, second = _issue_and_revoke(home, clock)
    published = tmp_path / "published"
    assert run("status", "publish", "-o", published, "--home", home.path).code == 0
    assert run("ledger", "verify", "--home", home.path, "--published", published).code == 0
    # delete the second passport and recompute the whole chain, triggers and all
    _rewrite_without(home.ledger_path, second)
    assert run("ledger", "verify", "--home", home.path).code == 1
    assert run("ledger", "verify", "--home", home.path, "--published", published).code == 1
    assert run("status", "publish", "-o", tmp_path / "again", "--home", home.path).code == 2


def test_restoring_an_old_backup_is_detected(
    tmp_path: Path, run: Callable[..., Any], env: None
) -> None:
    clock = Clock()
    home = web_home(tmp_path, clock)
    with Issuer.from_home(home.path, passphrase=PASS, clock=clock) as issuer:
        passport = issuer.issue(record()).id
    backup = tmp_path / "backup.sqlite"
    db, copy = sqlite3.connect(home.ledger_path), sqlite3.connect(backup)
    db.backup(copy)
    db.close()
    copy.execute("PRAGMA journal_mode = DELETE")
    copy.close()
    assert run("revoke", passport, "--home", home.path).code == 0
    published = tmp_path / "published"
    assert run("status", "publish", "-o", published, "--home", home.path).code == 0
    for suffix in ("-wal", "-shm"):
        Path(f"{home.ledger_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, home.ledger_path)  # the passport is active again in the ledger
    assert run("ledger", "verify", "--home", home.path).code == 1
    assert run("ledger", "verify", "--home", home.path, "--published", published).code == 1
    assert run("status", "publish", "-o", tmp_path / "again", "--home", home.path).code == 2


def _rewrite_without(path: Path, passport_id: str) -> None:
    """An attacker's rewrite: drop a passport and recompute the audit chain from scratch."""
    from innopass.issuer._ledger import GENESIS_HASH, _chain_hash

    db = sqlite3.connect(path)
    try:
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            if trigger != "status_allocations_count":
                db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DELETE FROM status_allocations WHERE passport_id = ?", (passport_id,))
        db.execute("DELETE FROM passports WHERE id = ?", (passport_id,))
        rows = db.execute(
            "SELECT at, action, subject, details_json FROM audit WHERE subject != ? ORDER BY seq",
            (passport_id,),
        ).fetchall()
        db.execute("DELETE FROM audit")
        prev = GENESIS_HASH
        import json

        for seq, (at, action, subject, details) in enumerate(rows, start=1):
            digest = _chain_hash(prev, seq, at, action, subject, json.loads(details))
            db.execute(
                "INSERT INTO audit (seq, at, action, subject, details_json, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, at, action, subject, details, prev, digest),
            )
            prev = digest
        db.commit()
    finally:
        db.close()


# --- hole 6: the smaller ones ----------------------------------------------------------------


def test_status_publish_does_not_follow_a_symlink_into_the_keys(
    tmp_path: Path, run: Callable[..., Any], env: None
) -> None:
    clock = Clock()
    home = web_home(tmp_path, clock)
    _issue_and_revoke(home, clock)
    out = tmp_path / "out"
    out.mkdir()
    (out / "revocation").symlink_to(home.keys_dir)
    before = sorted(p.name for p in home.keys_dir.iterdir())
    result = run("status", "publish", "-o", out, "--home", home.path)
    assert result.code == 2
    assert sorted(p.name for p in home.keys_dir.iterdir()) == before


def test_trust_list_sign_takes_a_scope_per_issuer(
    tmp_path: Path, run: Callable[..., Any], env: None
) -> None:
    anchor = OrganisationHome.init(tmp_path / "anchor", ods_code="X26", name="A", passphrase=PASS)
    rf4 = OrganisationHome.init(tmp_path / "rf4", ods_code="RF4", name="B", passphrase=PASS)
    r1h = OrganisationHome.init(tmp_path / "r1h", ods_code="R1H", name="C", passphrase=PASS)
    files = []
    for org in (rf4, r1h):
        path = tmp_path / f"{org.description().ods_code}.json"
        assert run("org", "export", "-o", path, "--home", org.path).code == 0
        files += ["--issuer", path]
    out = tmp_path / "list.json"
    result = run(
        "trust-list", "sign", *files, "--scope", "RF4=digital", "--scope", "device:clinical_safety",
        "-o", out, "--home", anchor.path,
    )  # fmt: skip
    assert result.code == 0, result.err
    signed: Any = load_file_strict(out)
    listed = signed["credentialSubject"]["trustedIssuers"]
    scopes = {i["odsCode"]: i["accreditedScopes"] for i in listed}
    assert scopes["RF4"] == [{"profiles": ["digital"], "domains": []}]
    assert scopes["R1H"] == [{"profiles": ["device"], "domains": ["clinical_safety"]}]
    bad = run(
        "trust-list", "sign", *files, "--scope", "R99=digital", "-o", out, "--home", anchor.path
    )
    assert bad.code == 2


def test_a_truncated_key_file_is_reported_as_damaged_not_a_wrong_passphrase(
    tmp_path: Path,
) -> None:
    home = web_home(tmp_path, Clock())
    path = home.key_path(home.current_key_id())
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(KeyMaterialError) as info:
        Issuer.from_home(home.path, passphrase=PASS)
    assert not isinstance(info.value, PassphraseError)
    assert info.value.code == "key-file-damaged"


def test_a_read_only_verifier_home_gives_a_clear_error(
    tmp_path: Path, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rf4 = OrganisationHome.init(tmp_path / "rf4", ods_code="RF4", name="B", passphrase=PASS)
    description = tmp_path / "rf4.json"
    assert run("org", "export", "-o", description, "--home", rf4.path).code == 0

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("innopass.verifier._home.atomic_write", read_only)
    result = run("trust", "pin-issuer", description, "--home", tmp_path / "verifier")
    assert result.code == 2
    assert "internal error" not in result.err
    assert "Read-only" in result.err


def test_a_corrupted_ledger_gives_a_clear_error_on_org_show(
    tmp_path: Path, run: Callable[..., Any], env: None
) -> None:
    clock = Clock()
    home = web_home(tmp_path, clock)
    _issue_and_revoke(home, clock)
    with sqlite3.connect(home.ledger_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(home.ledger_path.read_bytes())
    for i in range(4096, len(data), 7):
        data[i] = 0xA5
    home.ledger_path.write_bytes(bytes(data))
    result = run("org", "show", "--home", home.path)
    assert result.code == 2
    assert "internal error" not in result.err
    assert result.err.startswith("innopass: error:")
    assert OrganisationDescription is not None
