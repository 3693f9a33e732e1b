"""Ledger tamper evidence: the chain's replay against the tables, and published checkpoints.

Each edit an attacker (or an accident) can make with SQL is made here, and
:meth:`Ledger.verify` must name it; a clean ledger must verify. Older ledgers
(layout 2, entries without the fields layout 3 adds) are upgraded and still verify.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ledger_layouts import undo_layout_4

from innopass._internal.jsonio import JSONObject
from innopass.errors import LedgerTamperedError
from innopass.issuer._ledger import (
    _SCHEMA,
    GENESIS_HASH,
    LEDGER_LAYOUT_VERSION,
    Ledger,
    PassportEntry,
    StatusAction,
    _chain_hash,
    _json_text,
    _split_statements,
)
from innopass.status import StatusPurpose
from innopass.trust import LedgerCheckpoint

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def ledger(path: Path) -> Iterator[Ledger]:
    with Ledger.open(path, create=True, clock=lambda: T0) as opened:
        for name in "abc":
            issue(opened, f"urn:uuid:{name}")
        with opened.transaction() as tx:
            tx.change_status("urn:uuid:a", StatusAction.REVOKE)
            tx.change_status("urn:uuid:b", StatusAction.SUSPEND)
        yield opened


def issue(ledger: Ledger, passport_id: str) -> None:
    with ledger.transaction() as tx:
        tx.require_intact()
        for purpose in StatusPurpose:
            tx.allocate_status(purpose, passport_id)
        tx.add_passport(
            PassportEntry(
                id=passport_id,
                record_id="urn:uuid:00000000-0000-4000-8000-000000000001",
                record_digest="ab" * 32,
                format="di",
                issued_at=T0,
                valid_until=T0 + timedelta(days=365),
                verification_method="did:web:example.org#key-1",
                status=(),
                credential_text=f'{{"id": "{passport_id}"}}\n',
            )
        )


def sql(path: Path, *statements: str, drop_triggers: bool = False) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        if drop_triggers:
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
                if name != "status_allocations_count":
                    db.execute(f"DROP TRIGGER {name}")
        for statement in statements:
            db.execute(statement)
    finally:
        db.close()


def problems(path: Path, *checkpoints: LedgerCheckpoint) -> tuple[str, ...]:
    with Ledger.open(path) as opened:
        return opened.verify([("published", c) for c in checkpoints]).problems


def test_a_clean_ledger_verifies(ledger: Ledger) -> None:
    report = ledger.verify()
    assert report.ok, report.problems
    assert report.passports == 3
    assert report.checkpoint == ledger.checkpoint()
    assert report.checkpoint.length == len(ledger.audit_entries())


@pytest.mark.parametrize(
    ("statements", "drop"),
    [
        (["UPDATE status_allocations SET value = 0 WHERE passport_id = 'urn:uuid:a'"], False),
        (["UPDATE status_allocations SET value = 1 WHERE passport_id = 'urn:uuid:c'"], False),
        (["UPDATE passports SET record_digest = 'cd' WHERE id = 'urn:uuid:c'"], False),
        (["UPDATE passports SET credential = '{}' WHERE id = 'urn:uuid:c'"], False),
        (["UPDATE passports SET verification_method = 'x#k' WHERE id = 'urn:uuid:c'"], False),
        (["UPDATE passports SET format = 'jwt' WHERE id = 'urn:uuid:c'"], False),
        (
            [
                "INSERT INTO passports SELECT 'urn:uuid:forged', record_id, record_digest, format,"
                " issued_at, valid_until, verification_method, status_json, credential,"
                " kind, record_version, superseded_by FROM passports WHERE id = 'urn:uuid:c'"
            ],
            False,
        ),
        (
            [
                "DELETE FROM status_allocations WHERE passport_id = 'urn:uuid:c'",
                "DELETE FROM passports WHERE id = 'urn:uuid:c'",
            ],
            True,
        ),
        (["UPDATE status_allocations SET idx = idx + 1 WHERE passport_id = 'urn:uuid:c'"], True),
        (
            [
                "UPDATE status_allocations SET passport_id = 'urn:uuid:ghost'"
                " WHERE passport_id = 'urn:uuid:c' AND purpose = 'suspension'",
            ],
            True,
        ),
        (["UPDATE audit SET details_json = '{}' WHERE seq = 2"], True),
        (["DELETE FROM audit WHERE seq = 3"], True),
        (["UPDATE audit SET at = '2030-01-01T00:00:00Z' WHERE seq = 1"], True),
    ],
    ids=[
        "unrevoke",
        "revoke-without-audit",
        "record-digest",
        "credential-text",
        "verification-method",
        "format",
        "passport-without-issue",
        "delete-passport",
        "move-allocation",
        "steal-allocation",
        "audit-details",
        "audit-gap",
        "audit-time",
    ],
)
def test_every_edit_is_found(ledger: Ledger, path: Path, statements: list[str], drop: bool) -> None:
    ledger.close()
    sql(path, *statements, drop_triggers=drop)
    found = problems(path)
    assert found, statements


#: A value, within the column's CHECK constraints, that differs from what was issued.
EDITS: dict[tuple[str, str], str] = {
    ("passports", "id"): "'urn:uuid:renamed'",
    ("passports", "record_id"): "'urn:uuid:another-record'",
    ("passports", "record_digest"): "'cd'",
    ("passports", "format"): "'jwt'",
    ("passports", "issued_at"): "'2026-05-01T09:30:01Z'",
    ("passports", "valid_until"): "'2099-01-01T00:00:00Z'",
    ("passports", "verification_method"): "'x#k'",
    ("passports", "status_json"): "'[{}]'",
    ("passports", "credential"): "'{}'",
    ("passports", "kind"): "'adoption'",
    ("passports", "record_version"): "2",
    ("passports", "superseded_by"): "'urn:uuid:b'",
    ("status_lists", "purpose"): "'forged'",
    ("status_lists", "list_number"): "list_number + 1",
    ("status_lists", "size"): "size * 2",
    ("status_lists", "created_at"): "'2020-01-01T00:00:00Z'",
    ("status_lists", "allocated"): "allocated + 1",
    ("status_lists", "status_size"): "status_size % 8 + 1",
}


@pytest.mark.parametrize(("table", "column"), sorted(EDITS))
def test_every_column_the_chain_determines_is_compared(
    ledger: Ledger, path: Path, table: str, column: str
) -> None:
    ledger.close()
    where = " WHERE id = 'urn:uuid:c'" if table == "passports" else " WHERE purpose = 'message'"
    sql(
        path,
        "PRAGMA foreign_keys = OFF",
        f"UPDATE {table} SET {column} = {EDITS[table, column]}{where}",  # noqa: S608
        drop_triggers=True,
    )
    assert problems(path), (table, column)


def test_the_comparison_covers_every_column() -> None:
    """A column added to these tables must be compared too (or named here, with why not)."""
    db = sqlite3.connect(":memory:")
    try:
        for statement in _split_statements(_SCHEMA):
            db.execute(statement)
        columns = {
            (table, str(row[1]))
            for table in ("passports", "status_lists")
            for row in db.execute(f"PRAGMA table_info({table})")
        }
    finally:
        db.close()
    assert columns == set(EDITS)


def _strip_new_issue_fields(path: Path) -> None:
    """Rewrite the chain as a layout-4 innopass before issue entries named every column
    wrote it (a self-consistent chain: the tables are as they were)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("DROP TRIGGER audit_no_delete")
        select = "SELECT at, action, subject, details_json FROM audit ORDER BY seq"
        rows = db.execute(select).fetchall()
        db.execute("DELETE FROM audit")
        prev = GENESIS_HASH
        for seq, (at, action, subject, details_json) in enumerate(rows, start=1):
            details = json.loads(details_json)
            for name in ("kind", "recordId", "recordVersion", "issuedAt", "validUntil"):
                details.pop(name, None)
            details.pop("statusDigest", None)
            for item in details.get("status", []):
                for name in ("size", "statusSize", "listCreatedAt"):
                    item.pop(name, None)
            digest = _chain_hash(prev, seq, at, action, subject, details)
            db.execute(
                "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, at, action, subject, _json_text(details), prev, digest),
            )
            prev = digest
    finally:
        db.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE passports SET kind = 'adoption' WHERE id = 'urn:uuid:c'",
        "UPDATE passports SET record_version = 2 WHERE id = 'urn:uuid:c'",
        "UPDATE passports SET status_json = '[{}]' WHERE id = 'urn:uuid:c'",
        "UPDATE passports SET superseded_by = 'urn:uuid:b' WHERE id = 'urn:uuid:c'",
        "UPDATE status_lists SET size = 8",
        "UPDATE status_lists SET allocated = allocated + 1",
    ],
)
def test_older_issue_entries_are_compared_through_the_signed_text(
    ledger: Ledger, path: Path, statement: str
) -> None:
    ledger.close()
    _strip_new_issue_fields(path)
    assert not problems(path)
    sql(path, statement)
    assert problems(path), statement


