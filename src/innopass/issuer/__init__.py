"""Issuing innovator passports: organisation homes, keys, the ledger, status lists, bundles.

A few lines issue a passport::

    from innopass.issuer import Issuer
    from innopass.record import AssessmentRecord

    with Issuer.from_home("rf4-home", passphrase=secret) as issuer:
        passport = issuer.issue(AssessmentRecord.load("record.json"))
        passport.write(Path(passport.filename()))

An organisation home is created with :meth:`OrganisationHome.init` (or
``innopass org init``). This package never imports :mod:`innopass.verifier`.
"""

from innopass.issuer.bundle import (
    PassportReferenceError,
    build_bundle,
    check_passport_id,
    find_passport,
    passport_id_of,
)
from innopass.issuer.home import (
    MIN_PASSPHRASE_LENGTH,
    PASSPHRASE_ENV,
    HomeSnapshot,
    OrganisationHome,
    default_status_base,
    new_passphrase_bytes,
    passphrase_bytes,
)
from innopass.issuer.issuer import IssuedPassport, Issuer, PassportFormat
from innopass.issuer.ledger import (
    AuditChainError,
    AuditEntry,
    Ledger,
    LedgerTransaction,
    PassportEntry,
    PassportNotFoundError,
    PassportState,
    StatusAction,
    StatusAllocation,
    StatusListInfo,
    TrustListVersion,
)
from innopass.issuer.output import OutputError
from innopass.issuer.status_lists import (
    DEFAULT_STATUS_VALIDITY,
    PublishedStatusList,
    change_status,
    publish_status_lists,
    sign_status_lists,
)
from innopass.issuer.trust_list import (
    DEFAULT_SCOPES,
    DEFAULT_TRUST_LIST_VALIDITY,
    PROFILES,
    SignedTrustList,
    sign_trust_list,
)

__all__ = [
    "DEFAULT_SCOPES",
    "DEFAULT_STATUS_VALIDITY",
    "DEFAULT_TRUST_LIST_VALIDITY",
    "MIN_PASSPHRASE_LENGTH",
    "PASSPHRASE_ENV",
    "PROFILES",
    "AuditChainError",
    "AuditEntry",
    "HomeSnapshot",
    "IssuedPassport",
    "Issuer",
    "Ledger",
    "LedgerTransaction",
    "OrganisationHome",
    "OutputError",
    "PassportEntry",
    "PassportFormat",
    "PassportNotFoundError",
    "PassportReferenceError",
    "PassportState",
    "PublishedStatusList",
    "SignedTrustList",
    "StatusAction",
    "StatusAllocation",
    "StatusListInfo",
    "TrustListVersion",
    "build_bundle",
    "change_status",
    "check_passport_id",
    "default_status_base",
    "find_passport",
    "new_passphrase_bytes",
    "passphrase_bytes",
    "passport_id_of",
    "publish_status_lists",
    "sign_status_lists",
    "sign_trust_list",
]
