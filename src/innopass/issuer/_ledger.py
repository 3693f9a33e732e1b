"""The issuer's ledger: passports issued, status allocations and a hash-chained audit log.

One SQLite database (standard library) per organisation home, in WAL mode with
``synchronous=FULL``, so a committed change survives a crash or a power cut.
Every state change is one ``BEGIN IMMEDIATE`` transaction that includes its audit
entry: two processes issuing from one home at once are serialised by SQLite's
write lock (each waits up to :data:`BUSY_TIMEOUT_SECONDS`), and the uniqueness
constraint on ``(purpose, list_number, idx)`` makes a reused status index
impossible rather than unlikely.

The audit log is append-only (triggers refuse ``UPDATE`` and ``DELETE``) and
hash-chained: each entry's ``hash`` is SHA-256 over the previous entry's hash (hex,
ASCII) followed by the RFC 8785 canonical JSON of the entry (``seq``, ``at``,
``action``, ``subject``, ``details``). :meth:`Ledger.verify_audit_chain` recomputes
the chain and names the first entry that does not match.

Tamper evidence. Every passport and every status change is in the chain: an
``issue`` entry (written by :meth:`LedgerTransaction.add_passport`) names every
column of the passport's row (its kind, record id and version, record digest, key,
format, issue and expiry times, the SHA-256 of its credential text and of its status
entries) and its status allocations with each list's size, entry size and creation
time; a ``supersede`` entry names its successor; every status change goes through
:meth:`LedgerTransaction.set_status`, whose entry names the purpose, list, index and
new value; a ``trust-list-sign`` entry names the version, credential id, issuers,
signing and expiry times and credential digest of an anchor's trust list.
:meth:`Ledger.verify` checks the SQLite file, the chain, and then *replays* the chain
and compares every column of the passports, status lists, allocations and trust-list
versions with it, so an SQL edit of any of them is found. Issue entries written before
they named every column (older ledgers) are compared through the credential text whose
digest they hold: kind, record id and version, a passport's expiry and the status
entries are read from it (parsed only for those entries); a list's size must then be
:data:`~innopass.status.MIN_ENTRIES` (the only size innopass has created) and its entry
size its purpose's or 1 (what the layout-4 upgrade gave older lists). Only the issue
time of such an older entry, an older adoption record's expiry, an older list's
creation time and an older trust list's signing time and text are held nowhere else
and go unchecked.

A rewritten or rolled-back chain is consistent with itself; it is found against a
:class:`LedgerCheckpoint` (the chain's length and head hash) published outside the
file: every signed status list and the organisation description carry the checkpoint
of the ledger they were made from, so a restored backup or a recomputed chain
contradicts what was already published. ``issue``, status changes and status-list
signing refuse to run on a ledger that fails :meth:`Ledger.verify`
(:class:`~innopass.errors.LedgerTamperedError`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

from innopass._internal.canonical import canonicalize
from innopass._internal.jose import looks_like_compact_jws, parse_compact_jws
from innopass._internal.jsonio import JSONObject, JSONValue, dumps_compact, loads_strict
from innopass._internal.timestamps import format_datetime, parse_datetime, utc_now
from innopass.errors import (
    AuditChainError,
    LedgerError,
    LedgerTamperedError,
    MalformedInputError,
    PassportNotFoundError,
    StatusChangeError,
)
from innopass.status import (
    MESSAGE_SIZE,
    MIN_ENTRIES,
    StatusPurpose,
    StatusReason,
    new_bitstring,
)
from innopass.trust import LedgerCheckpoint

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "FILL_THRESHOLD",
    "GENESIS_HASH",
    "LEDGER_LAYOUT_VERSION",
    "MAX_DRAWS",
    "AuditEntry",
    "Ledger",
    "LedgerCheckpoint",
    "LedgerReport",
    "LedgerTransaction",
    "PassportEntry",
    "PassportKind",
    "PassportState",
    "StatusAction",
    "StatusAllocation",
    "StatusListInfo",
    "TrustListVersion",
]

LEDGER_LAYOUT_VERSION = 4
"""``PRAGMA user_version`` of the ledger layout this code writes.

1: the first layout. 2: ``status_lists.allocated`` counts each list's
allocations (kept by a trigger in the allocating transaction), so allocating
never counts rows. 3: passports and status allocations cannot be deleted, nor an
allocation moved, by triggers (an accident is refused; a deliberate edit is found
by :meth:`Ledger.verify`), and
issue and status-change audit entries carry what the replay compares. 4: a
``message`` status purpose with several bits per entry (``status_lists.status_size``;
``status_allocations.value`` replaces ``is_set``), and per passport its ``kind`` (a
passport or an adoption record), its record's ``record_version`` (read from the signed
text when upgrading) and ``superseded_by``. Older ledgers are upgraded, one layout at
a time, when opened (an ``ledger-upgrade`` audit entry records it); their older
entries stay valid and are replayed with what they hold.
"""

BUSY_TIMEOUT_SECONDS = 30.0
"""How long a transaction waits for another process's write lock."""

FILL_THRESHOLD = 0.75
"""A status list this full (allocated / size) takes no new allocations; the next list does."""

MAX_DRAWS = 32
"""Random draws per list before an allocation moves on to the next list."""

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first audit entry."""

_GUARDS = """
CREATE TRIGGER IF NOT EXISTS passports_no_delete BEFORE DELETE ON passports
BEGIN
    SELECT RAISE(ABORT, 'passports are never deleted from the ledger');
END;
CREATE TRIGGER IF NOT EXISTS status_allocations_no_delete BEFORE DELETE ON status_allocations
BEGIN
    SELECT RAISE(ABORT, 'status allocations are never deleted');
END;
CREATE TRIGGER IF NOT EXISTS status_allocations_fixed
BEFORE UPDATE OF purpose, list_number, idx, passport_id ON status_allocations
BEGIN
    SELECT RAISE(ABORT, 'a status allocation never moves');
