"""Bitstring Status List 1.0: entries in a credential and status-list credentials.

The pure codec is in :mod:`innopass._internal.bitstring`. This module reads and
builds the JSON shapes (FORMATS.md §1, §3); signing belongs to the issuer and
checking signatures to the verifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

from innopass._internal import schema
from innopass._internal.bitstring import (
    DEFAULT_MAX_LIST_BYTES,
    MIN_ENTRIES,
    bit_at,
    decode_bitstring,
    encode_bitstring,
    new_bitstring,
    value_at,
    with_bit,
    with_value,
)
from innopass._internal.contexts import CREDENTIALS_V2, PASSPORT_CONTEXT
from innopass._internal.credential import VC_TYPE
from innopass._internal.jsonio import JSONObject, JSONValue, pointer
from innopass._internal.serial import Codec, Converter, member
from innopass._internal.timestamps import format_datetime
from innopass.errors import MalformedInputError, StatusListError

__all__ = [
    "DEFAULT_MAX_LIST_BYTES",
    "ENTRY_TYPE",
    "LIST_CREDENTIAL_TYPE",
    "MAX_STATUS_ENTRIES",
    "MAX_STATUS_SIZE",
    "MESSAGE_SIZE",
    "MIN_ENTRIES",
    "REASON_MESSAGES",
    "StatusEntry",
    "StatusList",
    "StatusMessage",
    "StatusPurpose",
    "StatusReason",
    "bit_at",
    "build_status_list_credential",
    "decode_bitstring",
    "encode_bitstring",
    "list_id",
    "new_bitstring",
    "parse_status_list_credential",
    "reason_of",
    "split_status_entries",
    "status_entries",
    "value_at",
    "with_bit",
    "with_value",
]

ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_SUBJECT_TYPE = "BitstringStatusList"


class StatusPurpose(StrEnum):
    """The purposes innopass issues: revocation is final, suspension reversible, and a
    ``message`` (BSL 1.0 §2.1) saying why a passport's status changed."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"
    MESSAGE = "message"


class StatusReason(StrEnum):
    """Why a passport's status changed: the messages of innopass's ``message`` status list.

    Each is a message of the entry's ``statusMessage``, at the status value of its
    position here (``none`` is ``0x0``); the list holds :data:`MESSAGE_SIZE` bits per
    passport. The message does not decide a verification by itself (a field safety
    notice usually comes with a suspension); it says why, and an adopter's policy
    decides what it means for them.
    """

    NONE = "none"
    SUPERSEDED = "superseded"
    """A newer passport for the same record (``issue --reissue``) or a newer record version."""
    FIELD_SAFETY_NOTICE = "field-safety-notice"
    """The manufacturer issued a field safety notice (MHRA) for the product."""
    UNDER_REVIEW = "under-review"
    """The assessing organisation is reviewing its assessment."""
    WITHDRAWN_BY_SUPPLIER = "withdrawn-by-supplier"
    """The supplier withdrew the product (or this version of it)."""
    CERTIFICATE_WITHDRAWN = "certificate-withdrawn"
    """A certificate the assessment relied on expired or was withdrawn."""
    ISSUER_SUCCEEDED = "issuer-succeeded"
    """The assessing organisation merged into another or closed (see the trust list)."""
    FRAMEWORK_RETIRED = "framework-retired"
    """The version of an assessment framework the assessment used was retired."""

    @property
    def value_code(self) -> int:
        """The status value of this reason in the message list."""
        return list(StatusReason).index(self)


#: Bits per passport in the ``message`` list: eight messages.
MESSAGE_SIZE: Final = 3
#: The largest ``statusSize`` innopass reads (256 messages).
MAX_STATUS_SIZE: Final = 8


def list_id(base: str, purpose: str, number: int) -> str:
    """The id of status list ``number`` for ``purpose`` under ``base`` (FORMATS.md §3)."""
    return f"{base}{purpose}/{number}"


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """One ``statusMessage`` item: a status value (``0x…``) and its message."""

    status: str
    message: str

    @property
    def value(self) -> int:
        return int(self.status, 16)


#: The ``statusMessage`` of every innopass ``message`` entry, in status-value order.
REASON_MESSAGES: Final = tuple(
    StatusMessage(status=hex(reason.value_code), message=reason.value) for reason in StatusReason
)


