"""The trust anchor's role: signing trust lists (FORMATS.md §5).

An anchor is an organisation home like any other, opened as a :class:`TrustAnchor`;
its ledger remembers every trust list it signed, so each new one is exactly one
version higher (verifiers refuse a rollback to an older version).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from innopass._internal.jsonio import JSONObject, dumps_pretty
from innopass._internal.timestamps import format_datetime, utc_now
from innopass.errors import ConfigurationError, MalformedInputError, TrustError
from innopass.issuer._ledger import TrustListVersion
from innopass.issuer._session import Session
from innopass.trust import (
    ALL_PROFILES,
    AccreditedScope,
    OrganisationDescription,
    TrustedIssuer,
    TrustListContent,
    build_trust_list_credential,
    valid_ods_code,
)

__all__ = [
    "DEFAULT_SCOPES",
    "DEFAULT_TRUST_LIST_VALIDITY",
    "PROFILES",
    "SignedTrustList",
    "TrustAnchor",
]

DEFAULT_TRUST_LIST_VALIDITY = timedelta(days=30)
"""How long a trust list is valid by default."""

PROFILES: tuple[str, ...] = ALL_PROFILES.profiles
"""The record profiles an issuer can be accredited for (:data:`innopass.trust.ALL_PROFILES`)."""

DEFAULT_SCOPES: tuple[AccreditedScope, ...] = (ALL_PROFILES,)
"""Accredited for every profile and every domain."""


@dataclass(frozen=True, slots=True)
class SignedTrustList:
    """A trust list just signed and recorded in the anchor's ledger."""

    version: int
    credential: JSONObject

    def text(self) -> str:
        """The trust-list file's content (pretty JSON)."""
        return dumps_pretty(self.credential)