END;
"""

_SCHEMA = """
CREATE TABLE passports (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    record_digest TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('di', 'jwt')),
    issued_at TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    verification_method TEXT NOT NULL,
    status_json TEXT NOT NULL,
    credential TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'passport' CHECK (kind IN ('passport', 'adoption', 'credential')),
    record_version INTEGER CHECK (record_version IS NULL OR record_version >= 1),
    superseded_by TEXT
);
CREATE INDEX passports_record ON passports (record_id);
CREATE TABLE status_lists (
    purpose TEXT NOT NULL,
    list_number INTEGER NOT NULL CHECK (list_number >= 1),
    size INTEGER NOT NULL CHECK (size >= 8 AND size % 8 = 0),
    created_at TEXT NOT NULL,
    allocated INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    status_size INTEGER NOT NULL DEFAULT 1 CHECK (status_size BETWEEN 1 AND 8),
    PRIMARY KEY (purpose, list_number)
);
CREATE TABLE status_allocations (
    purpose TEXT NOT NULL,
    list_number INTEGER NOT NULL,
    idx INTEGER NOT NULL CHECK (idx >= 0),
    passport_id TEXT NOT NULL,
    value INTEGER NOT NULL DEFAULT 0 CHECK (value BETWEEN 0 AND 255),
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

_UPGRADE_2_TO_3 = _GUARDS

_UPGRADE_1_TO_2 = """
ALTER TABLE status_lists ADD COLUMN allocated INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0);
UPDATE status_lists SET allocated = (
    SELECT COUNT(*) FROM status_allocations AS a
    WHERE a.purpose = status_lists.purpose AND a.list_number = status_lists.list_number
);
CREATE TRIGGER status_allocations_count AFTER INSERT ON status_allocations
BEGIN
    UPDATE status_lists SET allocated = allocated + 1
    WHERE purpose = NEW.purpose AND list_number = NEW.list_number;
END;
"""

_UPGRADE_3_TO_4 = """
ALTER TABLE passports ADD COLUMN kind TEXT NOT NULL DEFAULT 'passport'
    CHECK (kind IN ('passport', 'adoption', 'credential'));
ALTER TABLE passports ADD COLUMN record_version INTEGER
    CHECK (record_version IS NULL OR record_version >= 1);
ALTER TABLE passports ADD COLUMN superseded_by TEXT;
ALTER TABLE status_lists ADD COLUMN status_size INTEGER NOT NULL DEFAULT 1
    CHECK (status_size BETWEEN 1 AND 8);
CREATE TABLE status_allocations_3 (
    purpose TEXT NOT NULL,
    list_number INTEGER NOT NULL,
    idx INTEGER NOT NULL CHECK (idx >= 0),
    passport_id TEXT NOT NULL,
    value INTEGER NOT NULL DEFAULT 0 CHECK (value BETWEEN 0 AND 255),
    UNIQUE (purpose, list_number, idx),
    UNIQUE (passport_id, purpose),
    FOREIGN KEY (purpose, list_number) REFERENCES status_lists (purpose, list_number),
    FOREIGN KEY (passport_id) REFERENCES passports (id) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO status_allocations_3 (purpose, list_number, idx, passport_id, value)
    SELECT purpose, list_number, idx, passport_id, is_set FROM status_allocations;
DROP TABLE status_allocations;
ALTER TABLE status_allocations_3 RENAME TO status_allocations;
CREATE TRIGGER status_allocations_count AFTER INSERT ON status_allocations
BEGIN
    UPDATE status_lists SET allocated = allocated + 1
    WHERE purpose = NEW.purpose AND list_number = NEW.list_number;
END;
"""
_UPGRADE_3_TO_4 += _GUARDS  # the rebuilt status_allocations gets its guards again

#: ``ORDER BY`` for purposes: revocation, suspension, then the others by name.
_PURPOSE_ORDER = (
    "CASE purpose WHEN 'revocation' THEN 0 WHEN 'suspension' THEN 1 ELSE 2 END, purpose"
)

#: ``ORDER BY`` for purposes: revocation, suspension, then the others by name.
_PURPOSE_ORDER = (
    "CASE purpose WHEN 'revocation' THEN 0 WHEN 'suspension' THEN 1 ELSE 2 END, purpose"
)

#: The upgrade from each older layout to the next.
_UPGRADES: dict[int, str] = {1: _UPGRADE_1_TO_2, 2: _UPGRADE_2_TO_3, 3: _UPGRADE_3_TO_4}


def _fill_record_versions(db: sqlite3.Connection) -> None:
    """Layout 4: each entry's ``kind`` and its record's ``record_version``, read from its
    signed text (a version is left unknown, ``NULL``, for a text that holds none: the
    upgrade never fails on what it cannot read)."""
    rows = db.execute("SELECT id, credential FROM passports").fetchall()
    for passport_id, text in rows:
        kind, version = _kind_and_version_of(str(text))
        db.execute(
            "UPDATE passports SET kind = ?, record_version = ? WHERE id = ?",
            (kind.value, version, passport_id),
        )


def _kind_and_version_of(text: str) -> tuple[PassportKind, int | None]:
    try:
        if looks_like_compact_jws(text.strip()):
            credential: JSONValue = parse_compact_jws(text.strip()).payload
        else:
            credential = loads_strict(text)
    except MalformedInputError:
        return PassportKind.PASSPORT, None
    return _kind_and_version(credential)


def _kind_and_version(credential: object) -> tuple[PassportKind, int | None]:
    if not isinstance(credential, dict):
        return PassportKind.PASSPORT, None
    types = credential.get("type")
    named = types if isinstance(types, list) else [types]
    if "InnovatorPassport" not in named and "type" in credential:
        kind = PassportKind.ADOPTION if "InnopassAdoption" in named else PassportKind.CREDENTIAL
        return kind, None
    subject = credential.get("credentialSubject")
    record = subject.get("assessmentRecord") if isinstance(subject, dict) else None
    version = record.get("record_version") if isinstance(record, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return PassportKind.PASSPORT, None
    return PassportKind.PASSPORT, version


#: Bits per entry of each purpose's lists (one, unless named here).
STATUS_SIZES: dict[StatusPurpose, int] = {StatusPurpose.MESSAGE: MESSAGE_SIZE}

_AUDIT_SELECT = (
    "SELECT seq, at, action, subject, details_json, prev_hash, hash FROM audit ORDER BY seq"
)


class PassportState(StrEnum):
    """A passport's status as the ledger records it."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class StatusAction(StrEnum):
    """A change to a passport's status."""

    REVOKE = "revoke"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    MESSAGE = "message"
    """Only the message (why): revocation and suspension stay as they are."""


class PassportKind(StrEnum):
    """What a ledger entry is: a passport this organisation issued, its adoption record of
    another's passport, or another credential it signed (``Issuer.issue_credential``)."""

    PASSPORT = "passport"
    ADOPTION = "adoption"
    CREDENTIAL = "credential"


@dataclass(frozen=True, slots=True)
class StatusAllocation:
    """One status-list position held by a passport, and its status value (0: clear)."""

    purpose: StatusPurpose
    list_number: int
    index: int
    value: int = 0

    @property
    def is_set(self) -> bool:
        """Whether the entry's value is anything but 0."""
        return self.value != 0


@dataclass(frozen=True, slots=True)
class StatusListInfo:
    """A status list the ledger has allocated from (``size`` entries of ``status_size`` bits)."""

    purpose: StatusPurpose
    list_number: int
    size: int
    allocated: int
    status_size: int = 1


@dataclass(frozen=True, slots=True)
class PassportEntry:
    """A passport as the ledger knows it, including its signed text."""

    id: str
    record_id: str
    record_digest: str
    format: str
    issued_at: datetime
    valid_until: datetime
    verification_method: str
    status: tuple[JSONObject, ...]
    """The passport's ``credentialStatus`` entries, as issued."""
    credential_text: str
    """Exactly what was written to the passport file (JSON or compact JWS)."""
    allocations: tuple[StatusAllocation, ...] = ()
    kind: PassportKind = PassportKind.PASSPORT
    """A passport; or an adoption record, whose ``record_id`` is then the id of the passport
    adopted and ``record_digest`` that passport's ``digestSRI``."""
    record_version: int | None = None
    """The version of the record (``None`` for an adoption record)."""
    superseded_by: str | None = None
    """The passport that superseded this one (``issue --reissue`` or a newer record version)."""

    @property
    def state(self) -> PassportState:
        """Revoked if its revocation bit is set, else suspended if that bit is, else active."""
        purposes = {a.purpose for a in self.allocations if a.is_set}
        if StatusPurpose.REVOCATION in purposes:
            return PassportState.REVOKED
        if StatusPurpose.SUSPENSION in purposes:
            return PassportState.SUSPENDED
        return PassportState.ACTIVE

    @property
    def message(self) -> StatusReason | None:
        """The reason its message entry gives (``None``: it has no message entry)."""
        for allocation in self.allocations:
            if allocation.purpose is StatusPurpose.MESSAGE:
                reasons = list(StatusReason)
                return reasons[allocation.value] if allocation.value < len(reasons) else None
        return None

    def allocation(self, purpose: StatusPurpose) -> StatusAllocation:
        """The passport's allocation for ``purpose``."""
        for allocation in self.allocations:
            if allocation.purpose is purpose:
                return allocation
        raise LedgerError(f"passport {self.id} has no {purpose} status allocation")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the append-only audit log."""

    seq: int
    at: datetime
    action: str
    subject: str
    details: JSONObject
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class TrustListVersion:
    """A trust list an anchor signed (kept so each new version is one higher)."""

    version: int
    credential_id: str
    signed_at: datetime
    valid_until: datetime
    issuers: tuple[str, ...]
    credential_text: str


@dataclass(frozen=True, slots=True)
class LedgerReport:
    """What :meth:`Ledger.verify` found: the chain's checkpoint and every problem."""

    checkpoint: LedgerCheckpoint
    passports: int
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


_LEGACY_STATUS_ACTIONS = {"revoke": 1, "suspend": 1, "reinstate": 0}
#: What each status action may do: its purpose and the value it sets.
_STATUS_ACTIONS: Final = {
    "revoke": ("revocation", 1),
    "suspend": ("suspension", 1),
    "reinstate": ("suspension", 0),
}
_MAX_PROBLEMS = 50


_UNKNOWN: Final = object()
"""What an issue entry an older innopass wrote does not say (then read from the signed text)."""


@dataclass(slots=True)
class _Issued:
    """A passport row as its ``issue`` entry (and later ``supersede`` entries) determine it.

    ``None`` for a string the entry does not name; :data:`_UNKNOWN` for ``kind``,
    ``record_id``, ``record_version`` and ``valid_until`` that an entry an older innopass
    wrote leaves out: those are then derived from the stored credential text (whose
    digest the entry holds)."""

    record_digest: str | None
    verification_method: str | None
    format: str | None
    credential_digest: str | None
    allocations: set[tuple[str, int, int]]
    kind: object = _UNKNOWN
    record_id: object = _UNKNOWN
    record_version: object = _UNKNOWN
    valid_until: object = _UNKNOWN
    issued_at: str | None = None
    status_digest: str | None = None
    superseded_by: str | None = None


@dataclass(slots=True)
class _ListFacts:
    """A status list as the issue entries that allocate from it determine it."""

    size: int = MIN_ENTRIES
    status_size: int | None = None
    created_at: str | None = None
    allocated: int = 0


@dataclass(slots=True)
class _Replay:
    """The ledger's state as the audit chain tells it."""

    passports: dict[str, _Issued]
    values: dict[tuple[str, int, int], int]
    owners: dict[tuple[str, int, int], str]
    problems: list[str]
    lists: dict[tuple[str, int], _ListFacts] = field(default_factory=dict)
    trust_lists: dict[int, tuple[str, JSONValue]] = field(default_factory=dict)
    """Each trust-list version an anchor signed: its credential id and ``trust-list-sign``
    details."""


def _list_number(value: JSONValue) -> int | None:
    """A list number: an integer, or the ``…/<n>`` end of a list id (older issue entries)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        tail = value.rpartition("/")[2]
        return int(tail) if tail.isdigit() and len(tail) < 10 else None
    return None


def _replay(entries: Sequence[AuditEntry]) -> _Replay:
    """Replay ``entries``: the passports issued and each status position's value.

    An ``issue`` entry records a passport and its allocations; a status change
    is an entry whose details name ``purpose``, ``list``, ``index`` and
    ``value`` (entries of layouts before 3 have no ``value``: ``revoke`` and
    ``suspend`` set 1, ``reinstate`` sets 0). Every kind of status list and
    purpose is replayed alike, and the rules hold on the replay too: ``revoke``,
    ``suspend`` and ``reinstate`` change only their own purpose, to their own
    value, and a revocation is never cleared (an entry appended to the chain that
    un-revokes is a problem, however well it is chained).
    """
    state = _Replay({}, {}, {}, [])
    for entry in entries:
        details = entry.details
        if entry.action == "issue":
            if entry.subject in state.passports:
                state.problems.append(f"audit entry {entry.seq} issues {entry.subject} again")
            allocations: set[tuple[str, int, int]] = set()
            raw = details.get("status")
            for item in raw if isinstance(raw, list) else []:
                if not isinstance(item, dict):
                    continue
                purpose, index = item.get("purpose"), item.get("index")
                number = _list_number(item.get("listNumber", item.get("list")))
                if isinstance(purpose, str) and isinstance(index, int) and number is not None:
                    allocations.add((purpose, number, index))
                    _replay_list(state, entry, item, (purpose, number))
            state.passports[entry.subject] = _issued(entry, allocations)
            for position in allocations:
                if position in state.owners:
                    state.problems.append(
                        f"audit entry {entry.seq} gives {entry.subject} the status position "
                        f"{position[0]} {position[1]}/{position[2]} of {state.owners[position]}"
                    )
                state.owners[position] = entry.subject
                state.values[position] = 0
            continue
        if entry.action == "trust-list-sign":
            version = details.get("version")
            if isinstance(version, int) and not isinstance(version, bool):
                if version in state.trust_lists:
                    state.problems.append(
                        f"audit entry {entry.seq} signs trust list version {version} again"
                    )
                state.trust_lists[version] = (entry.subject, details)
            continue
        if entry.action == "supersede":
            issued = state.passports.get(entry.subject)
            by = details.get("by")
            if issued is None or not isinstance(by, str):
                state.problems.append(
                    f"audit entry {entry.seq} supersedes {entry.subject}, which no issue entry "
                    "issued, or names no successor"
                )
            else:
                issued.superseded_by = by
            continue
        purpose, index = details.get("purpose"), details.get("index")
        listed = details.get("list")
        value = details.get("value", _LEGACY_STATUS_ACTIONS.get(entry.action))
        if not (
            isinstance(purpose, str)
            and isinstance(index, int)
            and isinstance(listed, int)
            and isinstance(value, int)
        ):
            continue
        position = (purpose, listed, index)
        where = f"{purpose} {listed}/{index}"
        if state.owners.get(position) != entry.subject:
            state.problems.append(
                f"audit entry {entry.seq} changes {where}, which no issue entry gave "
                f"{entry.subject}"
            )
        rule = _STATUS_ACTIONS.get(entry.action)
        if rule is not None and rule != (purpose, value):
            state.problems.append(
                f"audit entry {entry.seq} ({entry.action}) sets {where} to {value}, which "
                f"{entry.action} cannot do"
            )
        if purpose == "revocation" and state.values.get(position) == 1 and value != 1:
            state.problems.append(
                f"audit entry {entry.seq} clears the revocation at {where}: revocation is final"
            )
        state.values[position] = value
    return state


def _text(value: JSONValue) -> str | None:
    return value if isinstance(value, str) else None


def _issued(entry: AuditEntry, allocations: set[tuple[str, int, int]]) -> _Issued:
    """What an ``issue`` entry determines of its passport's row.

    Entries name every column (``kind``, ``recordId``, ``recordVersion``, ``issuedAt``,
    ``validUntil``, ``statusDigest``); those an older innopass wrote name fewer, and a column
    they do not name is left :data:`_UNKNOWN` (read from the credential text) or, for
    ``issuedAt`` and ``statusDigest``, ``None`` (see :func:`_compare_passport`)."""
    details = entry.details
    issued = _Issued(
        record_digest=_text(details.get("recordDigest")),
        verification_method=_text(details.get("verificationMethod")),
        format=_text(details.get("format")),
        credential_digest=_text(details.get("credentialDigest")),
        allocations=allocations,
        issued_at=_text(details.get("issuedAt")),
        status_digest=_text(details.get("statusDigest")),
    )
    kind = details.get("kind")
    if isinstance(kind, str):
        issued.kind = kind
    elif "recordVersion" in details:  # only a passport's entry names a record version
        issued.kind = PassportKind.PASSPORT.value
    if "recordVersion" in details:
        issued.record_version = details["recordVersion"]
    elif issued.kind in (PassportKind.ADOPTION.value, PassportKind.CREDENTIAL.value):
        issued.record_version = None
    if isinstance(details.get("recordId"), str):
        issued.record_id = details["recordId"]
    elif issued.kind == PassportKind.ADOPTION.value and isinstance(details.get("passport"), str):
        issued.record_id = details["passport"]
    elif issued.kind == PassportKind.CREDENTIAL.value:
        issued.record_id = entry.subject
    if isinstance(details.get("validUntil"), str):
        issued.valid_until = details["validUntil"]
    return issued


def _replay_list(state: _Replay, entry: AuditEntry, item: JSONObject, key: tuple[str, int]) -> None:
    """One allocation from list ``key``: the list's size, entry size and creation time as
    the issue entry names them (older entries name none: a list then has
    :data:`MIN_ENTRIES` entries, of its purpose's :data:`STATUS_SIZES` bits or of 1)."""
    facts = state.lists.get(key)
    if facts is None:
        facts = state.lists[key] = _ListFacts()
    facts.allocated += 1
    for name, attribute in (("size", "size"), ("statusSize", "status_size")):
        value = item.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            if facts.allocated > 1 and getattr(facts, attribute) not in (None, value):
                state.problems.append(
                    f"audit entry {entry.seq} gives {key[0]} list {key[1]} a {name} of {value}, "
                    "unlike the entries before it"
                )
            setattr(facts, attribute, value)
    created = item.get("listCreatedAt")
    if isinstance(created, str) and facts.created_at is None:
        facts.created_at = created


def _chain_hash(
    prev_hash: str, seq: int, at: str, action: str, subject: str, details: JSONValue
) -> str:
    entry = {"seq": seq, "at": at, "action": action, "subject": subject, "details": details}
    return hashlib.sha256(prev_hash.encode("ascii") + canonicalize(entry)).hexdigest()


def _json_text(value: JSONValue) -> str:
    return dumps_compact(value)


def _stored_json(text: str, *, what: str) -> JSONValue:
    try:
        return loads_strict(text)
    except MalformedInputError as exc:
        raise LedgerError(f"ledger holds malformed {what}: {exc.diagnostics()}") from exc


def _stored_time(text: str, *, what: str) -> datetime:
    try:
        return parse_datetime(text)
    except MalformedInputError as exc:
        raise LedgerError(f"ledger holds a malformed {what} time: {text!r}") from exc


def _audit_rows(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every audit row, oldest first (the columns of :data:`_AUDIT_SELECT`)."""
    return [tuple(row) for row in db.execute(_AUDIT_SELECT).fetchall()]


def _audit_entries(db: sqlite3.Connection) -> tuple[AuditEntry, ...]:
    entries = []
    for seq, at, action, subject, details_json, prev_hash, digest in _audit_rows(db):
        details = _stored_json(str(details_json), what=f"audit entry {seq}")
        if not isinstance(details, dict):
            raise LedgerError(f"audit entry {seq} has details that are not an object")
        entries.append(
            AuditEntry(
                seq=int(seq),
                at=_stored_time(str(at), what=f"audit entry {seq}"),
                action=str(action),
                subject=str(subject),
                details=details,
                prev_hash=str(prev_hash),
                hash=str(digest),
            )
        )
    return tuple(entries)


def _checked_entries(db: sqlite3.Connection) -> tuple[AuditEntry, ...]:
    """The audit log, each entry's place in the hash chain checked as it is read (one pass).

    Raises :class:`AuditChainError` naming the first entry whose sequence number,
    ``prev_hash`` or ``hash`` does not match, or whose details are not a JSON object.
    """
    entries = []
    expected_prev = GENESIS_HASH
    for position, (seq, at, action, subject, details_json, prev_hash, digest) in enumerate(
        _audit_rows(db), start=1
    ):
        if seq != position:
            raise AuditChainError(position, f"entry missing (next entry is {seq})")
        if prev_hash != expected_prev:
            raise AuditChainError(seq, "prev_hash does not match the previous entry")
        try:
            details = loads_strict(str(details_json))
        except MalformedInputError as exc:
            raise AuditChainError(seq, "details are not valid JSON") from exc
        if not isinstance(details, dict):
            raise AuditChainError(seq, "details are not a JSON object")
        if _chain_hash(str(prev_hash), int(seq), str(at), str(action), str(subject), details) != (
            digest
        ):
            raise AuditChainError(seq, "hash does not match the entry's contents")
        try:
            when = parse_datetime(str(at))
        except MalformedInputError as exc:
            raise AuditChainError(seq, f"time {str(at)[:40]!r} is not a time") from exc
        entries.append(
            AuditEntry(
                int(seq), when, str(action), str(subject), details, str(prev_hash), str(digest)
            )
        )
        expected_prev = str(digest)
    return tuple(entries)


class LedgerTransaction:
    """The operations available inside one ledger transaction (see :meth:`Ledger.transaction`).

    Every change to what a verifier sees goes through here with its audit entry:
    :meth:`add_passport` (the ``issue`` entry) and :meth:`set_status` (every status
    change, of any purpose or list kind), so that :meth:`Ledger.verify` can replay
    the chain and compare it with the tables.
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        clock: Callable[[], datetime],
        ledger: Ledger | None = None,
    ) -> None:
        self._db = connection
        self._clock = clock
        self._ledger = ledger

    # --- tamper evidence --------------------------------------------------------------

    def checkpoint(self) -> LedgerCheckpoint:
        """The chain's length and head as this transaction sees it."""
        return _checkpoint(self._db)

    def require_intact(self, *, full: bool = False) -> LedgerCheckpoint:
        """Refuse (:class:`~innopass.errors.LedgerTamperedError`) unless the ledger verifies.

        A ledger opened by this process and verified at the head it still has is
        not verified again unless ``full``; signing status lists always verifies in
        full (the bits published are compared with the chain's replay first).
        """
        if self._ledger is None:  # pragma: no cover - every transaction has its ledger
            raise LedgerError("this transaction has no ledger to verify")
        return self._ledger._require_intact(full=full)

    # --- audit ------------------------------------------------------------------------

    def audit(self, action: str, subject: str, details: Mapping[str, JSONValue]) -> AuditEntry:
        """Append an entry to the audit log, chained to the previous one."""
        row = self._db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev_hash = (1, GENESIS_HASH) if row is None else (int(row[0]) + 1, str(row[1]))
        at = self._clock()
        at_text = format_datetime(at)
        body: JSONObject = dict(details)
        digest = _chain_hash(prev_hash, seq, at_text, action, subject, body)
        self._db.execute(
            "INSERT INTO audit (seq, at, action, subject, details_json, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, at_text, action, subject, _json_text(body), prev_hash, digest),
        )
        return AuditEntry(seq, at, action, subject, body, prev_hash, digest)

    def audit_entries(self) -> tuple[AuditEntry, ...]:
        """The audit log as this transaction sees it, oldest first."""
        return _audit_entries(self._db)

    # --- status allocation ------------------------------------------------------------

    def allocate_status(
        self,
        purpose: StatusPurpose,
        passport_id: str,
        *,
        randbelow: Callable[[int], int] = secrets.randbelow,
    ) -> StatusAllocation:
        """Reserve a random, never-used index in a list of ``purpose`` for ``passport_id``.

        Lists are tried in order; a list at :data:`FILL_THRESHOLD` or where
        :data:`MAX_DRAWS` draws all hit used indices is passed over, and a new
        list of :data:`~innopass.status.MIN_ENTRIES` entries is created when no
        existing list can take the allocation. Each list's fill comes from its
        ``allocated`` counter, not from counting its allocations. A list holds
        :data:`STATUS_SIZES` bits per entry for its purpose (three for ``message``).
        """
        rows = self._db.execute(
            "SELECT list_number, size, allocated FROM status_lists "
            "WHERE purpose = ? ORDER BY list_number",
            (purpose.value,),
        ).fetchall()
        for number, size, used in rows:
            if used >= size * FILL_THRESHOLD:
                continue
            allocation = self._draw(purpose, int(number), int(size), passport_id, randbelow)
            if allocation is not None:
                return allocation
        number = 1 + max((int(r[0]) for r in rows), default=0)
        self._db.execute(
            "INSERT INTO status_lists (purpose, list_number, size, created_at, status_size) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                purpose.value,
                number,
                MIN_ENTRIES,
                format_datetime(self._clock()),
                STATUS_SIZES.get(purpose, 1),
            ),
        )
        allocation = self._draw(purpose, number, MIN_ENTRIES, passport_id, randbelow)
        if allocation is None:  # an empty list cannot collide: the random source is broken
            raise LedgerError(f"could not allocate an index in new {purpose} list {number}")
        return allocation

    def _draw(
        self,
        purpose: StatusPurpose,
        number: int,
        size: int,
        passport_id: str,
        randbelow: Callable[[int], int],
    ) -> StatusAllocation | None:
        for _ in range(MAX_DRAWS):
            index = randbelow(size)
            if not 0 <= index < size:
                raise LedgerError(f"random source returned {index}, outside 0..{size - 1}")
            taken = self._db.execute(
                "SELECT 1 FROM status_allocations "
                "WHERE purpose = ? AND list_number = ? AND idx = ?",
                (purpose.value, number, index),
            ).fetchone()
            if taken is None:
                self._db.execute(
                    "INSERT INTO status_allocations (purpose, list_number, idx, passport_id) "
                    "VALUES (?, ?, ?, ?)",
                    (purpose.value, number, index, passport_id),
                )
                return StatusAllocation(purpose, number, index)
        return None

    # --- passports --------------------------------------------------------------------

    def add_passport(
        self, entry: PassportEntry, *, details: Mapping[str, JSONValue] | None = None
    ) -> AuditEntry:
        """Record a signed passport with its ``issue`` audit entry; return the entry.

        Its status allocations must already be made in this transaction. The entry
        names what :meth:`Ledger.verify` compares, every column of the row: kind,
        record id and version, record digest, key, format, issue and expiry times, the
        SHA-256 of the credential text and of the status entries, and every allocation
        with its list's size, entry size and creation time; ``details`` adds to it.
        """
        self._insert_passport(entry)
        allocations = _allocations(self._db, entry.id)
        lists = {str(s.get("statusPurpose")): s.get("statusListCredential") for s in entry.status}
        made = {
            (str(p), int(n)): (int(size), int(bits), str(created))
            for p, n, size, bits, created in self._db.execute(
                "SELECT l.purpose, l.list_number, l.size, l.status_size, l.created_at "
                "FROM status_lists AS l JOIN status_allocations AS a "
                "ON a.purpose = l.purpose AND a.list_number = l.list_number "
                "WHERE a.passport_id = ?",
                (entry.id,),
            )
        }
        body: JSONObject = dict(details or {})
        body.update(
            {
                "kind": entry.kind.value,
                "recordId": entry.record_id,
                "recordVersion": entry.record_version,
                "recordDigest": entry.record_digest,
                "format": entry.format,
                "issuedAt": format_datetime(entry.issued_at),
                "validUntil": format_datetime(entry.valid_until),
                "verificationMethod": entry.verification_method,
                "credentialDigest": _text_digest(entry.credential_text),
                "statusDigest": _text_digest(_json_text(list(entry.status))),
                "status": [
                    {
                        "purpose": a.purpose.value,
                        "list": lists.get(a.purpose.value) or a.list_number,
                        "listNumber": a.list_number,
                        "index": a.index,
                        "size": made[a.purpose.value, a.list_number][0],
                        "statusSize": made[a.purpose.value, a.list_number][1],
                        "listCreatedAt": made[a.purpose.value, a.list_number][2],
                    }
                    for a in allocations
                ],
            }
        )
        return self.audit("issue", entry.id, body)

    def _insert_passport(self, entry: PassportEntry) -> None:
        try:
            self._db.execute(
                "INSERT INTO passports (id, record_id, record_digest, format, issued_at, "
                "valid_until, verification_method, status_json, credential, kind, "
                "record_version, superseded_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.id,
                    entry.record_id,
                    entry.record_digest,
                    entry.format,
                    format_datetime(entry.issued_at),
                    format_datetime(entry.valid_until),
                    entry.verification_method,
                    _json_text(list(entry.status)),
                    entry.credential_text,
                    entry.kind.value,
                    entry.record_version,
                    entry.superseded_by,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise LedgerError(f"passport {entry.id} cannot be recorded: {exc}") from exc

    def passport(self, passport_id: str) -> PassportEntry:
        """The passport with this id; raises :class:`PassportNotFoundError`."""
        return _load_passport(self._db, passport_id)

    def passports_for_record(self, record_id: str) -> tuple[PassportEntry, ...]:
        """The passports (not adoption records) issued for ``record_id``, oldest first."""
        return _passports_for_record(self._db, record_id)

    def adoptions_of(self, passport_id: str) -> tuple[PassportEntry, ...]:
        """This organisation's adoption records of the passport ``passport_id``, oldest first."""
        return _passports_for_record(self._db, passport_id, PassportKind.ADOPTION)

    def change_status(
        self,
        passport_id: str,
        action: StatusAction,
        *,
        reason: StatusReason | None = None,
    ) -> PassportEntry:
        """Revoke, suspend or reinstate a passport, or set its message; with audit entries.

        A revoked passport cannot be suspended, reinstated or revoked again; only
        a suspended passport can be reinstated, and a suspended one cannot be
        suspended again. Refusals raise :class:`~innopass.errors.StatusChangeError`.
        ``reason`` also sets the passport's ``message`` entry (why): given with
        :attr:`StatusAction.MESSAGE`, it is the only change (allowed on a revoked
        passport too, so that the reason can follow a revocation). A reinstatement
        without a reason sets the message back to ``none`` (``superseded`` if the
        passport was superseded). A passport issued without a message entry takes
        the status change; its reason is then in the audit log only (and
        :attr:`PassportEntry.message` stays ``None``), and a message-only change is
        refused.

        Every position that changes goes through :meth:`set_status` (the one path),
        with its own audit entry (plus ``"reason"`` for the message).
        """
        entry = self.passport(passport_id)
        state = entry.state
        if action is StatusAction.MESSAGE:
            if reason is None:
                raise StatusChangeError(f"a message change for {passport_id} needs a reason")
            if entry.message is None:
                raise StatusChangeError(
                    f"passport {passport_id} was issued without a message status entry, "
                    "so no reason can be published for it"
                )
            self._set_message(entry, reason)
            return self.passport(passport_id)
        if state is PassportState.REVOKED:
            raise StatusChangeError(f"passport {passport_id} is revoked; revocation is final")
        if action is StatusAction.REVOKE:
            purpose, value = StatusPurpose.REVOCATION, 1
        elif action is StatusAction.SUSPEND:
            if state is PassportState.SUSPENDED:
                raise StatusChangeError(f"passport {passport_id} is already suspended")
            purpose, value = StatusPurpose.SUSPENSION, 1
        else:
            if state is not PassportState.SUSPENDED:
                raise StatusChangeError(f"passport {passport_id} is not suspended")
            purpose, value = StatusPurpose.SUSPENSION, 0
            if reason is None:
                reason = (
                    StatusReason.NONE if entry.superseded_by is None else StatusReason.SUPERSEDED
                )
        extra: dict[str, JSONValue] = {} if reason is None else {"reason": reason.value}
        self.set_status(passport_id, purpose, value, action=action.value, details=extra)
        if reason is not None and entry.message is not None:
            self._set_message(entry, reason)
        return self.passport(passport_id)

    def supersede(self, passport_id: str, by: str) -> PassportEntry:
        """Record that passport ``by`` supersedes ``passport_id``, and say so in its message.

        The message is set through :meth:`change_status` (when the passport has a
        message entry and is not revoked); the link is in the ledger either way.
        """
        entry = self.passport(passport_id)
        self._db.execute("UPDATE passports SET superseded_by = ? WHERE id = ?", (by, passport_id))
        self.audit("supersede", passport_id, {"by": by})
        if entry.message is not None and entry.state is not PassportState.REVOKED:
            self._set_message(entry, StatusReason.SUPERSEDED)
        return self.passport(passport_id)

    def _set_message(self, entry: PassportEntry, reason: StatusReason) -> None:
        allocation = entry.allocation(StatusPurpose.MESSAGE)
        if allocation.value != reason.value_code:
            self.set_status(
                entry.id,
                StatusPurpose.MESSAGE,
                reason.value_code,
                action="message",
                details={"reason": reason.value},
            )

    def set_status(
        self,
        passport_id: str,
        purpose: StatusPurpose,
        value: int,
        *,
        action: str,
        details: Mapping[str, JSONValue] | None = None,
    ) -> AuditEntry:
        """Set the status value of ``passport_id``'s ``purpose`` allocation, with its audit entry.

        The one path by which a status position changes (any purpose, any list
        kind): the entry names ``purpose``, ``list``, ``index`` and ``value``, which
        :meth:`Ledger.verify` replays. The rules of which change is allowed are the
        caller's (see :meth:`change_status`).
        """
        allocation = self.passport(passport_id).allocation(purpose)
        changed = self._db.execute(
            "UPDATE status_allocations SET value = ? "
            "WHERE purpose = ? AND list_number = ? AND idx = ? AND passport_id = ?",
            (value, purpose.value, allocation.list_number, allocation.index, passport_id),
        ).rowcount
        if changed != 1:
            raise LedgerError(f"the {purpose} allocation of {passport_id} is missing")
        body: JSONObject = dict(details or {})
        body.update(
            {
                "purpose": purpose.value,
                "list": allocation.list_number,
                "index": allocation.index,
                "value": value,
            }
        )
        return self.audit(action, passport_id, body)

    # --- trust lists (anchor) ---------------------------------------------------------

    def next_trust_list_version(self) -> int:
        """One more than the newest trust-list version this anchor has signed (1 at first)."""
        row = self._db.execute("SELECT MAX(version) FROM trust_list_versions").fetchone()
        return 1 if row is None or row[0] is None else int(row[0]) + 1

    def add_trust_list_version(self, version: TrustListVersion) -> None:
        """Record a signed trust list."""
        try:
            self._db.execute(
                "INSERT INTO trust_list_versions "
                "(version, credential_id, signed_at, valid_until, issuers_json, credential) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    version.version,
                    version.credential_id,
                    format_datetime(version.signed_at),
                    format_datetime(version.valid_until),
                    _json_text(list(version.issuers)),
                    version.credential_text,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise LedgerError(
                f"trust list version {version.version} cannot be recorded: {exc}"
            ) from exc


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checkpoint(db: sqlite3.Connection) -> LedgerCheckpoint:
    row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (
        LedgerCheckpoint(0, GENESIS_HASH)
        if row is None
        else LedgerCheckpoint(int(row[0]), str(row[1]))
    )


def _compare_tables(db: sqlite3.Connection, replay: _Replay) -> list[str]:
    """Where the tables differ from the chain's replay: every column of every passport,
    status list and status allocation that the chain (or the credential text whose digest
    it holds) determines.

    The status value of a position is its ``value`` column (several bits for a
    ``message`` list). One pass over each table, streamed: a ledger's passports may not
    fit in memory at once.
    """
    problems: list[str] = []
    rows = db.execute(f"SELECT {_PASSPORT_COLUMNS} FROM passports")  # noqa: S608
    seen: set[str] = set()
    for row in rows:
        pid = str(row[0])
        seen.add(pid)
        issued = replay.passports.get(pid)
        if issued is None:
            problems.append(f"passport {pid} is in the ledger but no audit entry issued it")
            continue
        problems += _compare_passport(tuple(row), issued)
    for pid in sorted(replay.passports.keys() - seen):
        problems.append(f"passport {pid} was issued (audit log) but is missing from the ledger")
    problems += _compare_lists(db, replay)
    problems += _compare_trust_lists(db, replay)
    held: dict[tuple[str, int, int], tuple[str, int]] = {
        (str(p), int(n), int(i)): (str(pid), int(v))
        for p, n, i, pid, v in db.execute(
            "SELECT purpose, list_number, idx, passport_id, value FROM status_allocations"
        )
    }
    for position, (pid, value) in held.items():
        where = f"{position[0]} {position[1]}/{position[2]}"
        owner = replay.owners.get(position)
        if owner is None:
            if pid in replay.passports and replay.passports[pid].allocations:
                problems.append(f"status position {where} of {pid} was never allocated to it")
            elif value:
                problems.append(f"status position {where} of {pid} is set with no audit entry")
            continue
        if owner != pid:
            problems.append(f"status position {where} belongs to {owner}, not {pid}")
        if replay.values.get(position, 0) != value:
            problems.append(
                f"status position {where} of {pid} is {value} in the ledger but "
                f"{replay.values.get(position, 0)} in the audit log"
            )
    for position in sorted(replay.owners.keys() - held.keys()):
        problems.append(
            f"status position {position[0]} {position[1]}/{position[2]} of "
            f"{replay.owners[position]} is missing from the ledger"
        )
    return problems


def _compare_passport(row: tuple[Any, ...], issued: _Issued) -> list[str]:
    """Where one ``passports`` row (:data:`_PASSPORT_COLUMNS`) differs from its issue entry
    and the ``supersede`` entries after it.

    What an older issue entry does not name is derived from the stored credential text
    (parsed only then): the kind, record id, record version and, for a passport, the
    expiry; its status entries are then those of the credential (none if the entry
    allocated none). Only such an entry's ``issued_at``, and an older adoption record's
    ``valid_until``, are not checked: neither the chain nor the signed text holds them.
    """
    (pid, record_id, digest, fmt, issued_at, valid_until, method, status_json, credential) = (
        str(v) for v in row[:9]
    )
    kind, record_version, superseded_by = row[9], row[10], row[11]
    expected: list[tuple[str, object, object]] = [
        ("record digest", digest, issued.record_digest),
        ("format", fmt, issued.format),
        ("verification method", method, issued.verification_method),
        ("credential", _text_digest(credential), issued.credential_digest),
        ("issue time", issued_at, issued.issued_at),
        ("status entries", _text_digest(status_json), issued.status_digest),
    ]
    derived = {
        "kind": issued.kind,
        "record id": issued.record_id,
        "record version": issued.record_version,
        "expiry": issued.valid_until,
    }
    if _UNKNOWN in derived.values() or issued.status_digest is None:
        facts = _credential_facts(credential)
        for name, value in derived.items():
            if value is _UNKNOWN:
                derived[name] = facts.get(name)
        if issued.status_digest is None:
            stated = facts.get("status entries") if issued.allocations else []
            try:
                same = json.loads(status_json) == stated
            except (ValueError, RecursionError):
                same = False
            if not same:
                expected.append(("status entries", "stored", "signed"))
    if derived["expiry"] is None and derived["kind"] != PassportKind.PASSPORT.value:
        derived["expiry"] = valid_until  # an older adoption record's: not in its signed text
    expected += [
        ("kind", kind, derived["kind"]),
        ("record id", record_id, derived["record id"]),
        ("record version", record_version, derived["record version"]),
        ("expiry", valid_until, derived["expiry"]),
        ("successor", superseded_by, issued.superseded_by),
    ]
    return [
        f"passport {pid}: its {name} differs from its issue entry"
        for name, recorded, chained in expected
        if recorded != chained and (chained is not None or name in _NULLABLE)
    ]


#: Columns whose ``NULL`` the chain determines too (no successor, no record version).
_NULLABLE: Final = frozenset({"successor", "record version"})


def _credential_facts(text: str) -> dict[str, JSONValue]:
    """What a stored credential text says of its ledger row (for issue entries that do not):
    ``kind``, ``record id``, ``record version``, ``expiry`` (a passport's) and ``status
    entries`` (its ``credentialStatus`` as a list)."""
    try:  # the text is the ledger's own (its digest is chained): the standard parser will do
        credential = (
            parse_compact_jws(text.strip()).payload
            if looks_like_compact_jws(text.strip())
            else json.loads(text)
        )
    except (MalformedInputError, ValueError, RecursionError):
        credential = None
    kind, version = _kind_and_version(credential)
    facts: dict[str, JSONValue] = {"kind": kind.value, "record version": version}
    if not isinstance(credential, dict):
        return facts
    status = credential.get("credentialStatus", [])
    facts["status entries"] = status if isinstance(status, list) else [status]
    if kind is PassportKind.CREDENTIAL:
        facts["record id"] = credential.get("id")
        return facts
    subject = credential.get("credentialSubject")
    record = subject.get("assessmentRecord") if isinstance(subject, dict) else None
    if kind is PassportKind.PASSPORT and isinstance(record, dict):
        facts["record id"] = record.get("record_id")
        facts["expiry"] = credential.get("validUntil")
    return facts


def _compare_trust_lists(db: sqlite3.Connection, replay: _Replay) -> list[str]:
    """Where the ``trust_list_versions`` rows differ from the ``trust-list-sign`` entries: the
    credential id, issuers and expiry, and (entries that name them) the signing time and
    the SHA-256 of the credential text."""
    problems: list[str] = []
    seen: set[int] = set()
    for version, credential_id, signed_at, valid_until, issuers_json, credential in db.execute(
        "SELECT version, credential_id, signed_at, valid_until, issuers_json, credential "
        "FROM trust_list_versions"
    ):
        seen.add(int(version))
        signed = replay.trust_lists.get(int(version))
        if signed is None:
            problems.append(
                f"trust list version {version} is in the ledger but no audit entry signed it"
            )
            continue
        subject, details = signed
        assert isinstance(details, dict)
        listed = details.get("issuers")
        dids = (
            [i.get("did") for i in listed if isinstance(i, dict)]
            if isinstance(listed, list)
            else None
        )
        try:
            issuers: JSONValue = json.loads(str(issuers_json))
        except (ValueError, RecursionError):
            issuers = None
        for name, recorded, chained in (
            ("credential id", str(credential_id), subject),
            ("issuers", issuers, dids),
            ("expiry", str(valid_until), _text(details.get("validUntil"))),
            ("signing time", str(signed_at), _text(details.get("signedAt"))),
            ("credential", _text_digest(str(credential)), _text(details.get("credentialDigest"))),
        ):
            if chained is not None and recorded != chained:
                problems.append(
                    f"trust list version {version}: its {name} differs from its audit entry"
                )
    for version in sorted(replay.trust_lists.keys() - seen):
        problems.append(f"trust list version {version} was signed (audit log) but is missing")
    return problems


def _legacy_sizes(purpose: str) -> set[int]:
    try:
        return {1, STATUS_SIZES.get(StatusPurpose(purpose), 1)}
    except ValueError:
        return {1}


def _compare_lists(db: sqlite3.Connection, replay: _Replay) -> list[str]:
    """Where the ``status_lists`` rows differ from the lists the issue entries allocated
    from: every list has the size, entry size, creation time (entries since layout 4) and
    number of allocations the chain gives it."""
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    for purpose, number, size, allocated, status_size, created_at in db.execute(
        "SELECT purpose, list_number, size, allocated, status_size, created_at FROM status_lists"
    ):
        key = (str(purpose), int(number))
        seen.add(key)
        facts = replay.lists.get(key)
        if facts is None:
            problems.append(f"status list {key[0]} {key[1]} was never allocated from (audit log)")
            continue
        bits = facts.status_size
        if bits is None:  # an older entry: the purpose's size, or 1 where an upgrade added it
            bits = int(status_size) if int(status_size) in _legacy_sizes(key[0]) else -1
        for name, recorded, chained in (
            ("size", int(size), facts.size),
            ("entry size", int(status_size), bits),
            ("allocation count", int(allocated), facts.allocated),
            ("creation time", str(created_at), facts.created_at),
        ):
            if chained is not None and recorded != chained:
                problems.append(
                    f"status list {key[0]} {key[1]}: its {name} ({recorded}) differs from the "
                    f"audit log ({chained})"
                )
    for key in sorted(replay.lists.keys() - seen):
        problems.append(f"status list {key[0]} {key[1]} was allocated from but is missing")
    return problems


def _allocations(db: sqlite3.Connection, passport_id: str) -> tuple[StatusAllocation, ...]:
    rows = db.execute(
        "SELECT purpose, list_number, idx, value FROM status_allocations "  # noqa: S608
        f"WHERE passport_id = ? ORDER BY {_PURPOSE_ORDER}",
        (passport_id,),
    ).fetchall()
    try:
        return tuple(
            StatusAllocation(StatusPurpose(p), int(n), int(i), int(v)) for p, n, i, v in rows
        )
    except ValueError as exc:
        raise LedgerError(f"ledger holds an unknown status purpose for {passport_id}") from exc


def _passport_from_row(db: sqlite3.Connection, row: tuple[Any, ...]) -> PassportEntry:
    (
        pid,
        record_id,
        digest,
        fmt,
        issued_at,
        valid_until,
        method,
        status_json,
        credential,
        kind,
        record_version,
        superseded_by,
    ) = row
    status = _stored_json(str(status_json), what="status entries")
    if not isinstance(status, list) or not all(isinstance(s, dict) for s in status):
        raise LedgerError(f"ledger holds malformed status entries for {pid}")
    return PassportEntry(
        id=str(pid),
        record_id=str(record_id),
        record_digest=str(digest),
        format=str(fmt),
        issued_at=_stored_time(str(issued_at), what="issue"),
        valid_until=_stored_time(str(valid_until), what="expiry"),
        verification_method=str(method),
        status=tuple(s for s in status if isinstance(s, dict)),
        credential_text=str(credential),
        allocations=_allocations(db, str(pid)),
        kind=_stored_kind(kind, pid),
        record_version=None if record_version is None else int(record_version),
        superseded_by=None if superseded_by is None else str(superseded_by),
    )


def _stored_kind(value: object, passport_id: object) -> PassportKind:
    try:
        return PassportKind(str(value))
    except ValueError:
        raise LedgerError(f"ledger holds an unknown kind for {passport_id}") from None


_PASSPORT_COLUMNS = (
    "id, record_id, record_digest, format, issued_at, valid_until, "
    "verification_method, status_json, credential, kind, record_version, superseded_by"
)


def _load_passport(db: sqlite3.Connection, passport_id: str) -> PassportEntry:
    row = db.execute(
        f"SELECT {_PASSPORT_COLUMNS} FROM passports WHERE id = ?",  # noqa: S608 - constant columns
        (passport_id,),
    ).fetchone()
    if row is None:
        raise PassportNotFoundError(passport_id)
    return _passport_from_row(db, tuple(row))


def _passports_for_record(
    db: sqlite3.Connection, record_id: str, kind: PassportKind = PassportKind.PASSPORT
) -> tuple[PassportEntry, ...]:
    """The entries of ``kind`` for ``record_id`` (for an adoption record: the passport id)."""
    rows = db.execute(
        f"SELECT {_PASSPORT_COLUMNS} FROM passports "  # noqa: S608 - constant columns
        "WHERE record_id = ? AND kind = ? ORDER BY issued_at, id",
        (record_id, kind.value),
    ).fetchall()
    return tuple(_passport_from_row(db, tuple(row)) for row in rows)


_COUNT_BY_STATE = """
SELECT state, COUNT(*) FROM (
    SELECT CASE
        WHEN MAX(a.purpose = 'revocation' AND a.value != 0) = 1 THEN 'revoked'
        WHEN MAX(a.purpose = 'suspension' AND a.value != 0) = 1 THEN 'suspended'
        ELSE 'active'
    END AS state
    FROM passports AS p LEFT JOIN status_allocations AS a ON a.passport_id = p.id
    WHERE p.kind = 'passport'
    GROUP BY p.id
) GROUP BY state
"""


_R = TypeVar("_R")
_P = ParamSpec("_P")


def _read(method: Callable[Concatenate[Ledger, _P], _R]) -> Callable[Concatenate[Ledger, _P], _R]:
    """A :class:`Ledger` read whose SQLite errors (a damaged file) become :class:`LedgerError`."""

    def run(self: Ledger, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        return _reading(self, lambda: method(self, *args, **kwargs))

    run.__name__, run.__doc__ = method.__name__, method.__doc__
    return run


def _reading(ledger: Ledger, read: Callable[[], _R]) -> _R:
    """Run a read, turning SQLite's errors (a damaged file) into a :class:`LedgerError`."""
    try:
        return read()
    except sqlite3.DatabaseError as exc:
        raise LedgerError(
            f"the ledger at {ledger.path} cannot be read ({exc}): restore it from a backup"
        ) from exc


class Ledger:
    """An organisation's ledger (one SQLite file). Open with :meth:`open`; close when done.

    Reads run outside transactions; every change goes through :meth:`transaction`.
    Not shared between threads: each process or thread opens its own.
    """

    def __init__(
        self, connection: sqlite3.Connection, path: Path, clock: Callable[[], datetime]
    ) -> None:
        self._db = connection
        self.path = path
        self._clock = clock
        self.anchors: tuple[tuple[str, LedgerCheckpoint], ...] = ()
        """Checkpoints published outside the file, with where each came from
        (``(source, checkpoint)``), that :meth:`verify` requires the chain to hold."""
        self._trusted: LedgerCheckpoint | None = None

    @classmethod
    def open(
        cls, path: Path, *, create: bool = False, clock: Callable[[], datetime] = utc_now
    ) -> Ledger:
        """Open the ledger at ``path``; with ``create``, make it (and its tables) if it is missing.

        Raises :class:`~innopass.errors.LedgerError` when the file is missing
        (without ``create``), is not a ledger, or was written by a newer innopass.
        """
        if not create and not path.is_file():
            raise LedgerError(f"no ledger at {path} (run `innopass org init` first)")
        if create:
            _create_private_file(path)
        try:
            connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=True
            )
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the ledger at {path}: {exc}") from exc
        ledger = cls(connection, path, clock)
        try:
            ledger._configure()
        except BaseException:
            connection.close()
            raise
        return ledger

    def _configure(self) -> None:
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise LedgerError(f"the ledger at {self.path} cannot use WAL mode")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version == LEDGER_LAYOUT_VERSION:
                return
            if version > LEDGER_LAYOUT_VERSION:
                raise LedgerError(
                    f"the ledger at {self.path} has layout {version}; "
                    f"this innopass knows only {LEDGER_LAYOUT_VERSION}"
                )
            self._db.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have created or upgraded the tables meanwhile.
                version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                if version == 0:
                    scripts = [_SCHEMA + _GUARDS]
                elif version in _UPGRADES:
                    scripts = [_UPGRADES[v] for v in range(version, LEDGER_LAYOUT_VERSION)]
                elif version == LEDGER_LAYOUT_VERSION:
                    scripts = []
                else:
                    raise LedgerError(f"the ledger at {self.path} has unknown layout {version}")
                for script in scripts:
                    for statement in _split_statements(script):
                        self._db.execute(statement)
                if scripts:
                    if 0 < version < 4:
                        _fill_record_versions(self._db)
                    self._db.execute(f"PRAGMA user_version = {LEDGER_LAYOUT_VERSION}")
                    if version:
                        LedgerTransaction(self._db, self._clock).audit(
                            "ledger-upgrade",
                            "ledger",
                            {"from": version, "to": LEDGER_LAYOUT_VERSION},
                        )
                self._db.execute("COMMIT")
            except BaseException:
                _rollback(self._db)
                raise
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path} is not a usable ledger: {exc}") from exc

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[LedgerTransaction]:
        """One ``BEGIN IMMEDIATE`` transaction: committed when the block ends, rolled back on error.

        Waits up to :data:`BUSY_TIMEOUT_SECONDS` for another process's write lock.
        SQLite failures (including constraint violations) surface as
        :class:`~innopass.errors.LedgerError`.
        """
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot start a ledger transaction: {exc}") from exc
        trusted = self._trusted
        try:
            tx = LedgerTransaction(self._db, self._clock, self)
            yield tx
            head = tx.checkpoint()
        except sqlite3.Error as exc:
            _rollback(self._db)
            self._trusted = trusted
            raise LedgerError(f"ledger transaction failed: {exc}") from exc
        except BaseException:
            _rollback(self._db)
            self._trusted = trusted
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(self._db)
            self._trusted = trusted
            raise LedgerError(f"cannot commit to the ledger: {exc}") from exc
        if self._trusted is not None:
            # verified in this transaction, or before it at the head it started from:
            # what this process appended keeps it verified
            self._trusted = head

    # --- tamper evidence --------------------------------------------------------------

    def checkpoint(self) -> LedgerCheckpoint:
        """The audit chain's length and head now."""
        return _reading(self, lambda: _checkpoint(self._db))

    def verify(
        self, checkpoints: Sequence[tuple[str, LedgerCheckpoint]] | None = None
    ) -> LedgerReport:
        """Check everything: the file, the chain, the tables against the chain's replay, and
        the chain against every published checkpoint (:attr:`anchors`, or ``checkpoints``).

        Never raises for what it finds: each problem is in the report.
        """

        def run() -> LedgerReport:
            problems: list[str] = []
            check = self._db.execute("PRAGMA quick_check").fetchall()
            if [str(r[0]) for r in check] != ["ok"]:
                problems += [f"the SQLite file is damaged: {r[0]}" for r in check[:5]]
                return LedgerReport(LedgerCheckpoint(0, GENESIS_HASH), 0, tuple(problems))
            try:
                entries = _checked_entries(self._db)
                length = len(entries)
            except LedgerError as exc:
                problems.append(str(exc))
                entries, length = (), -1
            head = _checkpoint(self._db)
            if length >= 0:
                replay = _replay(entries)
                problems += replay.problems
                problems += _compare_tables(self._db, replay)
                hashes = [e.hash for e in entries]
                for source, point in self.anchors if checkpoints is None else checkpoints:
                    problem = _checkpoint_problem(point, hashes, source)
                    if problem is not None:
                        problems.append(problem)
            count = int(self._db.execute("SELECT COUNT(*) FROM passports").fetchone()[0])
            return LedgerReport(head, count, tuple(problems[:_MAX_PROBLEMS]))

        return _reading(self, run)

    def _require_intact(self, *, full: bool) -> LedgerCheckpoint:
        head = _checkpoint(self._db)
        if not full and self._trusted == head:
            return head
        report = self.verify()
        if not report.ok:
            self._trusted = None
            raise LedgerTamperedError(self.path, report.problems)
        self._trusted = report.checkpoint
        return report.checkpoint

    def require_intact(self) -> LedgerCheckpoint:
        """Raise :class:`~innopass.errors.LedgerTamperedError` unless :meth:`verify` passes."""
        return _reading(self, lambda: self._require_intact(full=False))

    def replayed_values(self, upto: int | None = None) -> dict[tuple[str, int, int], int]:
        """Each status position's value as the chain's first ``upto`` entries tell it."""

        def run() -> dict[tuple[str, int, int], int]:
            entries = _audit_entries(self._db)
            return _replay(entries if upto is None else entries[:upto]).values

        return _reading(self, run)

    # --- reads ------------------------------------------------------------------------

    @_read
    def passport(self, passport_id: str) -> PassportEntry:
        """The passport with this id; raises :class:`PassportNotFoundError`."""
        return _load_passport(self._db, passport_id)

    @_read
    def passports(self) -> Iterator[PassportEntry]:
        """Every passport, oldest first."""
        rows = self._db.execute(
            f"SELECT {_PASSPORT_COLUMNS} FROM passports ORDER BY issued_at, id"  # noqa: S608
        ).fetchall()
        for row in rows:
            yield _passport_from_row(self._db, tuple(row))

    @_read
    def passports_for_record(self, record_id: str) -> tuple[PassportEntry, ...]:
        """The passports (not adoption records) issued for ``record_id``, oldest first."""
        return _passports_for_record(self._db, record_id)

    @_read
    def adoptions_of(self, passport_id: str) -> tuple[PassportEntry, ...]:
        """This organisation's adoption records of the passport ``passport_id``, oldest first."""
        return _passports_for_record(self._db, passport_id, PassportKind.ADOPTION)

    @_read
    def count_passports(self) -> dict[PassportState, int]:
        """How many passports (not adoption records) are active, suspended and revoked (one SQL
        query)."""
        counts = dict.fromkeys(PassportState, 0)
        for state, count in self._db.execute(_COUNT_BY_STATE).fetchall():
            counts[PassportState(state)] += int(count)
        return counts

    @_read
    def status_lists(self) -> tuple[StatusListInfo, ...]:
        """Every status list allocated from, by purpose and number."""
        rows = self._db.execute(
            "SELECT purpose, list_number, size, allocated, status_size "  # noqa: S608
            f"FROM status_lists ORDER BY {_PURPOSE_ORDER}, list_number"
        ).fetchall()
        try:
            return tuple(
                StatusListInfo(StatusPurpose(p), int(n), int(s), int(c), int(z))
                for p, n, s, c, z in rows
            )
        except ValueError as exc:
            raise LedgerError("ledger holds a status list with an unknown purpose") from exc

    @_read
    def status_bits(self, purpose: StatusPurpose, list_number: int) -> bytes:
        """The current bitstring of one list: each entry's value in ``status_size`` bits
        (for one bit: set = revoked/suspended)."""
        row = self._db.execute(
            "SELECT size, status_size FROM status_lists WHERE purpose = ? AND list_number = ?",
            (purpose.value, list_number),
        ).fetchone()
        if row is None:
            raise LedgerError(f"no {purpose} status list {list_number} in this ledger")
        size, status_size = int(row[0]), int(row[1])
        bits = bytearray(new_bitstring(size, status_size))
        for index, value in self._db.execute(
            "SELECT idx, value FROM status_allocations "
            "WHERE purpose = ? AND list_number = ? AND value != 0",
            (purpose.value, list_number),
        ):
            if not 0 <= index < size or not 0 < value < (1 << status_size):
                raise LedgerError(
                    f"ledger holds index {index} (value {value}) outside {purpose} list "
                    f"{list_number}"
                )
            for offset in range(status_size):
                if value & (1 << (status_size - 1 - offset)):
                    position = index * status_size + offset
                    bits[position // 8] |= 0x80 >> (position % 8)
        return bytes(bits)

    @_read
    def all_allocations(self) -> tuple[tuple[StatusPurpose, int, int, str], ...]:
        """Every ``(purpose, list_number, index, passport_id)`` allocated."""
        rows = self._db.execute(
            "SELECT purpose, list_number, idx, passport_id "  # noqa: S608
            f"FROM status_allocations ORDER BY {_PURPOSE_ORDER}, list_number, idx"
        ).fetchall()
        return tuple((StatusPurpose(p), int(n), int(i), str(pid)) for p, n, i, pid in rows)

    @_read
    def audit_entries(self) -> tuple[AuditEntry, ...]:
        """The audit log, oldest first."""
        return _audit_entries(self._db)

    @_read
    def verify_audit_chain(self) -> int:
        """Recompute the audit hash chain; return the number of entries checked.

        Raises :class:`AuditChainError` naming the first entry whose sequence
        number, ``prev_hash`` or ``hash`` does not match.
        """
        return len(_checked_entries(self._db))

    @_read
    def trust_list_versions(self) -> tuple[TrustListVersion, ...]:
        """Every trust list this (anchor) organisation signed, oldest first."""
        rows = self._db.execute(
            "SELECT version, credential_id, signed_at, valid_until, issuers_json, credential "
            "FROM trust_list_versions ORDER BY version"
        ).fetchall()
        out = []
        for version, cred_id, signed_at, valid_until, issuers_json, credential in rows:
            issuers = _stored_json(str(issuers_json), what="trust-list issuers")
            out.append(
                TrustListVersion(
                    version=int(version),
                    credential_id=str(cred_id),
                    signed_at=_stored_time(str(signed_at), what="trust-list signing"),
                    valid_until=_stored_time(str(valid_until), what="trust-list expiry"),
                    issuers=tuple(str(i) for i in issuers) if isinstance(issuers, list) else (),
                    credential_text=str(credential),
                )
            )
        return tuple(out)

    @_read
    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result (``"ok"`` when the file is sound)."""
        row = self._db.execute("PRAGMA integrity_check").fetchone()
        return "" if row is None else str(row[0])


def _checkpoint_problem(point: LedgerCheckpoint, hashes: Sequence[str], source: str) -> str | None:
    if point.length == 0:
        return None
    if point.length > len(hashes):
        return (
            f"{source} was made from a ledger of {point.length} audit entries; this one has "
            f"{len(hashes)}: it was rolled back (restored from an older copy?)"
        )
    if hashes[point.length - 1] != point.head:
        return (
            f"{source} was made from a ledger whose audit entry {point.length} differs from "
            "this one's: the audit log was rewritten"
        )
    return None


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back, keeping the exception that caused it if the rollback fails too.

    A failed ROLLBACK (the connection is gone, or SQLite already rolled back)
    must not replace the error the caller needs to see; SQLite discards an
    uncommitted transaction when the connection closes in any case.
    """
    with contextlib.suppress(sqlite3.Error):
        db.execute("ROLLBACK")


def _create_private_file(path: Path) -> None:
    """Create the ledger file empty with mode 0600 (its WAL files inherit the mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise LedgerError(f"cannot create the ledger at {path}: {exc.strerror or exc}") from exc
    os.close(fd)


def _split_statements(script: str) -> Iterator[str]:
    """Split the schema script into statements (triggers contain inner semicolons)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement:
                yield statement
            buffer = ""
