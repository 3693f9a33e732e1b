"""Issuing innovator passports: organisation homes, keys, the ledger, status lists, bundles.

A few lines issue a passport::

    from innopass.issuer import Issuer
    from innopass.record import AssessmentRecord

    with Issuer.from_home("rf4-home", passphrase=secret) as issuer:
        passport = issuer.issue(AssessmentRecord.load("record.json"))
        passport.write(Path(passport.filename()))

An organisation home is created with :meth:`OrganisationHome.init` (or
``innopass org init``). A trust anchor signs trust lists as a
:class:`TrustAnchor`, from its :class:`Roster` (changed by :func:`change_roster`).
This package never imports :mod:`innopass.verifier`.
"""

from innopass.issuer._anchor import SignedTrustList, TrustAnchor
from innopass.issuer._home import OrganisationHome
from innopass.issuer._issuer import Issuer
from innopass.issuer._ledger import (
    AuditEntry,
    Ledger,
    PassportEntry,
    PassportKind,
    PassportState,
    StatusAction,
    TrustListVersion,
)
from innopass.issuer._passport import IssuedPassport, PassportFormat
from innopass.issuer._roster import Roster, change_roster, load_roster, roster_changes
from innopass.issuer._signer import Signer
from innopass.issuer._status_lists import PublishedStatusList

__all__ = [
    "AuditEntry",
    "IssuedPassport",
    "Issuer",
    "Ledger",
    "OrganisationHome",
    "PassportEntry",
    "PassportFormat",
    "PassportKind",
    "PassportState",
    "PublishedStatusList",
    "Roster",
    "SignedTrustList",
    "Signer",
    "StatusAction",
    "TrustAnchor",
    "TrustListVersion",
    "change_roster",
    "load_roster",
    "roster_changes",
]