def reason_of(messages: tuple[StatusMessage, ...], value: int) -> StatusReason | None:
    """The innopass reason for status ``value`` under ``messages`` (``None``: not innopass's)."""
    message = next((m.message for m in messages if m.value == value), None)
    try:
        return None if message is None else StatusReason(message)
    except ValueError:
        return None


_CONVERTER = Converter()
"""Status entries' converter (their JSON is camelCase, their index a decimal string)."""
_ENTRY_SCHEMA = "status-list-entry.schema.json"


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One ``BitstringStatusListEntry`` of a credential.

    ``size`` is ``statusSize`` (bits per credential; ``None``: absent, one bit);
    ``messages`` its ``statusMessage`` (required when the size is over 1: one per
    status value).
    """

    entry_id: str | None = field(default=None, kw_only=True, metadata=member("id", optional=True))
    type: str = field(default=ENTRY_TYPE, init=False, repr=False, compare=False)
    purpose: str = field(metadata=member("statusPurpose"))
    index: int = field(metadata=member("statusListIndex", codec=Codec(int, str)))
    list_id: str = field(metadata=member("statusListCredential"))
    size: int | None = field(
        default=None, kw_only=True, metadata=member("statusSize", optional=True)
    )
    messages: tuple[StatusMessage, ...] | None = field(
        default=None, kw_only=True, metadata=member("statusMessage", optional=True)
    )

    @property
    def bits(self) -> int:
        """Bits per credential in the list (``statusSize``, 1 when absent)."""
        return 1 if self.size is None else self.size

    def reason(self, value: int) -> StatusReason | None:
        """The innopass reason the status ``value`` stands for, if this entry is innopass's."""
        return reason_of(self.messages or (), value)

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "/credentialStatus") -> StatusEntry:
        """Check an entry against ``schemas/status-list-entry.schema.json`` and read it.

        Raises :class:`~innopass.errors.MalformedInputError` at the first problem.
        ``statusSize``, if given, must be an integer (not ``1.0``) from 1 to
        :data:`MAX_STATUS_SIZE`; over 1, ``statusMessage`` must give each status value
        (``0x0`` up to ``2^size - 1``) exactly once (BSL 1.0 §2.1).
        """
        schema.require_shape(obj, _ENTRY_SCHEMA, path=path)
        assert isinstance(obj, dict)
        if isinstance(obj.get("statusSize"), float):
            raise MalformedInputError("statusSize must be an integer", path=f"{path}/statusSize")
        entry = _CONVERTER.from_json(cls, obj)
        if entry.messages is not None:
            values = sorted(m.value for m in entry.messages)
            if entry.bits > 1 and values != list(range(1 << entry.bits)):
                raise MalformedInputError(
                    f"statusMessage must give each of the {1 << entry.bits} status values "
                    f"0x0 to {hex((1 << entry.bits) - 1)} once",
                    path=f"{path}/statusMessage",
                )
        return entry

    def to_json(self) -> JSONObject:
        """The entry's JSON; its ``id`` is ``<list id>#<index>`` unless it has its own."""
        if not self.entry_id:
            return _CONVERTER.to_json(replace(self, entry_id=f"{self.list_id}#{self.index}"))
        return _CONVERTER.to_json(self)


#: The most ``credentialStatus`` entries a credential may carry (a passport has two).
MAX_STATUS_ENTRIES: Final = 16


def status_entries(credential: Mapping[str, JSONValue]) -> tuple[StatusEntry, ...]:
    """Every status entry of ``credential`` (``credentialStatus`` may be an object or a list).

    Each must be a ``BitstringStatusListEntry`` (:class:`MalformedInputError` otherwise);
    :func:`split_status_entries` sets the entries of other types aside instead.
    """
    entries, others = split_status_entries(credential)
    if others:
        path, kind = others[0]
        raise MalformedInputError(f"status entry type {kind} is not {ENTRY_TYPE}", path=path)
    return entries


