"""The issuer's ledger: layout, transactions, status allocation and the audit hash chain."""

from __future__ import annotations

import itertools
import json
import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ledger_layouts import create_layout_2

from innopass.errors import (
    AuditChainError,
    InnopassError,
    LedgerError,
    PassportNotFoundError,
    StatusChangeError,
)
from innopass.issuer import _ledger as ledger_module
from innopass.issuer._ledger import (
    LEDGER_LAYOUT_VERSION,
    Ledger,
    PassportEntry,
    PassportKind,
    PassportState,
    StatusAction,
    TrustListVersion,
)
from innopass.status import MIN_ENTRIES, StatusPurpose, bit_at

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "ledger.sqlite", create=True, clock=lambda: T0) as opened:
        yield opened


#: The one-bit purposes (the allocation tests count draws for these two).
ONE_BIT = (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)


def add_passport(
    ledger: Ledger,
    passport_id: str,
    *,
    randbelow: Callable[[int], int] | None = None,
    purposes: tuple[StatusPurpose, ...] = tuple(StatusPurpose),
    record_version: int = 1,
) -> None:
    with ledger.transaction() as tx:
        for purpose in purposes:
            if randbelow is None:
                tx.allocate_status(purpose, passport_id)
            else:
                tx.allocate_status(purpose, passport_id, randbelow=randbelow)
        tx.add_passport(
            PassportEntry(
                id=passport_id,
                record_id="urn:uuid:00000000-0000-4000-8000-000000000001",
                record_digest="ab" * 32,
                format="di",
                issued_at=T0,
                valid_until=T0 + timedelta(days=365),
                verification_method="did:web:example.org#key-1",
                status=({"type": "BitstringStatusListEntry"},),
                credential_text="{}\n",
                record_version=record_version,
            )
        )


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_new_ledger_is_wal_versioned_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger.open(path, create=True).close()
    db = raw(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == LEDGER_LAYOUT_VERSION
    db.close()
    with Ledger.open(path) as again:
        assert again.integrity_check() == "ok"
        assert again._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_missing_ledger_is_not_created_silently(tmp_path: Path) -> None:
    with pytest.raises(LedgerError) as caught:
        Ledger.open(tmp_path / "absent.sqlite")
    assert type(caught.value) is LedgerError
    assert caught.value.code == "ledger"
    assert not (tmp_path / "absent.sqlite").exists()
    assert list(tmp_path.iterdir()) == []  # no -wal or -shm file either


def test_newer_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger.open(path, create=True).close()
    db = raw(path)
    db.execute(f"PRAGMA user_version = {LEDGER_LAYOUT_VERSION + 1}")
    db.close()
    with pytest.raises(LedgerError) as caught:
        Ledger.open(path)
    assert type(caught.value) is LedgerError
    assert caught.value.code == "ledger"
    assert caught.value.__cause__ is None  # refused by the layout check, not by SQLite
    db = raw(path)  # left as it was: neither "upgraded" nor rewritten
    assert db.execute("PRAGMA user_version").fetchone()[0] == LEDGER_LAYOUT_VERSION + 1
    db.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(
        b"this is not sqlite, just text that is long enough to look like a header" * 20
    )
    with pytest.raises(LedgerError) as caught:
        Ledger.open(path)
    assert caught.value.code == "ledger"
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_failed_transaction_leaves_nothing(ledger: Ledger) -> None:
    def failing() -> None:
        with ledger.transaction() as tx:
            tx.allocate_status(StatusPurpose.REVOCATION, "urn:uuid:x")
            tx.audit("issue", "urn:uuid:x", {})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing()
    assert ledger.audit_entries() == ()
    assert ledger.all_allocations() == ()
    assert ledger.status_lists() == ()


def test_allocation_without_passport_cannot_commit(ledger: Ledger) -> None:
    with pytest.raises(LedgerError) as caught, ledger.transaction() as tx:
        tx.allocate_status(StatusPurpose.REVOCATION, "urn:uuid:orphan")
    assert caught.value.code == "ledger"
    cause = caught.value.__cause__
    assert isinstance(cause, sqlite3.IntegrityError)
    assert cause.sqlite_errorname == "SQLITE_CONSTRAINT_FOREIGNKEY"
    assert ledger.all_allocations() == ()


def test_passport_round_trip(ledger: Ledger) -> None:
    add_passport(ledger, "urn:uuid:a")
    entry = ledger.passport("urn:uuid:a")
    assert entry.state is PassportState.ACTIVE
    assert entry.issued_at == T0
    assert {a.purpose for a in entry.allocations} == set(StatusPurpose)
    assert all(0 <= a.index < MIN_ENTRIES and a.list_number == 1 for a in entry.allocations)
    assert [p.id for p in ledger.passports()] == ["urn:uuid:a"]
    with pytest.raises(PassportNotFoundError) as caught:
        ledger.passport("urn:uuid:missing")
    assert caught.value.passport_id == "urn:uuid:missing"
    assert caught.value.code == "passport-not-found"
    assert isinstance(caught.value, LedgerError)


def test_same_passport_id_twice_is_refused(ledger: Ledger) -> None:
    add_passport(ledger, "urn:uuid:a")
    with pytest.raises(LedgerError) as caught:
        add_passport(ledger, "urn:uuid:a")
    assert caught.value.code == "ledger"
    assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
    assert len(ledger.audit_entries()) == 1


def test_collisions_are_redrawn(ledger: Ledger) -> None:
    draws = iter([5, 5, 5, 9])  # revocation 5; suspension 5; then revocation 5 (taken), 9
    add_passport(ledger, "urn:uuid:a", randbelow=lambda n: next(draws), purposes=ONE_BIT)
    suspension_draws = iter([7])
    rest = itertools.chain([5, 9], suspension_draws)
    add_passport(ledger, "urn:uuid:b", randbelow=lambda n: next(rest), purposes=ONE_BIT)
    got = {(p.value, n, i) for p, n, i, _ in ledger.all_allocations()}
    assert got == {
        ("revocation", 1, 5),
        ("suspension", 1, 5),
        ("revocation", 1, 9),
        ("suspension", 1, 7),
    }


def test_a_list_that_keeps_colliding_moves_to_a_new_list(ledger: Ledger) -> None:
    always_zero = lambda n: 0  # noqa: E731 - a deliberately broken random source
    add_passport(ledger, "urn:uuid:a", randbelow=always_zero)
    add_passport(ledger, "urn:uuid:b", randbelow=always_zero)
    add_passport(ledger, "urn:uuid:c", randbelow=always_zero)
    numbers = sorted((p.value, n) for p, n, i, _ in ledger.all_allocations())
    expected = [
        (purpose, n) for purpose in ("message", "revocation", "suspension") for n in (1, 2, 3)
    ]
    assert numbers == expected
    assert all(info.size == MIN_ENTRIES for info in ledger.status_lists())


def test_a_full_list_takes_no_more(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_module, "FILL_THRESHOLD", 2 / MIN_ENTRIES)
    for name in "abc":
        add_passport(ledger, f"urn:uuid:{name}", purposes=ONE_BIT)
    lists = {(i.purpose.value, i.list_number): i.allocated for i in ledger.status_lists()}
    assert lists == {
        ("revocation", 1): 2,
        ("revocation", 2): 1,
        ("suspension", 1): 2,
        ("suspension", 2): 1,
    }


def test_out_of_range_random_source_is_refused(ledger: Ledger) -> None:
    with pytest.raises(LedgerError) as caught:
        add_passport(ledger, "urn:uuid:a", randbelow=lambda n: n)
    assert type(caught.value) is LedgerError
    assert caught.value.code == "ledger"
    assert caught.value.__cause__ is None  # refused before SQLite saw the index
    assert ledger.all_allocations() == ()
    assert ledger.audit_entries() == ()
    assert list(ledger.passports()) == []


def test_index_uniqueness_is_enforced_by_the_database(ledger: Ledger) -> None:
    add_passport(ledger, "urn:uuid:a")
    before = ledger.all_allocations()
    purpose, number, index, _ = before[0]
    with pytest.raises(LedgerError) as caught, ledger.transaction():
        ledger._db.execute(
            "INSERT INTO status_allocations (purpose, list_number, idx, passport_id) "
            "VALUES (?, ?, ?, ?)",
            (purpose.value, number, index, "urn:uuid:a-second"),
        )
    assert caught.value.code == "ledger"
    cause = caught.value.__cause__
    assert isinstance(cause, sqlite3.IntegrityError)
    assert cause.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE"  # not the deferred foreign key
    assert ledger.all_allocations() == before


def change(ledger: Ledger, passport_id: str, action: StatusAction) -> PassportEntry:
    with ledger.transaction() as tx:
        return tx.change_status(passport_id, action)


def test_status_changes_and_bits(ledger: Ledger) -> None:
    add_passport(ledger, "urn:uuid:a")
    entry = change(ledger, "urn:uuid:a", StatusAction.SUSPEND)
    assert entry.state is PassportState.SUSPENDED
    suspension = entry.allocation(StatusPurpose.SUSPENSION)
    assert bit_at(ledger.status_bits(StatusPurpose.SUSPENSION, 1), suspension.index)
    assert change(ledger, "urn:uuid:a", StatusAction.REINSTATE).state is PassportState.ACTIVE
    assert not any(ledger.status_bits(StatusPurpose.SUSPENSION, 1))
    revoked = change(ledger, "urn:uuid:a", StatusAction.REVOKE)
    assert revoked.state is PassportState.REVOKED
    bits = ledger.status_bits(StatusPurpose.REVOCATION, 1)
    assert len(bits) * 8 == MIN_ENTRIES
    assert bit_at(bits, revoked.allocation(StatusPurpose.REVOCATION).index)
    assert [e.action for e in ledger.audit_entries()] == ["issue", "suspend", "reinstate", "revoke"]


@pytest.mark.parametrize(
    ("before", "action"),
    [
        ((StatusAction.REVOKE,), StatusAction.REINSTATE),
        ((StatusAction.REVOKE,), StatusAction.REVOKE),
        ((StatusAction.REVOKE,), StatusAction.SUSPEND),
        ((StatusAction.SUSPEND, StatusAction.REVOKE), StatusAction.REINSTATE),
        ((StatusAction.SUSPEND,), StatusAction.SUSPEND),
        ((), StatusAction.REINSTATE),
    ],
)
def test_refused_status_changes(
    ledger: Ledger, before: tuple[StatusAction, ...], action: StatusAction
) -> None:
    add_passport(ledger, "urn:uuid:a")
    for step in before:
        change(ledger, "urn:uuid:a", step)
    entries = len(ledger.audit_entries())
    state = ledger.passport("urn:uuid:a").state
    with pytest.raises(StatusChangeError) as caught:
        change(ledger, "urn:uuid:a", action)
    assert caught.value.code == "status-change-refused"
    assert isinstance(caught.value, InnopassError)
    assert len(ledger.audit_entries()) == entries
    assert ledger.passport("urn:uuid:a").state is state


def test_unknown_passport_status_change(ledger: Ledger) -> None:
    with pytest.raises(PassportNotFoundError) as caught:
        change(ledger, "urn:uuid:nobody", StatusAction.REVOKE)
    assert (caught.value.code, caught.value.passport_id) == (
        "passport-not-found",
        "urn:uuid:nobody",
    )
    assert ledger.audit_entries() == ()


def test_audit_chain_verifies(ledger: Ledger) -> None:
    add_passport(ledger, "urn:uuid:a")
    add_passport(ledger, "urn:uuid:b")
    change(ledger, "urn:uuid:a", StatusAction.REVOKE)
    entries = ledger.audit_entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert ledger.verify_audit_chain() == 3


def test_audit_log_refuses_update_and_delete(ledger: Ledger) -> None:
    add_passport(ledger, "urn:uuid:a")
    db = raw(ledger.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET subject = 'x' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit WHERE seq = 1")
    db.close()
    assert ledger.verify_audit_chain() == 1


@pytest.mark.parametrize(
    ("statement", "seq"),
    [
        ("UPDATE audit SET details_json = '{\"n\":2}' WHERE seq = 2", 2),
        ("UPDATE audit SET subject = 'urn:uuid:z' WHERE seq = 1", 1),
        ("UPDATE audit SET at = '2030-01-01T00:00:00Z' WHERE seq = 3", 3),
        ("DELETE FROM audit WHERE seq = 2", 2),
        ("UPDATE audit SET prev_hash = hash WHERE seq = 3", 3),
    ],
)
def test_tampering_is_detected(ledger: Ledger, statement: str, seq: int) -> None:
    for name in "abc":
        add_passport(ledger, f"urn:uuid:{name}")
    db = raw(ledger.path)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("DROP TRIGGER audit_no_delete")
    db.execute(statement)
    db.close()
    with pytest.raises(AuditChainError) as caught:
        ledger.verify_audit_chain()
    assert caught.value.seq == seq
    assert caught.value.code == "audit-chain-broken"
    assert isinstance(caught.value, LedgerError)


def test_trust_list_versions(ledger: Ledger) -> None:
    with ledger.transaction() as tx:
        assert tx.next_trust_list_version() == 1
        tx.add_trust_list_version(
            TrustListVersion(1, "urn:uuid:t1", T0, T0 + timedelta(days=30), ("did:web:a",), "{}")
        )
        assert tx.next_trust_list_version() == 2
    with pytest.raises(LedgerError) as caught, ledger.transaction() as tx:
        tx.add_trust_list_version(
            TrustListVersion(1, "urn:uuid:t2", T0, T0 + timedelta(days=30), (), "{}")
        )
    assert caught.value.code == "ledger"
    versions = ledger.trust_list_versions()
    assert [(v.version, v.issuers) for v in versions] == [(1, ("did:web:a",))]


# --- the allocation counter, the layout upgrade and counting by state ---------------------


def test_the_allocation_counter_tracks_allocations(ledger: Ledger) -> None:
    for name in "abcd":
        add_passport(ledger, f"urn:uuid:{name}")
    infos = ledger.status_lists()
    assert [(i.purpose.value, i.allocated, i.status_size) for i in infos] == [
        ("revocation", 4, 1),
        ("suspension", 4, 1),
        ("message", 4, 3),
    ]
    counted = ledger._db.execute(
        "SELECT COUNT(*) FROM status_allocations WHERE purpose = 'revocation'"
    ).fetchone()[0]
    assert counted == 4


def test_allocation_reads_the_counter(ledger: Ledger) -> None:
    """A list whose counter says it is full takes no more, whatever its rows say."""
    add_passport(ledger, "urn:uuid:a")
    full = int(MIN_ENTRIES * ledger_module.FILL_THRESHOLD)
    ledger._db.execute(
        "UPDATE status_lists SET allocated = ? WHERE purpose = 'revocation'", (full,)
    )
    add_passport(ledger, "urn:uuid:b")
    entry = ledger.passport("urn:uuid:b")
    assert entry.allocation(StatusPurpose.REVOCATION).list_number == 2
    assert entry.allocation(StatusPurpose.SUSPENSION).list_number == 1


def _old_passport(db: sqlite3.Connection, passport_id: str, text: str, revoked: bool) -> None:
    """A passport as layouts 1 and 2 stored it, revoked or not, with its two allocations."""
    for purpose in ("revocation", "suspension"):
        db.execute(
            "INSERT OR IGNORE INTO status_lists (purpose, list_number, size, created_at) "
            "VALUES (?, 1, ?, ?)",
            (purpose, MIN_ENTRIES, "2026-05-01T09:30:00Z"),
        )
    db.execute(
        "INSERT INTO passports VALUES (?, 'urn:uuid:r', ?, 'di', '2026-05-01T09:30:00Z', "
        "'2027-05-01T09:30:00Z', 'did:web:example.org#key-1', '[]', ?)",
        (passport_id, "ab" * 32, text),
    )
    number = int(db.execute("SELECT COUNT(*) FROM passports").fetchone()[0])
    for purpose in ("revocation", "suspension"):
        db.execute(
            "INSERT INTO status_allocations (purpose, list_number, idx, passport_id, is_set) "
            "VALUES (?, 1, ?, ?, ?)",
            (purpose, number, passport_id, int(revoked and purpose == "revocation")),
        )


def _record_text(version: int) -> str:
    return json.dumps({"credentialSubject": {"assessmentRecord": {"record_version": version}}})


def _jwt_text(version: int) -> str:
    from innopass._internal.jose import sign_vc_jwt
    from innopass.keys import KeyType, generate_private_key

    payload = {
        "id": "urn:uuid:j",
        "issuer": "did:web:example.org",
        "credentialSubject": json.loads(_record_text(version))["credentialSubject"],
    }
    return (
        sign_vc_jwt(
            payload,
            generate_private_key(KeyType.ED25519),
            kid="did:web:example.org#key-1",
            issued_at=T0,
        )
        + "\n"
    )


@pytest.mark.parametrize("layout", [1, 2])
def test_an_older_ledger_is_upgraded(tmp_path: Path, layout: int) -> None:
    """Layouts 1 and 2 (frozen in ledger_layouts.py) become layout 3: set bits become values,
    each passport's record_version is read from its signed text (JSON or JWS), lists are
    one-bit, and the upgraded ledger allocates, counts and changes status as a new one."""
    path = tmp_path / "ledger.sqlite"
    db = create_layout_2(path)
    _old_passport(db, "urn:uuid:a", _record_text(1), revoked=True)
    _old_passport(db, "urn:uuid:b", _jwt_text(2), revoked=False)
    if layout == 1:
        db.execute("DROP TRIGGER status_allocations_count")
        db.execute("ALTER TABLE status_lists DROP COLUMN allocated")
        db.execute("PRAGMA user_version = 1")
    db.close()
    with Ledger.open(path, clock=lambda: T0) as upgraded:
        a, b = upgraded.passport("urn:uuid:a"), upgraded.passport("urn:uuid:b")
        assert (a.state, a.record_version, a.kind) == (PassportState.REVOKED, 1, "passport")
        assert (b.state, b.record_version, b.message) == (PassportState.ACTIVE, 2, None)
        assert [(i.allocated, i.status_size) for i in upgraded.status_lists()] == [(2, 1), (2, 1)]
        assert bit_at(upgraded.status_bits(StatusPurpose.REVOCATION, 1), 1)
        add_passport(upgraded, "urn:uuid:c")
        assert [i.allocated for i in upgraded.status_lists()] == [3, 3, 1]
        change(upgraded, "urn:uuid:b", StatusAction.SUSPEND)
        assert upgraded.count_passports()[PassportState.SUSPENDED] == 1
        assert upgraded.integrity_check() == "ok"
    db = raw(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LEDGER_LAYOUT_VERSION == 4
    columns = {row[1] for row in db.execute("PRAGMA table_info(status_allocations)")}
    assert "value" in columns
    assert "is_set" not in columns
    db.close()


def test_an_upgrade_leaves_a_version_it_cannot_read_unknown(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    db = create_layout_2(path)
    _old_passport(db, "urn:uuid:a", "not json", revoked=False)
    _old_passport(db, "urn:uuid:b", json.dumps({"id": "urn:uuid:b"}), revoked=False)
    other = {"id": "urn:uuid:c", "type": ["VerifiableCredential", "ExampleCredential"]}
    _old_passport(db, "urn:uuid:c", json.dumps(other), revoked=False)
    db.close()
    with Ledger.open(path) as upgraded:
        assert upgraded.passport("urn:uuid:a").record_version is None
        assert upgraded.passport("urn:uuid:b").record_version is None
        # a credential that is no passport (Issuer.issue_credential) is told apart
        assert upgraded.passport("urn:uuid:c").kind is PassportKind.CREDENTIAL
        assert upgraded.passport("urn:uuid:a").kind is PassportKind.PASSPORT
        assert sum(upgraded.count_passports().values()) == 2
    db = raw(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LEDGER_LAYOUT_VERSION
    db.close()


def test_count_passports_by_state_without_reading_passports(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in "abcde":
        add_passport(ledger, f"urn:uuid:{name}")
    change(ledger, "urn:uuid:a", StatusAction.REVOKE)
    change(ledger, "urn:uuid:b", StatusAction.SUSPEND)
    change(ledger, "urn:uuid:c", StatusAction.SUSPEND)
    change(ledger, "urn:uuid:c", StatusAction.REVOKE)  # revoked while suspended: revoked

    def unused(*args: object) -> None:
        raise AssertionError("count_passports parsed the stored passports")

    monkeypatch.setattr(ledger_module, "_passport_from_row", unused)
    assert ledger.count_passports() == {
        PassportState.ACTIVE: 2,
        PassportState.SUSPENDED: 1,
        PassportState.REVOKED: 2,
    }


def test_count_passports_of_an_empty_ledger(ledger: Ledger) -> None:
    assert ledger.count_passports() == dict.fromkeys(PassportState, 0)


# --- transactions, files ------------------------------------------------------------------


class _RollbackFails:
    """A connection whose ROLLBACK fails (the connection broke, say)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql.strip().upper() == "ROLLBACK":
            self._db.execute(sql)
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")
        return self._db.execute(sql, *args)


class _Boom(Exception):
    pass


def test_a_failing_rollback_keeps_the_original_error(ledger: Ledger) -> None:
    real = ledger._db

    def failing() -> None:
        with ledger.transaction() as tx:
            tx.audit("issue", "urn:uuid:a", {})
            raise _Boom

    def violating() -> None:
        with ledger.transaction() as tx:
            tx.audit("x", "y", {})
            real.execute("INSERT INTO audit SELECT * FROM audit")  # a constraint violation

    ledger._db = _RollbackFails(real)  # type: ignore[assignment]
    try:
        with pytest.raises(_Boom):
            failing()
        with pytest.raises(LedgerError):
            violating()
    finally:
        ledger._db = real
    assert ledger.audit_entries() == ()


def test_the_ledger_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path, create=True) as opened:
        add_passport(opened, "urn:uuid:a")
        for file in tmp_path.glob("ledger.sqlite*"):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_transaction_sees_its_own_audit_entries(ledger: Ledger) -> None:
    with ledger.transaction() as tx:
        tx.audit("one", "s", {"n": 1})
        assert [e.action for e in tx.audit_entries()] == ["one"]
    assert ledger.verify_audit_chain() == 1