class TrustAnchor(Session):
    """A trust anchor's organisation home, opened to sign trust lists.

    Build with :meth:`from_home`; use as a context manager (or call :meth:`close`).
    """

    @classmethod
    def from_home(
        cls,
        path: str | os.PathLike[str],
        *,
        passphrase: str | bytes,
        clock: Callable[[], datetime] = utc_now,
    ) -> TrustAnchor:
        """Open the anchor's home at ``path`` and decrypt its current signing key."""
        home, signer, ledger = cls._open(path, passphrase, clock)
        return cls(home, signer, ledger=ledger, clock=clock)

    def trust_list_versions(self) -> tuple[TrustListVersion, ...]:
        """Every trust list this anchor signed, oldest first."""
        return self._ledger.trust_list_versions()

    def sign_trust_list(
        self,
        organisations: Sequence[OrganisationDescription],
        *,
        scopes: Sequence[AccreditedScope] = DEFAULT_SCOPES,
        valid_for: timedelta = DEFAULT_TRUST_LIST_VALIDITY,
        withdrawn: Mapping[str, datetime | None] | None = None,
        successors: Mapping[str, str] | None = None,
        issuer_scopes: Mapping[str, Sequence[AccreditedScope]] | None = None,
    ) -> SignedTrustList:
        """Sign the next version of this anchor's trust list, naming ``organisations``.

        Each organisation becomes a trusted issuer with its DID document, key
        windows (including any ``compromised`` flag) and status-list base,
        accredited for ``scopes``, or for ``issuer_scopes[ods_code]`` when that is
        given for it (an ODS code not among the issuers raises
        :class:`~innopass.errors.TrustError`). It is ``active`` unless its ODS code is in
        ``withdrawn``: then ``withdrawn`` from the time given (``None``: the signing
        time), and verifiers refuse its passports signed after that. ``successors``
        maps an ODS code to the ODS code of the organisation that took it over
        (after a merger). Two descriptions with the same DID or ODS code, or a
        withdrawal or successor for an organisation not named, raise
        :class:`~innopass.errors.TrustError`; a successor that is not an ODS code
        raises :class:`~innopass.errors.MalformedInputError`.
        """
        if valid_for <= timedelta(0):
            raise ConfigurationError("a trust list's validity must be positive")
        for attribute in ("did", "ods_code"):
            values = [getattr(o, attribute) for o in organisations]
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise TrustError(f"the same organisation is named twice: {', '.join(duplicates)}")
        withdrawals = dict(withdrawn or {})
        successor_of = dict(successors or {})
        scoped = {code: tuple(given) for code, given in (issuer_scopes or {}).items()}
        codes = {o.ods_code for o in organisations}
        unknown = sorted((set(withdrawals) | set(successor_of) | set(scoped)) - codes)
        if unknown:
            raise TrustError(
                f"a withdrawal, successor or scope names {', '.join(unknown)}, "
                "which is not among the issuers of this trust list"
            )
        if any(not given for given in scoped.values()):
            raise TrustError("an issuer's scopes cannot be empty")
        for code, successor in successor_of.items():
            if not valid_ods_code(successor):
                raise MalformedInputError(f"successor {successor!r} of {code} is not an ODS code")
            if successor == code:
                raise TrustError(f"{code} cannot be its own successor")
        return self._sign(
            lambda now: tuple(
                _trusted_issuer(o, scoped.get(o.ods_code, scopes), withdrawals, successor_of, now)
                for o in organisations
            ),
            valid_for=valid_for,
            successors=successor_of,
        )

    def previous_issuers(self) -> tuple[TrustedIssuer, ...]:
        """The issuers of the newest trust list this anchor signed (none before the first)."""
        versions = self._ledger.trust_list_versions()
        if not versions:
            return ()
        return TrustListContent.from_credential(json.loads(versions[-1].credential_text)).issuers

    def sign_roster(
        self, *, valid_for: timedelta = DEFAULT_TRUST_LIST_VALIDITY
    ) -> tuple[SignedTrustList, tuple[str, ...]]:
        """Sign the next version of the trust list from the whole roster; what changed since the
        previous version, one line each (:mod:`innopass.issuer._roster`).

        An empty roster raises :class:`~innopass.errors.TrustError`: a trust list
        naming no one would withdraw every issuer at once.
        """
        from innopass.issuer._roster import load_roster, roster_changes

        if valid_for <= timedelta(0):
            raise ConfigurationError("a trust list's validity must be positive")
        roster = load_roster(self.home.path)
        if not roster.issuers:
            raise TrustError("the roster names no issuer: add one first (innopass anchor add FILE)")
        previous = self.previous_issuers()
        signed = self._sign(
            lambda now: roster.issuers,
            valid_for=valid_for,
            successors={i.ods_code: i.successor for i in roster.issuers if i.successor},
        )
        return signed, roster_changes(previous, roster.issuers)

    def _sign(
        self,
        entries: Callable[[datetime], tuple[TrustedIssuer, ...]],
        *,
        valid_for: timedelta,
        successors: Mapping[str, str],
    ) -> SignedTrustList:
        anchor = self.description
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        successor_of = dict(successors)
        with self._ledger.transaction() as tx:
            tx.require_intact()
            self._signer.check_current()
            now = self._clock()
            trusted = entries(now)
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
            signed = SignedTrustList(version, self._signer.sign(unsigned, created=now))
            tx.add_trust_list_version(
                TrustListVersion(
                    version=version,
                    credential_id=credential_id,
                    signed_at=now,
                    valid_until=now + valid_for,
                    issuers=tuple(t.did for t in trusted),
                    credential_text=signed.text(),
                )
            )
            tx.audit(
                "trust-list-sign",
                credential_id,
                {
                    "version": version,
                    "signedAt": format_datetime(now),
                    "credentialDigest": hashlib.sha256(signed.text().encode("utf-8")).hexdigest(),
                    "issuers": [
                        {"odsCode": t.ods_code, "did": t.did, "status": t.status} for t in trusted
                    ],
                    "withdrawn": {
                        t.ods_code: format_datetime(t.withdrawn_at)
                        for t in trusted
                        if t.withdrawn_at is not None
                    },
                    "successors": dict(successor_of),
                    "scopes": {t.ods_code: [s.to_json() for s in t.scopes] for t in trusted},
                    "validUntil": format_datetime(now + valid_for),
                },
            )
        return signed


def _trusted_issuer(
    organisation: OrganisationDescription,
    scopes: Sequence[AccreditedScope],
    withdrawals: Mapping[str, datetime | None],
    successors: Mapping[str, str],
    now: datetime,
) -> TrustedIssuer:
    entry = TrustedIssuer.from_organisation(organisation, scopes=scopes)
    code = organisation.ods_code
    if code in withdrawals:
        entry = replace(entry, status="withdrawn", withdrawn_at=withdrawals[code] or now)
    if code in successors:
        entry = replace(entry, successor=successors[code])
    return entry