def split_status_entries(
    credential: Mapping[str, JSONValue],
) -> tuple[tuple[StatusEntry, ...], tuple[tuple[str, str], ...]]:
    """The ``BitstringStatusListEntry`` entries of ``credential``, read, and ``(path, type)``
    (the path of its ``type``) of each entry of another type (the data model allows other
    status types; innopass cannot check them). Raises :class:`MalformedInputError` for a malformed
    ``credentialStatus`` or a malformed ``BitstringStatusListEntry``."""
    value = credential.get("credentialStatus")
    if value is None:
        return (), ()
    if not isinstance(value, dict | list):
        raise MalformedInputError(
            "credentialStatus is not an object or list", path="/credentialStatus"
        )
    if isinstance(value, list) and len(value) > MAX_STATUS_ENTRIES:
        raise MalformedInputError(
            f"credentialStatus has {len(value)} entries, over the limit of {MAX_STATUS_ENTRIES}",
            path="/credentialStatus",
        )
    items = (
        [(value, "/credentialStatus")]
        if isinstance(value, dict)
        else [(item, pointer("credentialStatus", i)) for i, item in enumerate(value)]
    )
    entries: list[StatusEntry] = []
    others: list[tuple[str, str]] = []
    for item, path in items:
        kind = item.get("type") if isinstance(item, dict) else None
        if isinstance(item, dict) and kind != ENTRY_TYPE:
            others.append((f"{path}/type", repr(kind)[:60]))
        else:
            entries.append(StatusEntry.from_json(item, path=path))
    return tuple(entries), tuple(others)


@dataclass(frozen=True, slots=True)
class StatusList:
    """The decoded subject of a ``BitstringStatusListCredential``."""

    id: str
    issuer: str
    purposes: tuple[str, ...]
    bits: bytes

    @property
    def size(self) -> int:
        return len(self.bits) * 8

    def is_set(self, index: int) -> bool:
        return bit_at(self.bits, index)

    def value(self, index: int, size: int = 1) -> int:
        """The ``size``-bit status value of entry ``index``."""
        return value_at(self.bits, index, size)

    def entries(self, size: int = 1) -> int:
        """How many entries of ``size`` bits the list holds."""
        return len(self.bits) * 8 // size


def parse_status_list_credential(
    credential: Mapping[str, JSONValue],
    *,
    max_bytes: int = DEFAULT_MAX_LIST_BYTES,
    min_entries: int = MIN_ENTRIES,
) -> StatusList:
    """Check the shape of a status-list credential and decode its list (no signature check)."""
    types = credential.get("type")
    if not isinstance(types, list) or LIST_CREDENTIAL_TYPE not in types:
        raise StatusListError(f"not a {LIST_CREDENTIAL_TYPE}")
    cred_id = credential.get("id")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(cred_id, str) or not isinstance(issuer_id, str):
        raise StatusListError("status list credential lacks an id or issuer")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != LIST_SUBJECT_TYPE:
        raise StatusListError(f"credentialSubject is not a {LIST_SUBJECT_TYPE}")
    raw_purpose = subject.get("statusPurpose")
    purposes = raw_purpose if isinstance(raw_purpose, list) else [raw_purpose]
    if not purposes or not all(isinstance(p, str) and p for p in purposes):
        raise StatusListError("status list statusPurpose missing")
    bits = decode_bitstring(subject.get("encodedList"), max_bytes=max_bytes)
    if len(bits) * 8 < min_entries:
        raise StatusListError(f"status list has {len(bits) * 8} entries, fewer than {min_entries}")
    return StatusList(
        id=cred_id, issuer=issuer_id, purposes=tuple(str(p) for p in purposes), bits=bits
    )


def build_status_list_credential(
    *,
    list_id: str,
    issuer_did: str,
    purpose: str,
    bits: bytes,
    valid_from: datetime,
    valid_until: datetime,
    ledger_checkpoint: Mapping[str, JSONValue] | None = None,
) -> JSONObject:
    """An unsigned ``BitstringStatusListCredential`` (FORMATS.md §3).

    ``ledger_checkpoint`` (``{"length": N, "head": "<hex>"}``) is the issuer's ledger
    the list was made from; it is carried as ``ledgerCheckpoint``, a term of the
    innopass context, which the credential then names after the VC 2.0 one.
    """
    credential: JSONObject = {
        "@context": list(PASSPORT_CONTEXT) if ledger_checkpoint is not None else [CREDENTIALS_V2],
        "id": list_id,
        "type": [VC_TYPE, LIST_CREDENTIAL_TYPE],
        "issuer": issuer_did,
        "validFrom": format_datetime(valid_from),
        "validUntil": format_datetime(valid_until),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": LIST_SUBJECT_TYPE,
            "statusPurpose": purpose,
            "encodedList": encode_bitstring(bits),
        },
    }
    if ledger_checkpoint is not None:
        credential["ledgerCheckpoint"] = dict(ledger_checkpoint)
    return credential