def test_a_writer_refuses_an_edited_column(ledger: Ledger, path: Path) -> None:
    ledger.close()
    sql(path, "UPDATE passports SET kind = 'adoption' WHERE id = 'urn:uuid:c'")
    with Ledger.open(path, clock=lambda: T0) as reopened, pytest.raises(LedgerTamperedError):
        issue(reopened, "urn:uuid:d")


def test_deletions_are_refused_by_triggers(ledger: Ledger, path: Path) -> None:
    ledger.close()
    for statement in (
        "DELETE FROM passports WHERE id = 'urn:uuid:c'",
        "DELETE FROM status_allocations WHERE passport_id = 'urn:uuid:c'",
        "UPDATE status_allocations SET idx = idx + 1",
    ):
        with pytest.raises(sqlite3.DatabaseError):
            sql(path, statement)
    assert not problems(path)


def _recompute_chain(path: Path, keep: int) -> None:
    """Cut the audit log to its first ``keep`` entries and re-hash them: self-consistent."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            if name != "status_allocations_count":
                db.execute(f"DROP TRIGGER {name}")
        rows = db.execute(
            "SELECT at, action, subject, details_json FROM audit ORDER BY seq LIMIT ?", (keep,)
        ).fetchall()
        db.execute("DELETE FROM audit")
        prev = GENESIS_HASH
        for seq, (at, action, subject, details) in enumerate(rows, start=1):
            digest = _chain_hash(prev, seq, at, action, subject, json.loads(details))
            db.execute(
                "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, at, action, subject, details, prev, digest),
            )
            prev = digest
        db.execute("UPDATE status_allocations SET value = 0")
    finally:
        db.close()


def test_a_rolled_back_chain_is_found_only_against_a_checkpoint(ledger: Ledger, path: Path) -> None:
    published = ledger.checkpoint()
    issued_only = LedgerCheckpoint(3, ledger.audit_entries()[2].hash)
    ledger.close()
    _recompute_chain(path, keep=3)  # the status changes are gone, the tables agree
    assert not problems(path)  # consistent with itself
    assert problems(path, published)  # but not with what was published
    assert not problems(path, issued_only)  # an older checkpoint it still holds


def test_a_rewritten_chain_contradicts_a_checkpoint_of_the_same_length(
    ledger: Ledger, path: Path
) -> None:
    published = ledger.checkpoint()
    ledger.close()
    sql(path, "UPDATE audit SET at = '2026-05-01T09:31:00Z'", drop_triggers=True)
    _recompute_chain(path, keep=published.length)
    found = problems(path, published)
    assert any("rewritten" in p for p in found)


def test_a_tampered_ledger_refuses_changes(ledger: Ledger, path: Path) -> None:
    ledger.close()
    sql(path, "UPDATE status_allocations SET value = 0 WHERE passport_id = 'urn:uuid:a'")
    with Ledger.open(path) as opened:
        with pytest.raises(LedgerTamperedError) as caught:
            issue(opened, "urn:uuid:d")
        assert caught.value.code == "ledger-tampered"
        assert caught.value.problems
        with pytest.raises(LedgerTamperedError), opened.transaction() as tx:
            tx.require_intact()
        assert len(list(opened.passports())) == 3  # nothing was added


def test_a_verified_head_is_not_verified_again(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = Ledger.verify

    def counting(self: Ledger, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Ledger, "verify", counting)
    issue(ledger, "urn:uuid:d")  # the fixture's issues verified it; its own changes keep it so
    issue(ledger, "urn:uuid:e")
    assert calls == []
    with ledger.transaction() as tx:
        tx.require_intact(full=True)  # signing always verifies in full
    assert calls == [1]


def test_set_status_is_generic_over_purposes_and_values(ledger: Ledger) -> None:
    with ledger.transaction() as tx:
        entry = tx.set_status(
            "urn:uuid:c",
            StatusPurpose.SUSPENSION,
            1,
            action="suspend-for-review",
            details={"by": "x"},
        )
    assert entry.details["value"] == 1
    assert entry.details["by"] == "x"
    assert ledger.verify().ok
    assert ledger.replayed_values()[("suspension", 1, entry.details["index"])] == 1  # type: ignore[index]


LAYOUT_4_ISSUE_FIELDS = (
    "kind",
    "recordId",
    "recordVersion",
    "issuedAt",
    "validUntil",
    "statusDigest",
)


def test_a_layout_2_ledger_is_upgraded_and_its_old_entries_replay(path: Path) -> None:
    with Ledger.open(path, create=True, clock=lambda: T0) as opened:
        issue(opened, "urn:uuid:a")
        with opened.transaction() as tx:
            tx.change_status("urn:uuid:a", StatusAction.REVOKE)
    # make it what an earlier innopass wrote: layout 2, no guards, entries without the
    # fields layout 3 adds (credentialDigest, listNumber, value) nor those issue entries name
    # since layout 4 (kind, recordId, recordVersion, issuedAt, validUntil, statusDigest; each
    # allocation's list size, statusSize, listCreatedAt)
    db = sqlite3.connect(path, isolation_level=None)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        if name not in ("status_allocations_count", "audit_no_update", "audit_no_delete"):
            db.execute(f"DROP TRIGGER {name}")
    undo_layout_4(db)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("DROP TRIGGER audit_no_delete")
    rows = db.execute("SELECT at, action, subject, details_json FROM audit ORDER BY seq").fetchall()
    db.execute("DELETE FROM audit")
    prev = GENESIS_HASH
    for seq, (at, action, subject, details_json) in enumerate(rows, start=1):
        details = json.loads(details_json)
        details.pop("credentialDigest", None)
        details.pop("value", None)
        for name in LAYOUT_4_ISSUE_FIELDS:
            details.pop(name, None)
        for item in details.get("status", []):
            item.pop("listNumber", None)
            for name in ("size", "statusSize", "listCreatedAt"):
                item.pop(name, None)
            item["list"] = f"https://example.org/status/{item['purpose']}/1"
        text = json.dumps(details, separators=(",", ":"))
        digest = _chain_hash(prev, seq, at, action, subject, details)
        db.execute(
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, at, action, subject, text, prev, digest),
        )
        prev = digest
    db.execute(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN "
        "SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    db.execute("PRAGMA user_version = 2")
    db.close()
    with Ledger.open(path, clock=lambda: T0) as upgraded:
        report = upgraded.verify()
        assert report.ok, report.problems
        assert upgraded.audit_entries()[-1].action == "ledger-upgrade"
        issue(upgraded, "urn:uuid:b")  # and it keeps working
        assert upgraded.verify().ok
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LEDGER_LAYOUT_VERSION
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"passports_no_delete", "status_allocations_no_delete"} <= names
    db.close()


def test_a_damaged_file_is_reported_by_verify(ledger: Ledger, path: Path) -> None:
    ledger.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data), 5):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    from innopass.errors import LedgerError

    def outcome() -> tuple[str, ...]:
        try:
            return problems(path)
        except LedgerError as exc:  # cannot even be opened: a clear, coded error too
            return (f"error {exc.code}",)

    assert outcome()


# --- entries appended to the chain (review findings: each failed before the fix) -----------


def _append(path: Path, action: str, subject: str, details: JSONObject) -> None:
    """Append one audit entry correctly chained to the last: what anyone who can write
    the file can do without any key."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        seq, prev, at = db.execute(
            "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        digest = _chain_hash(prev, seq + 1, at, action, subject, details)
        db.execute(
            "INSERT INTO audit (seq, at, action, subject, details_json, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq + 1, at, action, subject, _json_text(details), prev, digest),
        )
    finally:
        db.close()


