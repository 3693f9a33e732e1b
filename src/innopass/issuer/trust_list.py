"""Signing trust lists, as a trust anchor (FORMATS.md §5).

An anchor is an organisation home like any other; its ledger remembers every
trust list it signed, so each new one is exactly one version higher (verifiers
refuse a rollback to an older version).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from innopass._json import JSONObject, dumps_pretty
from innopass._time import format_datetime
from innopass.errors import ConfigurationError, TrustError
from innopass.issuer.ledger import TrustListVersion
from innopass.trust import (
    AccreditedScope,
    OrganisationDescription,
    TrustedIssuer,
    TrustListContent,
    build_trust_list_credential,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from innopass.issuer.issuer import Issuer

__all__ = [
    "DEFAULT_SCOPES",
    "DEFAULT_TRUST_LIST_VALIDITY",
    "PROFILES",
    "SignedTrustList",
    "sign_trust_list",
]

DEFAULT_TRUST_LIST_VALIDITY = timedelta(days=30)
"""How long a trust list is valid by default."""

PROFILES = ("device", "digital", "diagnostic")
"""The record profiles an issuer can be accredited for."""

DEFAULT_SCOPES: tuple[AccreditedScope, ...] = (AccreditedScope(profiles=PROFILES),)
"""Accredited for every profile and every domain."""


@dataclass(frozen=True, slots=True)
class SignedTrustList:
    """A trust list just signed and recorded in the anchor's ledger."""

    version: int
    credential: JSONObject

    def text(self) -> str:
        """The trust-list file's content (pretty JSON)."""
        return dumps_pretty(self.credential)


def sign_trust_list(
    issuer: Issuer,
    organisations: Sequence[OrganisationDescription],
    *,
    scopes: Sequence[AccreditedScope] = DEFAULT_SCOPES,
    valid_for: timedelta = DEFAULT_TRUST_LIST_VALIDITY,
) -> SignedTrustList:
    """Sign the next version of this anchor's trust list, naming ``organisations``.

    Each organisation becomes an ``active`` trusted issuer with its DID document,
    key windows and status-list base, accredited for ``scopes``. Two descriptions
    with the same DID or ODS code raise :class:`~innopass.errors.TrustError`.
    """
    if valid_for <= timedelta(0):
        raise ConfigurationError("a trust list's validity must be positive")
    for attribute in ("did", "ods_code"):
        values = [getattr(o, attribute) for o in organisations]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise TrustError(f"the same organisation is named twice: {', '.join(duplicates)}")
    anchor = issuer.description
    trusted = tuple(TrustedIssuer.from_organisation(o, scopes=scopes) for o in organisations)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    with issuer.ledger.transaction() as tx:
        issuer.ensure_current_key()
        now = issuer.now()
        version = tx.next_trust_list_version()
        unsigned = build_trust_list_credential(
            credential_id=credential_id,
            anchor_did=anchor.did,
            anchor_name=anchor.name,
            anchor_ods_code=anchor.ods_code,
            content=TrustListContent(version=version, issuers=trusted),
            valid_from=now,
            valid_until=now + valid_for,
        )
        signed = SignedTrustList(version, issuer.sign_document(unsigned, created=now))
        tx.add_trust_list_version(
            TrustListVersion(
                version=version,
                credential_id=credential_id,
                signed_at=now,
                valid_until=now + valid_for,
                issuers=tuple(o.did for o in organisations),
                credential_text=signed.text(),
            )
        )
        tx.audit(
            "trust-list-sign",
            credential_id,
            {
                "version": version,
                "issuers": [{"odsCode": o.ods_code, "did": o.did} for o in organisations],
                "scopes": [s.to_json() for s in scopes],
                "validUntil": format_datetime(now + valid_for),
            },
        )
    return signed
