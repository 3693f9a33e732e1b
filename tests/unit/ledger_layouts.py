"""Ledger layouts of earlier innopass versions, frozen here so that upgrades are tested
against what those versions really wrote (never edit these: add the next one)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["LAYOUT_2_SCHEMA", "create_layout_2", "undo_layout_4"]

#: The ledger as layout 2 created it (before the message purpose, kinds and versions).
LAYOUT_2_SCHEMA = """
CREATE TABLE passports (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    record_digest TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('di', 'jwt')),
    issued_at TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    verification_method TEXT NOT NULL,
    status_json TEXT NOT NULL,
    credential TEXT NOT NULL
);
CREATE INDEX passports_record ON passports (record_id);
CREATE TABLE status_lists (
    purpose TEXT NOT NULL,
    list_number INTEGER NOT NULL CHECK (list_number >= 1),
    size INTEGER NOT NULL CHECK (size >= 8 AND size % 8 = 0),
    created_at TEXT NOT NULL,
    allocated INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    PRIMARY KEY (purpose, list_number)
);
CREATE TABLE status_allocations (
    purpose TEXT NOT NULL,
    list_number INTEGER NOT NULL,
    idx INTEGER NOT NULL CHECK (idx >= 0),
    passport_id TEXT NOT NULL,
    is_set INTEGER NOT NULL DEFAULT 0 CHECK (is_set IN (0, 1)),
    UNIQUE (purpose, list_number, idx),
    UNIQUE (passport_id, purpose),
    FOREIGN KEY (purpose, list_number) REFERENCES status_lists (purpose, list_number),
    FOREIGN KEY (passport_id) REFERENCES passports (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE TRIGGER status_allocations_count AFTER INSERT ON status_allocations
BEGIN
    UPDATE status_lists SET allocated = allocated + 1
    WHERE purpose = NEW.purpose AND list_number = NEW.list_number;
END;
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TABLE trust_list_versions (
    version INTEGER PRIMARY KEY CHECK (version >= 1),
    credential_id TEXT NOT NULL UNIQUE,
    signed_at TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    issuers_json TEXT NOT NULL,
    credential TEXT NOT NULL
);
"""


def create_layout_2(path: Path) -> sqlite3.Connection:
    """A new layout-2 ledger at ``path`` (autocommit connection; close it when done)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    buffer = ""
    for line in LAYOUT_2_SCHEMA.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                db.execute(buffer.strip())
            buffer = ""
    db.execute("PRAGMA user_version = 2")
    return db


def undo_layout_4(db: sqlite3.Connection) -> None:
    """Take out what layout 4 added (the message purpose's columns, kinds and versions), for
    tests that build a current ledger and turn it back into what an older innopass wrote."""
    for statement in (
        "ALTER TABLE passports DROP COLUMN kind",
        "ALTER TABLE passports DROP COLUMN record_version",
        "ALTER TABLE passports DROP COLUMN superseded_by",
        "ALTER TABLE status_lists DROP COLUMN status_size",
        "ALTER TABLE status_allocations RENAME COLUMN value TO is_set",
    ):
        db.execute(statement)