def _revocation_position(path: Path, passport_id: str) -> JSONObject:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        number, index = db.execute(
            "SELECT list_number, idx FROM status_allocations "
            "WHERE passport_id = ? AND purpose = 'revocation'",
            (passport_id,),
        ).fetchone()
    finally:
        db.close()
    return {"purpose": "revocation", "list": number, "index": index}


@pytest.mark.parametrize("action", ["reinstate", "revoke", "suspend", "other"])
def test_an_appended_entry_that_clears_a_revocation_is_found(
    ledger: Ledger, path: Path, action: str
) -> None:
    """Un-revoking by a well-chained appended entry and a table edit: the replay refuses a
    revocation going back to 0, whatever the entry calls itself."""
    checkpoint = ledger.checkpoint()  # as a signed revocation list published it
    ledger.close()
    _append(path, action, "urn:uuid:a", {**_revocation_position(path, "urn:uuid:a"), "value": 0})
    sql(path, "UPDATE status_allocations SET value = 0 WHERE passport_id = 'urn:uuid:a'")
    with Ledger.open(path, clock=lambda: T0) as reopened:
        report = reopened.verify([("revocation/1", checkpoint)])
        assert not report.ok
        with pytest.raises(LedgerTamperedError) as refused, reopened.transaction() as tx:
            tx.require_intact(full=True)  # what status publish runs before it signs
        assert refused.value.code == "ledger-tampered"


def test_an_action_that_touches_another_purpose_is_found(ledger: Ledger, path: Path) -> None:
    ledger.close()
    position = {**_revocation_position(path, "urn:uuid:c"), "value": 1}
    _append(path, "suspend", "urn:uuid:c", position)  # suspend may not set a revocation bit
    sql(
        path,
        "UPDATE status_allocations SET value = 1 "
        "WHERE passport_id = 'urn:uuid:c' AND purpose = 'revocation'",
    )
    with Ledger.open(path, clock=lambda: T0) as reopened:
        assert not reopened.verify().ok


def test_a_status_entry_for_a_position_nobody_holds_is_reported_not_raised(path: Path) -> None:
    with Ledger.open(path, create=True, clock=lambda: T0) as fresh, fresh.transaction() as tx:
        tx.audit("org-init", "did:key:z6Mkexample", {})
    details: JSONObject = {"purpose": "revocation", "list": 1, "index": 5, "value": 1}
    _append(path, "revoke", "urn:uuid:nobody", details)
    with Ledger.open(path, clock=lambda: T0) as reopened:
        assert not reopened.verify().ok  # a report, never an exception
