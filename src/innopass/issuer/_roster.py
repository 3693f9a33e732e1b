"""The trust anchor's roster: the issuers it accredits, changed only by explicit commands.

A trust list is signed from the roster, whole: an issuer leaves a trust list only
when it is removed from the roster (``innopass anchor remove``), never because
the anchor forgot to name it when signing. Withdrawal and succession are roster
changes too, so they stay in every later version until changed again.

The roster is ``roster.json`` in the anchor's home: the trusted-issuer entries of
FORMATS.md §5, written atomically under the home's lock, each change also written
to the ledger's hash-chained audit log. A home that signed trust lists before it
had a roster starts from the issuers of its newest trust list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Final

from innopass._internal.files import atomic_write, exclusive_lock
from innopass._internal.jsonio import DEFAULT_LIMITS, JSONObject, load_file_strict
from innopass._internal.timestamps import format_datetime, utc_now
from innopass.errors import ConfigurationError, MalformedInputError, TrustError
from innopass.issuer._home import OrganisationHome
from innopass.trust import (
    ALL_PROFILES,
    AccreditedScope,
    OrganisationDescription,
    TrustedIssuer,
    TrustListContent,
    valid_ods_code,
)

__all__ = ["ROSTER_FILE", "Roster", "change_roster", "load_roster", "roster_changes"]

ROSTER_FILE: Final = "roster.json"
_LOCK: Final = ".roster.lock"
_FORMAT: Final = 1


@dataclass(frozen=True, slots=True)
class Roster:
    """The issuers an anchor accredits (a value: each change returns a new roster)."""

    issuers: tuple[TrustedIssuer, ...] = ()

    def get(self, ods_code: str) -> TrustedIssuer | None:
        return next((i for i in self.issuers if i.ods_code == ods_code), None)

    def _require(self, ods_code: str) -> TrustedIssuer:
        found = self.get(ods_code)
        if found is None:
            named = ", ".join(i.ods_code for i in self.issuers) or "no issuer yet"
            raise TrustError(f"{ods_code} is not on the roster (it holds {named})")
        return found

    def _with(self, entry: TrustedIssuer) -> Roster:
        kept = [i for i in self.issuers if i.ods_code != entry.ods_code]
        return Roster(tuple(sorted([*kept, entry], key=lambda i: i.ods_code)))

    def added(
        self,
        organisation: OrganisationDescription,
        *,
        scopes: Sequence[AccreditedScope] | None = None,
    ) -> Roster:
        """Add an issuer, or update one already there from its newer description.

        An update keeps the entry's status, withdrawal, successor and (unless
        ``scopes`` is given) its scopes. Another organisation with the same DID is
        refused with :class:`~innopass.errors.TrustError`.
        """
        clash = next(
            (
                i
                for i in self.issuers
                if i.did == organisation.did and i.ods_code != organisation.ods_code
            ),
            None,
        )
        if clash is not None:
            raise TrustError(f"{organisation.did} is already on the roster as {clash.ods_code}")
        held = self.get(organisation.ods_code)
        fresh = TrustedIssuer.from_organisation(
            organisation,
            scopes=tuple(scopes) if scopes else (held.scopes if held else (ALL_PROFILES,)),
        )
        if held is not None:
            fresh = replace(
                fresh,
                status=held.status,
                withdrawn_at=held.withdrawn_at,
                successor=held.successor,
            )
        return self._with(fresh)

    def removed(self, ods_code: str) -> Roster:
        self._require(ods_code)
        return Roster(tuple(i for i in self.issuers if i.ods_code != ods_code))

    def withdrawn(self, ods_code: str, at: datetime) -> Roster:
        entry = self._require(ods_code)
        return self._with(replace(entry, status="withdrawn", withdrawn_at=at))

    def with_successor(self, ods_code: str, successor: str) -> Roster:
        entry = self._require(ods_code)
        if not valid_ods_code(successor):
            raise MalformedInputError(f"successor {successor!r} of {ods_code} is not an ODS code")
        if successor == ods_code:
            raise TrustError(f"{ods_code} cannot be its own successor")
        return self._with(replace(entry, successor=successor))

    def to_json(self) -> JSONObject:
        return {"formatVersion": _FORMAT, "trustedIssuers": [i.to_json() for i in self.issuers]}


def _path(home: OrganisationHome) -> Path:
    return home.path / ROSTER_FILE


def _read(home: OrganisationHome) -> Roster:
    path = _path(home)
    if not path.exists():
        with home.open_ledger() as ledger:
            versions = ledger.trust_list_versions()
        if not versions:
            return Roster()
        credential = json.loads(versions[-1].credential_text)
        return Roster(TrustListContent.from_credential(credential).issuers)
    try:
        value = load_file_strict(path, limits=DEFAULT_LIMITS)
        if not isinstance(value, dict) or value.get("formatVersion") != _FORMAT:
            raise MalformedInputError(f"formatVersion must be {_FORMAT}")
        listed = value.get("trustedIssuers")
        if not isinstance(listed, list):
            raise MalformedInputError("trustedIssuers must be a list")
        return Roster(
            tuple(
                TrustedIssuer.from_json(item, path=f"/trustedIssuers/{n}")
                for n, item in enumerate(listed)
            )
        )
    except MalformedInputError as exc:
        raise ConfigurationError(f"the roster {path} is unreadable: {exc.diagnostics()}") from exc


def load_roster(path: str | Path) -> Roster:
    """The roster of the anchor home at ``path`` (empty for an anchor that has none yet)."""
    return _read(OrganisationHome.open(path))


def change_roster(
    path: str | Path,
    change: Callable[[Roster], Roster],
    *,
    action: str,
    subject: str,
    clock: Callable[[], datetime] = utc_now,
) -> tuple[Roster, Roster]:
    """Apply ``change`` to the roster under the home's lock; (before, after).

    The new roster is written atomically and the change audited (``action`` on
    ``subject``) in the ledger, in that order: a crash leaves the old roster or
    the new one, never a mix.
    """
    home = OrganisationHome.open(path)
    with exclusive_lock(home.path / _LOCK):
        before = _read(home)
        after = change(before)
        data = (json.dumps(after.to_json(), indent=2, ensure_ascii=False) + "\n").encode()
        atomic_write(_path(home), data)
        with home.open_ledger(clock=clock) as ledger, ledger.transaction() as tx:
            tx.audit(
                action,
                subject,
                {
                    "changes": list(roster_changes(before.issuers, after.issuers)),
                    "at": format_datetime(clock()),
                },
            )
    return before, after


def _keys(issuer: TrustedIssuer) -> list[str]:
    return sorted(
        f"{k.id}{' (compromised)' if k.compromised else ''}"
        + (f" until {format_datetime(k.valid_until)}" if k.valid_until else "")
        for k in issuer.keys
    )


def roster_changes(
    before: Iterable[TrustedIssuer], after: Iterable[TrustedIssuer]
) -> tuple[str, ...]:
    """What changed between two sets of trusted issuers, one line each (nothing: ``()``)."""
    old = {i.ods_code: i for i in before}
    new = {i.ods_code: i for i in after}
    lines: list[str] = []
    for code in sorted(new.keys() - old.keys()):
        lines.append(f"added {code} ({new[code].name}, {new[code].did})")
    for code in sorted(old.keys() - new.keys()):
        lines.append(f"removed {code} ({old[code].name})")
    for code in sorted(old.keys() & new.keys()):
        a, b = old[code], new[code]
        if a.status != b.status or a.withdrawn_at != b.withdrawn_at:
            when = f" from {format_datetime(b.withdrawn_at)}" if b.withdrawn_at else ""
            lines.append(f"{code} is now {b.status}{when}")
        if a.successor != b.successor:
            lines.append(f"{code}'s successor is now {b.successor or 'none'}")
        if _keys(a) != _keys(b):
            lines.append(f"{code}'s keys changed: {', '.join(_keys(b))}")
        if a.scopes != b.scopes:
            scopes = "; ".join(json.dumps(s.to_json(), separators=(",", ":")) for s in b.scopes)
            lines.append(f"{code}'s accredited scopes are now {scopes}")
        if a.did != b.did or a.name != b.name or a.status_list_base != b.status_list_base:
            lines.append(f"{code}'s description changed (DID, name or status-list base)")
    return tuple(lines)
