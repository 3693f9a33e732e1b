"""Bundles: a passport with everything needed to verify it offline (FORMATS.md §6).

The issuer builds a bundle from its ledger: the passport exactly as issued, the
organisation's public description (with its DID document), freshly signed
status-list credentials for the lists the passport names and, optionally, a
trust list. Each part is signed on its own; the bundle itself is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from innopass._internal.datamodel import enveloped_jws_text
from innopass._internal.jose import looks_like_compact_jws, parse_compact_jws
from innopass._internal.jsonio import JSONValue, loads_strict
from innopass.errors import LedgerError, MalformedInputError, PassportReferenceError
from innopass.issuer._ledger import Ledger, PassportEntry
from innopass.issuer._signer import Signer
from innopass.issuer._status_lists import DEFAULT_STATUS_VALIDITY, sign_status_lists
from innopass.status import StatusPurpose
from innopass.trust import Bundle, TrustListContent

__all__ = [
    "build_bundle",
    "check_passport_id",
    "find_passport",
    "is_passport_id_like",
    "passport_id_of",
]

_URI_CHARS = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})"
_PASSPORT_ID = re.compile(rf"(?i:urn):[A-Za-z0-9][A-Za-z0-9-]{{0,30}}[A-Za-z0-9]:{_URI_CHARS}+")
_MAX_ID = 1024


def check_passport_id(value: str) -> str:
    """``value`` if it is a passport id (a URN), else :class:`PassportReferenceError`."""
    if len(value) > _MAX_ID or not _PASSPORT_ID.fullmatch(value):
        shown = value if len(value) <= 80 else value[:77] + "..."
        raise PassportReferenceError(f"{shown!r} is not a passport id (urn:uuid:...)")
    return value


def is_passport_id_like(value: str) -> bool:
    """Whether ``value`` is meant as a passport id rather than a passport's text or a file."""
    return value.strip()[:4].lower() == "urn:"


def passport_id_of(text: str) -> str:
    """The credential id of a passport given as text (DI JSON or compact ``vc+jwt``).

    Reads the id only; nothing is verified. Raises :class:`MalformedInputError`.
    """
    if looks_like_compact_jws(text):
        payload = parse_compact_jws(text).payload
        value = payload.get("id", payload.get("jti"))
    else:
        document = loads_strict(text)
        value = document.get("id") if isinstance(document, dict) else None
    if not isinstance(value, str) or not value:
        raise MalformedInputError("the passport has no credential id", path="/id")
    return value


def find_passport(ledger: Ledger, passport: str) -> PassportEntry:
    """The ledger entry for ``passport``: a credential id (``urn:uuid:…``) or a passport's text.

    Text must be the passport as this organisation issued it (same JSON, or the
    same compact JWS, bare or in an ``EnvelopedVerifiableCredential``); otherwise
    :class:`~innopass.errors.LedgerError`. A value starting ``urn:`` is an id and
    must be a well-formed one (:class:`PassportReferenceError`).
    """
    candidate = passport.strip()
    if candidate.startswith("{"):
        document = loads_strict(candidate)
        token = enveloped_jws_text(document) if isinstance(document, dict) else None
        if token is not None:
            candidate = token.strip()
    if is_passport_id_like(candidate):
        return ledger.passport(check_passport_id(candidate))
    entry = ledger.passport(passport_id_of(candidate))
    same = (
        candidate == entry.credential_text.strip()
        if looks_like_compact_jws(candidate)
        else loads_strict(candidate) == loads_strict(entry.credential_text)
    )
    if not same:
        raise LedgerError(f"the passport given differs from passport {entry.id} as it was issued")
    return entry


def build_bundle(
    signer: Signer,
    ledger: Ledger,
    passport: str,
    *,
    clock: Callable[[], datetime],
    trust_list: Mapping[str, JSONValue] | None = None,
    valid_for: timedelta = DEFAULT_STATUS_VALIDITY,
) -> Bundle:
    """Bundle the passport (id or text) with the organisation description and its status lists.

    ``trust_list``, if given, must be an ``InnopassTrustList`` credential
    (checked for shape only; verifiers check its proof).
    """
    entry = find_passport(ledger, passport)
    if trust_list is not None:
        TrustListContent.from_credential(trust_list)
    order = list(StatusPurpose)
    lists = sorted(
        {(a.purpose, a.list_number) for a in entry.allocations},
        key=lambda item: (order.index(item[0]), item[1]),
    )
    signed = sign_status_lists(
        signer,
        ledger,
        clock=clock,
        lists=lists,
        valid_for=valid_for,
        action="bundle",
        subject=entry.id,
    )
    document: JSONValue = (
        entry.credential_text.strip()
        if entry.format == "jwt"
        else loads_strict(entry.credential_text)
    )
    if not isinstance(document, dict | str):
        raise LedgerError(f"ledger holds a malformed passport {entry.id}")
    return Bundle(
        passport=document,
        issuer=replace(signer.description, exported_at=clock()),
        status_lists=tuple(s.credential for s in signed),
        trust_list=None if trust_list is None else dict(trust_list),
    )
