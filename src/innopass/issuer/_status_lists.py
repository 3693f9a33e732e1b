"""Status changes and signed ``BitstringStatusListCredential`` files (FORMATS.md §3).

A passport's status changes in the ledger (:func:`change_status`, no key needed);
verifiers see the change once the organisation signs and publishes its lists
(:func:`publish_status_lists`), each written to ``<dir>/<purpose>/<n>`` so that the
directory can be served as-is under the organisation's status-list base.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from innopass._internal.jsonio import JSONObject, dumps_pretty
from innopass._internal.output import check_output_file, write_file
from innopass._internal.timestamps import format_datetime
from innopass.errors import ConfigurationError
from innopass.issuer._ledger import Ledger, PassportEntry, StatusAction
from innopass.issuer._signer import Signer
from innopass.status import StatusPurpose, StatusReason, build_status_list_credential, list_id

__all__ = [
    "DEFAULT_STATUS_VALIDITY",
    "PublishedStatusList",
    "change_status",
    "publish_status_lists",
    "sign_status_lists",
]

DEFAULT_STATUS_VALIDITY = timedelta(days=7)
"""How long a signed status list is valid by default (``validUntil`` - ``validFrom``)."""


@dataclass(frozen=True, slots=True)
class PublishedStatusList:
    """One signed status-list credential, and where it was written (if it was)."""

    purpose: StatusPurpose
    list_number: int
    id: str
    credential: JSONObject
    path: Path | None = None

    @property
    def relative_path(self) -> str:
        """``<purpose>/<n>``: the list id with the status-list base removed."""
        return f"{self.purpose.value}/{self.list_number}"


def change_status(
    ledger: Ledger,
    passport_id: str,
    action: StatusAction | str,
    *,
    reason: StatusReason | str | None = None,
) -> PassportEntry:
    """Revoke, suspend or reinstate ``passport_id``, or set its message, in one transaction
    with its audit entries (:meth:`~innopass.issuer.LedgerTransaction.change_status`).

    Raises ``PassportNotFoundError`` for an unknown id and
    :class:`~innopass.errors.StatusChangeError` for a change that is not allowed
    (anything but a message on a revoked passport; suspending a suspended one;
    reinstating one that is not suspended).
    """
    try:
        chosen = StatusAction(action)
    except ValueError:
        raise ConfigurationError(f"unknown status action {action!r}") from None
    try:
        why = None if reason is None else StatusReason(reason)
    except ValueError:
        known = ", ".join(r.value for r in StatusReason)
        raise ConfigurationError(f"unknown status reason {reason!r} (known: {known})") from None
    with ledger.transaction() as tx:
        tx.require_intact()
        return tx.change_status(passport_id, chosen, reason=why)


def sign_status_lists(
    signer: Signer,
    ledger: Ledger,
    *,
    clock: Callable[[], datetime],
    lists: Sequence[tuple[StatusPurpose, int]] | None = None,
    valid_for: timedelta = DEFAULT_STATUS_VALIDITY,
    action: str = "status-sign",
    subject: str | None = None,
) -> list[PublishedStatusList]:
    """Sign the current bits of ``lists`` (default: every list the ledger holds).

    ``action`` and ``subject`` (default: the organisation's DID) name the audit entry.
    The snapshot is taken and audited inside one ledger transaction, so it
    reflects every status change committed before it and none half-made.
    """
    if valid_for <= timedelta(0):
        raise ConfigurationError("a status list's validity must be positive")
    signed: list[PublishedStatusList] = []
    with ledger.transaction() as tx:
        checkpoint = tx.require_intact(full=True)  # the bits are the chain's replay
        signer.check_current()
        organisation = signer.description
        now = clock()
        chosen = (
            list(lists)
            if lists is not None
            else [(info.purpose, info.list_number) for info in ledger.status_lists()]
        )
        for purpose, number in chosen:
            identifier = list_id(organisation.status_list_base, purpose.value, number)
            unsigned = build_status_list_credential(
                list_id=identifier,
                issuer_did=organisation.did,
                purpose=purpose.value,
                bits=ledger.status_bits(purpose, number),
                valid_from=now,
                valid_until=now + valid_for,
                ledger_checkpoint=checkpoint.to_json(),
            )
            signed.append(
                PublishedStatusList(
                    purpose=purpose,
                    list_number=number,
                    id=identifier,
                    credential=signer.sign(unsigned, created=now),
                )
            )
        if signed:
            signer.publish_checkpoint(checkpoint)
        tx.audit(
            action,
            subject or organisation.did,
            {
                "lists": [s.id for s in signed],
                "validUntil": format_datetime(now + valid_for),
                "verificationMethod": signer.key_id,
                "ledgerCheckpoint": checkpoint.to_json(),
            },
        )
    return signed


def _list_path(directory: Path, purpose: StatusPurpose, number: int) -> Path:
    return directory / purpose.value / str(number)


def publish_status_lists(
    signer: Signer,
    ledger: Ledger,
    directory: Path,
    *,
    clock: Callable[[], datetime],
    valid_for: timedelta = DEFAULT_STATUS_VALIDITY,
) -> list[PublishedStatusList]:
    """Sign every status list and write each, atomically, to ``directory/<purpose>/<n>``.

    Every list file in ``directory`` is checked before anything is signed
    (:class:`~innopass.errors.OutputError` if one cannot be written); a write that
    fails afterwards raises the same error. (The caller checks that ``directory``
    is outside the organisation home's private files.)
    """
    for info in ledger.status_lists():
        check_output_file(_list_path(directory, info.purpose, info.list_number))
    written = []
    for item in sign_status_lists(
        signer, ledger, clock=clock, valid_for=valid_for, action="status-publish"
    ):
        path = _list_path(directory, item.purpose, item.list_number)
        write_file(
            path,
            dumps_pretty(item.credential).encode("utf-8"),
            committed=f"status list {item.id} was signed",
        )
        written.append(
            PublishedStatusList(item.purpose, item.list_number, item.id, item.credential, path)
        )
    return written
