"""Verifying innovator passports offline: the verifier, its results and its trust store.

>>> from innopass.verifier import TrustStore, Verifier
>>> store = TrustStore()
>>> did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
>>> store.pin_issuer(did)  # doctest: +ELLIPSIS
PinnedParty(...)
>>> verifier = Verifier(store)

``Verifier.verify()`` never raises on bad input; it returns a
:class:`VerificationResult` whose ``verdict`` is ``verified``, ``rejected`` or
``indeterminate``. The verifier never imports the issuer and makes no network
call unless it was given a :class:`~innopass._internal.net.Fetcher`.
"""

from innopass.verifier.result import (
    CHECK_NAMES,
    CheckName,
    CheckResult,
    CheckStatus,
    Condition,
    Failure,
    FailureCode,
    FailureFamily,
    IssuerInfo,
    PassportFacts,
    Verdict,
    VerificationResult,
)
from innopass.verifier.status import CachedStatusList, OnlineStatusLists, VerifiedStatusList
from innopass.verifier.store import (
    AcceptedTrustList,
    BundleImport,
    CachedDidDocument,
    IssuerTrust,
    PinnedParty,
    TrustImportError,
    TrustResolver,
    TrustSource,
    TrustStore,
    verify_trust_list,
)
from innopass.verifier.verifier import (
    DEFAULT_JOSE_ALGORITHMS,
    DEFAULT_SUITES,
    JWT_FORMAT,
    SUPPORTED_JOSE_ALGORITHMS,
    Verifier,
)

__all__ = [
    "CHECK_NAMES",
    "DEFAULT_JOSE_ALGORITHMS",
    "DEFAULT_SUITES",
    "JWT_FORMAT",
    "SUPPORTED_JOSE_ALGORITHMS",
    "AcceptedTrustList",
    "BundleImport",
    "CachedDidDocument",
    "CachedStatusList",
    "CheckName",
    "CheckResult",
    "CheckStatus",
    "Condition",
    "Failure",
    "FailureCode",
    "FailureFamily",
    "IssuerInfo",
    "IssuerTrust",
    "OnlineStatusLists",
    "PassportFacts",
    "PinnedParty",
    "TrustImportError",
    "TrustResolver",
    "TrustSource",
    "TrustStore",
    "Verdict",
    "VerificationResult",
    "VerifiedStatusList",
    "Verifier",
    "verify_trust_list",
]
