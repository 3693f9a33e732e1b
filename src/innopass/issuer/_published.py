"""Checking a ledger against what the organisation already published (``ledger verify``).

A ledger that was rolled back or rewritten is still consistent with itself; what
betrays it is material published from it before: each signed status list carries
the :class:`~innopass.trust.LedgerCheckpoint` of the ledger it was made from, and so
do the organisation description and the bundles' status lists. For each, the
ledger must still hold that entry at that length, and its chain replayed up to it
must give exactly the bits the list published.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from innopass._internal.credential import credential_types
from innopass._internal.jsonio import JSONValue, load_file_strict
from innopass.errors import InnopassError, MalformedInputError
from innopass.issuer._ledger import Ledger
from innopass.status import (
    LIST_CREDENTIAL_TYPE,
    StatusPurpose,
    bit_at,
    decode_bitstring,
)
from innopass.trust import BUNDLE_TYPE, ORGANISATION_TYPE, LedgerCheckpoint, OrganisationDescription

__all__ = ["published_problems", "read_published"]

_MAX_FILES = 10_000


def read_published(paths: Sequence[Path]) -> Iterator[tuple[str, JSONValue | InnopassError]]:
    """Each file named (a directory: every file under it), read strictly, or why it cannot be."""
    count = 0
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            count += 1
            if count > _MAX_FILES:
                return
            try:
                yield str(file), load_file_strict(file)
            except InnopassError as exc:
                yield str(file), exc


def published_problems(
    ledger: Ledger,
    organisation: OrganisationDescription,
    documents: Iterable[tuple[str, JSONValue | InnopassError]],
) -> list[str]:
    """Where published ``documents`` contradict the ledger (see the module docstring)."""
    entries = ledger.audit_entries()
    hashes = [e.hash for e in entries]
    replays: dict[int, dict[tuple[str, int, int], int]] = {}
    problems: list[str] = []

    def check_point(source: str, value: JSONValue) -> LedgerCheckpoint | None:
        try:
            point = LedgerCheckpoint.from_json(value)
        except MalformedInputError as exc:
            problems.append(f"{source}: unreadable ledger checkpoint ({exc.diagnostics()})")
            return None
        if point.length > len(hashes):
            problems.append(
                f"{source} was made from a ledger of {point.length} audit entries; this one has "
                f"{len(hashes)}: it was rolled back (restored from an older copy?)"
            )
            return None
        if point.length and hashes[point.length - 1] != point.head:
            problems.append(
                f"{source} was made from a ledger whose audit entry {point.length} differs from "
                "this one's: the audit log was rewritten"
            )
            return None
        return point

    def check_list(source: str, credential: dict[str, JSONValue]) -> None:
        issuer = credential.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if issuer_id != organisation.did:
            return  # another organisation's list: nothing to compare
        if "ledgerCheckpoint" not in credential:
            return  # signed by an innopass that carried no checkpoint
        point = check_point(source, credential["ledgerCheckpoint"])
        if point is None:
            return
        list_id = str(credential.get("id", ""))
        base = organisation.status_list_base
        purpose, _, number = list_id.removeprefix(base).partition("/")
        subject = credential.get("credentialSubject")
        if (
            not list_id.startswith(base)
            or purpose not in {p.value for p in StatusPurpose}
            or not number.isdigit()
            or not isinstance(subject, dict)
        ):
            problems.append(f"{source}: {list_id[:120]} is not a list of this organisation")
            return
        try:
            bits = decode_bitstring(subject.get("encodedList"))
        except InnopassError as exc:
            problems.append(f"{source}: {exc}")
            return
        if point.length not in replays:
            replays[point.length] = ledger.replayed_values(upto=point.length)
        values = replays[point.length]
        positions = {i for (p, n, i) in values if p == purpose and n == int(number)}
        size = len(bits) * 8
        set_bits = {i for i in range(size) if bits[i // 8] and bit_at(bits, i)}
        for index in sorted(positions | set_bits)[:1_000_000]:
            chained = values.get((purpose, int(number), index), 0)
            shown = int(index in set_bits)
            if index >= size or chained != shown:
                problems.append(
                    f"{source}: {purpose}/{number} published {shown} at index {index}, but the "
                    f"ledger's audit log says {chained} as of entry {point.length}"
                )
                return

    for source, document in documents:
        if isinstance(document, InnopassError):
            problems.append(f"{source}: cannot be read ({document.diagnostics()})")
            continue
        if not isinstance(document, dict):
            problems.append(f"{source}: not a status list, description or bundle")
            continue
        kind = document.get("type")
        if kind == BUNDLE_TYPE:
            lists = document.get("statusLists")
            for i, item in enumerate(lists if isinstance(lists, list) else []):
                if isinstance(item, dict):
                    check_list(f"{source} (status list {i})", item)
            issuer = document.get("issuer")
            if (
                isinstance(issuer, dict)
                and "ledgerCheckpoint" in issuer
                and issuer.get("did") == organisation.did
            ):
                check_point(f"{source} (issuer)", issuer["ledgerCheckpoint"])
        elif kind == ORGANISATION_TYPE:
            if document.get("did") == organisation.did and "ledgerCheckpoint" in document:
                check_point(source, document["ledgerCheckpoint"])
        elif LIST_CREDENTIAL_TYPE in credential_types(document):
            check_list(source, document)
        else:
            problems.append(f"{source}: not a status list, description or bundle")
    return problems
