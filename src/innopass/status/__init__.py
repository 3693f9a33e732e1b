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
    with_bit,
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
    "MIN_ENTRIES",
    "StatusEntry",
    "StatusList",
    "StatusPurpose",
    "bit_at",
    "build_status_list_credential",
    "decode_bitstring",
    "encode_bitstring",
    "list_id",
    "new_bitstring",
    "parse_status_list_credential",
    "split_status_entries",
    "status_entries",
    "with_bit",
]

ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_SUBJECT_TYPE = "BitstringStatusList"


class StatusPurpose(StrEnum):
    """The two purposes innopass issues: revocation is final, suspension reversible."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"


def list_id(base: str, purpose: str, number: int) -> str:
    """The id of status list ``number`` for ``purpose`` under ``base`` (FORMATS.md §3)."""
    return f"{base}{purpose}/{number}"


_CONVERTER = Converter()
"""Status entries' converter (their JSON is camelCase, their index a decimal string)."""
_ENTRY_SCHEMA = "status-list-entry.schema.json"


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One ``BitstringStatusListEntry`` of a credential (``statusSize`` 1)."""

    entry_id: str | None = field(default=None, kw_only=True, metadata=member("id", optional=True))
    type: str = field(default=ENTRY_TYPE, init=False, repr=False, compare=False)
    purpose: str = field(metadata=member("statusPurpose"))
    index: int = field(metadata=member("statusListIndex", codec=Codec(int, str)))
    list_id: str = field(metadata=member("statusListCredential"))

    @classmethod
    def from_json(cls, obj: JSONValue, *, path: str = "/credentialStatus") -> StatusEntry:
        """Check an entry against ``schemas/status-list-entry.schema.json`` and read it.

        Raises :class:`~innopass.errors.MalformedInputError` at the first problem;
        ``statusSize``, if given, must be the integer 1 (not ``1.0``).
        """
        schema.require_shape(obj, _ENTRY_SCHEMA, path=path)
        assert isinstance(obj, dict)
        if isinstance(obj.get("statusSize"), float):
            raise MalformedInputError("statusSize must be the integer 1", path=f"{path}/statusSize")
        return _CONVERTER.from_json(cls, obj)

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
